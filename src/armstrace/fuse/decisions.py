"""Analysts' decisions, re-applied after every fusion run.

A decision is stored apart from the claims (who decided what, when) and is
replayed, in the order it was made, over whatever the fusion computes from the
claims of the day. That is what makes decisions survive re-ingest and
re-extraction: they do not edit events, they are instructions about them.

Event ids can change when the evidence changes what an event is (an earlier
report arrives, a new designation is named), and claim ids change when a
newer extractor re-reads a document. So each decision also records an
*anchor*: the event's block and the claims and documents behind it when the
decision was made. A decision finds its event by id when that event still
shares a document with the anchor, else by the largest overlap of claims,
then documents; a decision that finds nothing stays on record, dormant.

Actions: `accept`, `reject`, `merge` (absorb another event), `split` (move
some claims to an event of their own), `correct` (overwrite a field of the
fused record) and `link` (re-resolve an entity mention in the event's
claims; applied to the claims before blocking, because a party's id decides
the block).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from armstrace.fuse.core import Claim, FusedEvent, _first_year
from armstrace.fuse.ledger import CORRECTABLE
from armstrace.model import content_hash

ACTIONS = ("accept", "reject", "merge", "split", "correct", "link")

Dyad = tuple[str, str | None, str | None]


@dataclass
class Decision:
    """One analyst's decision about one event."""

    id: str
    event_id: str
    action: str
    payload: dict[str, Any]
    author: str | None = None
    created_at: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        return cls(
            id=data["id"],
            event_id=data["event_id"],
            action=data["action"],
            payload=dict(data.get("payload") or {}),
            author=data.get("author"),
            created_at=str(data.get("created_at") or ""),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "event_id": self.event_id, "action": self.action, "payload": self.payload,
                "author": self.author, "created_at": self.created_at}


@dataclass
class Outcome:
    """What replaying the decisions did: events after them, and decisions that found no event."""

    events: list[FusedEvent]
    applied: dict[str, str] = field(default_factory=dict)  # decision id -> event id
    dormant: list[str] = field(default_factory=list)


def anchor_of(event_record: dict[str, Any]) -> dict[str, Any]:
    """What a decision remembers of its event, from the event's fused record."""
    claims = event_record.get("claims") or []
    fusion = event_record.get("fusion") or {}
    return {
        "block": fusion.get("block"),
        "claims": sorted({c["id"] for c in claims}),
        "docs": sorted({(c.get("doc") or {}).get("id") for c in claims} - {None}),
    }


def new_decision(
    event_record: dict[str, Any],
    action: str,
    *,
    author: str | None = None,
    created_at: str,
    note: str | None = None,
    other_record: dict[str, Any] | None = None,
    claim_ids: Sequence[str] = (),
    field_name: str | None = None,
    value: str | None = None,
    mention: str | None = None,
    entity_id: str | None = None,
) -> Decision:
    """Build a decision about a fused event record, checking its arguments."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    payload: dict[str, Any] = {"anchor": anchor_of(event_record)}
    if note:
        payload["note"] = note
    dyads = [_dyad_of_block(payload["anchor"]["block"])]
    if action == "merge":
        if not other_record:
            raise ValueError("merge needs the other event")
        if other_record.get("id") == event_record.get("id"):
            raise ValueError("cannot merge an event with itself")
        payload["other"] = {"event_id": other_record["id"], "anchor": anchor_of(other_record)}
        dyads.append(_dyad_of_block(payload["other"]["anchor"]["block"]))
    elif action == "split":
        known = {c["id"]: c for c in event_record.get("claims") or []}
        missing = [c for c in claim_ids if c not in known]
        if not claim_ids or missing:
            raise ValueError(f"split needs claim ids of this event; not in it: {', '.join(missing) or '(none given)'}")
        if len(set(claim_ids)) >= len(known):
            raise ValueError("split must leave at least one claim in the event")
        payload["claims"] = sorted(set(claim_ids))
        payload["docs"] = sorted({(known[c].get("doc") or {}).get("id") for c in claim_ids} - {None})
    elif action == "correct":
        if field_name not in CORRECTABLE:
            raise ValueError(f"cannot correct {field_name!r}; correctable fields: {', '.join(CORRECTABLE)}")
        payload["field"], payload["value"] = field_name, value
    elif action == "link":
        if not mention or not entity_id:
            raise ValueError("link needs MENTION=ID")
        payload["mention"], payload["id"] = mention, entity_id
        block = payload["anchor"]["block"] or {}
        relinked = {}
        for role in ("supplier", "recipient"):
            ref = event_record.get(role) or {}
            relinked[role] = entity_id if _matches(ref, mention) else block.get(role)
        if block:
            dyads.append((block["type"], relinked["supplier"], relinked["recipient"]))
    payload["dyads"] = [list(d) for d in dict.fromkeys(d for d in dyads if d)]
    decision_id = content_hash("decision", event_record["id"], action, _canonical(payload), author or "", created_at)
    return Decision(decision_id, event_record["id"], action, payload, author, created_at)


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def _dyad_of_block(block: dict[str, Any] | None) -> Dyad | None:
    if not block:
        return None
    return (block["type"], block.get("supplier"), block.get("recipient"))


def replay_order(decision: Decision) -> tuple[str, str]:
    """Oldest first; `decided_at` (microseconds) orders decisions made within one second."""
    return (str(decision.payload.get("decided_at") or decision.created_at), decision.id)


def decision_dyads(decision: Decision) -> list[Dyad]:
    """The (type, supplier, recipient) groups a decision ties together.

    Fusion recomputes all of them whenever one is touched, so a merge across
    blocks or a re-linked party is re-applied wherever new claims arrive.
    """
    return [tuple(d) for d in decision.payload.get("dyads") or []]  # type: ignore[misc]


# --- entity links (before blocking) ---------------------------------------


def _matches(ref: dict[str, Any] | None, mention: str) -> bool:
    if not ref:
        return False
    wanted = mention.strip().casefold()
    return (ref.get("id") or "").casefold() == wanted or (ref.get("name") or "").strip().casefold() == wanted


def _relink(ref: dict[str, Any] | None, mention: str, entity_id: str) -> bool:
    if ref is not None and _matches(ref, mention):
        ref["id"] = entity_id
        return True
    return False


def apply_links(claims: Iterable[Claim], decisions: Iterable[Decision]) -> list[Claim]:
    """Re-resolve mentions in the claims of the documents each link decision names."""
    links = sorted((d for d in decisions if d.action == "link"), key=replay_order)
    out = []
    for claim in claims:
        event = None
        for link in links:
            anchor = link.payload.get("anchor") or {}
            if claim.doc_id not in (anchor.get("docs") or []) and claim.id not in (anchor.get("claims") or []):
                continue
            candidate = event or copy.deepcopy(claim.event)
            mention, entity_id = link.payload["mention"], link.payload["id"]
            changed = False
            for role in ("supplier", "recipient", "place", "target"):
                changed |= _relink(candidate.get(role), mention, entity_id)
            for item in candidate.get("items") or []:
                changed |= _relink(item.get("system"), mention, entity_id)
            for stance in candidate.get("stance") or []:
                changed |= _relink(stance.get("actor"), mention, entity_id)
                changed |= _relink(stance.get("speaker"), mention, entity_id)
            if changed:
                event = candidate
        out.append(replace(claim, event=event) if event is not None else claim)
    return out


# --- replaying decisions over fused events ----------------------------------


def resolve(events: Sequence[FusedEvent], wanted_id: str, anchor: dict[str, Any] | None) -> FusedEvent | None:
    """The event a decision meant: by id while it still holds the anchor's evidence, else by overlap."""
    anchor = anchor or {}
    anchor_claims = set(anchor.get("claims") or [])
    anchor_docs = set(anchor.get("docs") or [])
    block = anchor.get("block")

    def overlap(event: FusedEvent) -> tuple[int, int, int]:
        return (len(anchor_claims & set(event.claim_ids)), len(anchor_docs & set(event.doc_ids)),
                int(bool(block) and event.key.to_dict() == block))

    for event in events:
        if event.id == wanted_id and (not anchor_docs or overlap(event)[1] > 0):
            return event
    scored = [(overlap(e), e) for e in events]
    scored = [(s, e) for s, e in scored if s[0] or s[1]]
    if not scored:
        return None
    # Largest overlap wins; among equals the smallest id, so replay is deterministic.
    best = min(scored, key=lambda se: (tuple(-x for x in se[0]), se[1].id))
    return best[1]


