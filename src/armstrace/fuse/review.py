"""Analysts' decisions against the store: record one, re-fuse, list them.

    from armstrace.fuse.review import decide
    decision_id, event_id = decide(store, "3f2a", "reject", author="ana", note="duplicate of a 2015 deal")

A decision is written to the `decisions` table (never into claims or
events), then the dyad groups it concerns are fused again so that it takes
effect at once; every later fusion run replays it (see
`armstrace.fuse.decisions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, cast, select

from armstrace.fuse.decisions import ACTIONS, new_decision
from armstrace.fuse.engine import FuseReport, refuse_events
from armstrace.store.schema import events


class DecisionError(ValueError):
    """A decision that cannot be made as asked; the message is one line."""


def find_event(store: Any, event_id: str) -> dict[str, Any]:
    """An event by id or unambiguous id prefix, with its claims."""
    record = store.event(event_id)
    if record is not None:
        return record
    matches = store.resolve_event_id(event_id)
    if not matches:
        raise DecisionError(f"no event {event_id!r}")
    if len(matches) > 1:
        raise DecisionError(f"event id {event_id!r} is ambiguous: {', '.join(matches[:5])}")
    return store.event(matches[0])  # type: ignore[no-any-return]


def decide(
    store: Any,
    event_id: str,
    action: str,
    *,
    other: str | None = None,
    claim_ids: Sequence[str] = (),
    field: str | None = None,
    value: str | None = None,
    mention: str | None = None,
    entity_id: str | None = None,
    author: str | None = None,
    note: str | None = None,
    report: FuseReport | None = None,
) -> tuple[str, str | None]:
    """Record a decision and apply it; returns (decision id, the event it now applies to)."""
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    record = find_event(store, event_id)
    other_record = find_event(store, other) if other else None
    # A wall clock with microseconds orders decisions made within one second.
    decided_at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    try:
        built = new_decision(
            record, action, author=author, created_at=decided_at, note=note, other_record=other_record,
            claim_ids=claim_ids, field_name=field, value=value, mention=mention, entity_id=entity_id,
        )
    except ValueError as exc:
        raise DecisionError(str(exc)) from exc
    payload = dict(built.payload, decided_at=decided_at)
    decision_id = store.add_decision(record["id"], action, payload, author)
    involved = [record["id"]] + ([other_record["id"]] if other_record else [])
    result = refuse_events(store, involved, extra_dyads=[tuple(d) for d in payload["dyads"]])
    if report is not None:
        report.add(result)
    return decision_id, event_holding(store, decision_id)


def event_holding(store: Any, decision_id: str) -> str | None:
    """The event a decision is in force on now, or None when it found no event (dormant)."""
    with store.engine.connect() as conn:
        query = select(events.c.id, events.c.data).where(cast(events.c.data, Text).like(f"%{decision_id}%"))
        for row in conn.execute(query):
            if decision_id in ((row.data or {}).get("decisions") or []):
                return str(row.id)
    return None


def list_decisions(store: Any, event_id: str | None = None) -> list[dict[str, Any]]:
    """Decisions, oldest first, each with `in_force_on` (its event now, or None if dormant).

    With an event id: the decisions made on it and those now in force on it.
    """
    found = store.decisions()
    wanted = None
    if event_id is not None:
        record = find_event(store, event_id)
        wanted = {record["id"]}, set(record.get("decisions") or [])
    out = []
    for decision in found:
        if wanted is not None and decision["event_id"] not in wanted[0] and decision["id"] not in wanted[1]:
            continue
        decision = dict(decision)
        decision["in_force_on"] = event_holding(store, decision["id"])
        out.append(decision)
    out.sort(key=lambda d: ((d.get("payload") or {}).get("decided_at") or d["created_at"], d["id"]))
    return out


__all__ = ["DecisionError", "decide", "event_holding", "find_event", "list_decisions"]