def _refresh(event: FusedEvent) -> None:
    event.first_year = _first_year(event.claims)


def apply_decisions(events: list[FusedEvent], decisions: Iterable[Decision]) -> Outcome:
    """Replay decisions, oldest first, over freshly fused events."""
    events = list(events)
    outcome = Outcome(events)
    for decision in sorted(decisions, key=replay_order):
        anchor = decision.payload.get("anchor")
        target = resolve(events, decision.event_id, anchor)
        if target is None:
            outcome.dormant.append(decision.id)
            continue
        stamp = {"decision": decision.id, "author": decision.author, "at": decision.created_at,
                 "note": decision.payload.get("note")}
        action = decision.action
        if action in ("accept", "reject"):
            target.review = {"status": "accepted" if action == "accept" else "rejected", **stamp}
        elif action == "merge":
            other_info = decision.payload.get("other") or {}
            others = [e for e in events if e is not target]
            other = resolve(others, other_info.get("event_id", ""), other_info.get("anchor"))
            if other is None:
                outcome.dormant.append(decision.id)
                continue
            known = {c.id for c in target.claims}
            target.claims = sorted(target.claims + [c for c in other.claims if c.id not in known],
                                   key=lambda c: c.id)
            target.decisions.extend(d for d in other.decisions if d not in target.decisions)
            target.corrections.extend(other.corrections)
            events.remove(other)
            _refresh(target)
        elif action == "split":
            wanted_claims = set(decision.payload.get("claims") or [])
            wanted_docs = set(decision.payload.get("docs") or [])
            moving = [c for c in target.claims if c.id in wanted_claims]
            if not moving:  # re-extracted since: the same documents' claims move instead
                moving = [c for c in target.claims if c.doc_id in wanted_docs]
            staying = [c for c in target.claims if c not in moving]
            if not moving or not staying:
                outcome.dormant.append(decision.id)
                continue
            target.claims = staying
            _refresh(target)
            split_off = FusedEvent(
                id=content_hash("split", decision.id), key=target.key, claims=moving,
                lead_system=target.lead_system, first_year=_first_year(moving), decisions=[decision.id],
            )
            events.append(split_off)
        elif action == "correct":
            target.corrections.append({"field": decision.payload["field"], "value": decision.payload["value"],
                                       **stamp})
        # "link" was applied to the claims before fusion; it is recorded on its event.
        if decision.id not in target.decisions:
            target.decisions.append(decision.id)
        outcome.applied[decision.id] = target.id
    outcome.events = events
    return outcome


__all__ = [
    "ACTIONS",
    "Decision",
    "Outcome",
    "anchor_of",
    "apply_decisions",
    "apply_links",
    "decision_dyads",
    "new_decision",
    "resolve",
]
