"""Fusion against the store: load the claims a change bears on, fuse, write events.

The unit of recomputation is a *dyad group*: every claim of one
(type, supplier, recipient), plus the groups analysts' decisions tie to it
(a merge across blocks, a re-linked party). A new claim therefore touches
only its own group: the events it bears on are recomputed from the set of
their claims (which makes the result independent of arrival order), and
nothing else in the store is read. Events whose record did not change are
not rewritten, so re-running fusion over the same claims writes nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.engine import Connection

from armstrace.fuse.core import (
    DEFAULT_WINDOW_DAYS,
    Claim,
    FusedEvent,
    SystemFamily,
    fuse,
    newest_version,
)
from armstrace.fuse.decisions import Decision, apply_decisions, apply_links, decision_dyads
from armstrace.fuse.knowledge import default_system_family
from armstrace.fuse.ledger import build_record
from armstrace.store import rows
from armstrace.store.schema import claims, documents, event_claims, events

Dyad = tuple[str, str | None, str | None]

# Dyads per SELECT: the OR of (type, supplier, recipient) terms each uses the block index.
DYADS_PER_QUERY = 100
IDS_PER_QUERY = 500


@dataclass
class FuseReport:
    """What one fusion run did to the events table."""

    claims: int = 0
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    dormant_decisions: list[str] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)  # events holding the claims asked about

    def add(self, other: FuseReport) -> None:
        self.claims += other.claims
        self.created += other.created
        self.changed += other.changed
        self.removed += other.removed
        self.unchanged += other.unchanged
        self.dormant_decisions += other.dormant_decisions
        self.touched += other.touched


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def _claim_select() -> Any:
    return select(
        claims.c.id,
        claims.c.doc_id,
        claims.c.extractor_version,
        claims.c.data,
        documents.c.path,
        documents.c.title,
        documents.c.source,
        documents.c.url,
        documents.c.published,
        documents.c.extractor_version.label("doc_version"),
    ).join(documents, documents.c.id == claims.c.doc_id)


def _claim_of(row: Any) -> Claim:
    data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    doc = {"id": row.doc_id, "path": row.path, "title": row.title, "source": row.source, "url": row.url,
           "published": row.published}
    return Claim(id=row.id, doc=doc, event=data, extractor_version=row.extractor_version or "")


def _current(rows_: Iterable[Any]) -> list[Claim]:
    """Claims of each document's newest extraction (the document's recorded version counts too)."""
    by_doc: dict[str, list[Any]] = defaultdict(list)
    for row in rows_:
        by_doc[row.doc_id].append(row)
    kept: list[Claim] = []
    for group in by_doc.values():
        newest = newest_version([group[0].doc_version, *(r.extractor_version for r in group)])
        kept.extend(_claim_of(r) for r in group if (r.extractor_version or "") == (newest or ""))
    return kept


def load_decisions(conn: Connection) -> list[Decision]:
    from armstrace.store.schema import decisions

    found = conn.execute(select(decisions).order_by(decisions.c.created_at, decisions.c.id))
    return [Decision.from_dict(dict(row._mapping)) for row in found]


def dyad_closure(seeds: Iterable[Dyad], all_decisions: Sequence[Decision]) -> set[Dyad]:
    """The seed dyads and every dyad a decision ties to them, transitively."""
    neighbours: dict[Dyad, set[Dyad]] = defaultdict(set)
    for decision in all_decisions:
        tied = decision_dyads(decision)
        for a in tied:
            neighbours[a].update(tied)
    seen: set[Dyad] = set()
    todo = list(seeds)
    while todo:
        dyad = todo.pop()
        if dyad in seen:
            continue
        seen.add(dyad)
        todo.extend(neighbours.get(dyad, ()))
    return seen


def _load_dyads(conn: Connection, dyads: Iterable[Dyad]) -> list[Claim]:
    found = []
    ordered = sorted(dyads, key=lambda d: (d[0], d[1] or "", d[2] or ""))
    for chunk in _chunks(ordered, DYADS_PER_QUERY):
        terms = [and_(claims.c.type == t, _is(claims.c.supplier_id, s), _is(claims.c.recipient_id, r))
                 for t, s, r in chunk]
        found.extend(conn.execute(_claim_select().where(or_(*terms))).all())
    # A document's other-version claims may lie in other dyads; its recorded
    # version still tells which of the loaded ones are current.
    return _current(found)


def _dyads_of_claims(conn: Connection, claim_ids: Sequence[str]) -> tuple[set[Dyad], set[str]]:
    """The dyads of these claims and of every other claim of their documents (older versions too)."""
    doc_ids: set[str] = set()
    for chunk in _chunks(list(claim_ids), IDS_PER_QUERY):
        doc_ids.update(conn.execute(select(claims.c.doc_id).where(claims.c.id.in_(chunk))).scalars())
    dyads: set[Dyad] = set()
    for chunk in _chunks(sorted(doc_ids), IDS_PER_QUERY):
        query = select(claims.c.type, claims.c.supplier_id, claims.c.recipient_id).where(
            claims.c.doc_id.in_(chunk)
        ).distinct()
        dyads.update((r.type, r.supplier_id, r.recipient_id) for r in conn.execute(query))
    return dyads, doc_ids


def _existing_events(conn: Connection, dyads: set[Dyad], claim_ids: Sequence[str]) -> dict[str, Any]:
    """Events now stored for these dyads or linking these claims: id -> (row, linked claim ids)."""
    event_ids: set[str] = set()
    for chunk in _chunks(sorted(dyads, key=lambda d: (d[0], d[1] or "", d[2] or "")), DYADS_PER_QUERY):
        terms = [and_(events.c.type == t, _is(events.c.supplier_id, s), _is(events.c.recipient_id, r))
                 for t, s, r in chunk]
        event_ids.update(conn.execute(select(events.c.id).where(or_(*terms))).scalars())
    for chunk in _chunks(list(claim_ids), IDS_PER_QUERY):
        query = select(event_claims.c.event_id).where(event_claims.c.claim_id.in_(chunk))
        event_ids.update(conn.execute(query).scalars())
    existing: dict[str, Any] = {}
    for chunk in _chunks(sorted(event_ids), IDS_PER_QUERY):
        for row in conn.execute(select(events).where(events.c.id.in_(chunk))):
            existing[row.id] = {"row": row, "claims": set()}
        query = select(event_claims).where(event_claims.c.event_id.in_(chunk))
        for link in conn.execute(query):
            if link.event_id in existing:
                existing[link.event_id]["claims"].add(link.claim_id)
    return existing


def _stored_record(record: dict[str, Any]) -> dict[str, Any]:
    """What goes into events.data: the record without its claims (they are links)."""
    return {key: value for key, value in record.items() if key != "claims"}


def fuse_group(
    conn: Connection,
    dyads: set[Dyad],
    all_decisions: Sequence[Decision],
    *,
    asked: Sequence[str] = (),
    extra_claim_ids: Sequence[str] = (),
    window_days: int = DEFAULT_WINDOW_DAYS,
    system_family: SystemFamily | None = None,
) -> FuseReport:
    """Recompute every event of these dyads from their current claims and write the difference."""
    report = FuseReport()
    loaded = _load_dyads(conn, dyads)
    relevant = [d for d in all_decisions if set(decision_dyads(d)) & dyads]
    linked = apply_links(loaded, relevant)
    fused: list[FusedEvent] = fuse(linked, window_days, system_family)
    outcome = apply_decisions(fused, relevant)
    report.claims = len(loaded)
    report.dormant_decisions = list(outcome.dormant)

    loaded_ids = [c.id for c in loaded]
    existing = _existing_events(conn, dyads, [*loaded_ids, *extra_claim_ids])
    wanted: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for event in outcome.events:
        record = build_record(event, system_family)
        record["item_family"] = event.key.family
        wanted[event.id] = (record, event.claim_ids)

    for event_id in sorted(set(existing) - set(wanted)):
        conn.execute(delete(event_claims).where(event_claims.c.event_id == event_id))
        conn.execute(delete(events).where(events.c.id == event_id))
        report.removed.append(event_id)
    new_rows, new_links = [], []
    for event_id, (record, claim_ids) in sorted(wanted.items()):
        published = sorted(p for c in record["claims"] if (p := (c.get("doc") or {}).get("published")))
        row = rows.event_row(_stored_record(record), published[0] if published else None,
                             published[-1] if published else None)
        before = existing.get(event_id)
        if before is not None:
            old = before["row"]
            same_row = all(getattr(old, k) == v for k, v in row.items() if k != "updated_at")
            if same_row and before["claims"] == set(claim_ids):
                report.unchanged += 1
                continue
            values = {k: v for k, v in row.items() if k != "id"}
            conn.execute(update(events).where(events.c.id == event_id).values(values))
            conn.execute(delete(event_claims).where(event_claims.c.event_id == event_id))
            report.changed.append(event_id)
        else:
            new_rows.append(row)
            report.created.append(event_id)
        new_links.extend({"event_id": event_id, "claim_id": c} for c in claim_ids)
    if new_rows:
        conn.execute(events.insert(), new_rows)
    if new_links:
        conn.execute(event_claims.insert(), new_links)
    asked_set = set(asked)
    report.touched = sorted(eid for eid, (_, cids) in wanted.items() if asked_set & set(cids))
    return report


def _transaction(store: Any) -> Any:
    return store.transaction()


def fuse_claims(
    store: Any,
    claim_ids: list[str],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    system_family: SystemFamily | None = None,
    report: FuseReport | None = None,
) -> list[str]:
    """Fuse newly stored claims into events; returns the ids of the events now holding them.

    Called by the pipeline after claims are written. Only the dyad groups the
    claims bear on are recomputed (plus those of older extractions of the
    same documents, which the new claims retire, and those decisions tie to
    them). Claims of an older extraction than their document's newest are
    left out of every event.
    """
    if not claim_ids:
        return []
    family = system_family if system_family is not None else default_system_family()
    with _transaction(store) as conn:
        all_decisions = load_decisions(conn)
        seeds, doc_ids = _dyads_of_claims(conn, claim_ids)
        dyads = dyad_closure(seeds, all_decisions)
        # Claims of older extractions of these documents: their events must drop them.
        stale: list[str] = []
        for chunk in _chunks(sorted(doc_ids), IDS_PER_QUERY):
            stale.extend(conn.execute(select(claims.c.id).where(claims.c.doc_id.in_(chunk))).scalars())
        result = fuse_group(conn, dyads, all_decisions, asked=claim_ids, extra_claim_ids=stale,
                            window_days=window_days, system_family=family)
    if report is not None:
        report.add(result)
    return result.touched


def refuse_events(
    store: Any, event_ids: Iterable[str], extra_dyads: Iterable[Dyad] = (), **options: Any
) -> FuseReport:
    """Recompute the dyad groups of some events, and of `extra_dyads` (after a decision)."""
    with _transaction(store) as conn:
        all_decisions = load_decisions(conn)
        seeds: set[Dyad] = {tuple(d) for d in extra_dyads}  # type: ignore[misc]
        for chunk in _chunks(sorted(set(event_ids)), IDS_PER_QUERY):
            query = select(events.c.type, events.c.supplier_id, events.c.recipient_id, events.c.data).where(
                events.c.id.in_(chunk))
            for row in conn.execute(query):
                seeds.add((row.type, row.supplier_id, row.recipient_id))
                block = ((row.data or {}).get("fusion") or {}).get("block")
                if block:  # a corrected party moves the row; the claims stay in the block
                    seeds.add((block["type"], block.get("supplier"), block.get("recipient")))
        dyads = dyad_closure(seeds, all_decisions) if seeds else set()
        family = options.pop("system_family", None) or default_system_family()
        return fuse_group(conn, dyads, all_decisions, system_family=family, **options)


def rebuild(
    store: Any,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    system_family: SystemFamily | None = None,
    dyads_per_batch: int = 500,
) -> FuseReport:
    """Recompute every event from the claims, re-applying all decisions.

    Works through the dyads in batches (each its own transaction), so memory
    stays bounded by the largest batch, not the corpus. Events left with no
    current claim are removed.
    """
    family = system_family if system_family is not None else default_system_family()
    report = FuseReport()
    with store.engine.connect() as conn:
        all_dyads = [
            (r.type, r.supplier_id, r.recipient_id)
            for r in conn.execute(select(claims.c.type, claims.c.supplier_id, claims.c.recipient_id).distinct())
        ]
        all_decisions = load_decisions(conn)
    # Dyads tied by decisions are fused together: group them first.
    done: set[Dyad] = set()
    groups: list[set[Dyad]] = []
    batch: set[Dyad] = set()
    for dyad in sorted(all_dyads, key=lambda d: (d[0], d[1] or "", d[2] or "")):
        if dyad in done:
            continue
        component = dyad_closure([dyad], all_decisions)
        done |= component
        batch |= component
        if len(batch) >= dyads_per_batch:
            groups.append(batch)
            batch = set()
    if batch:
        groups.append(batch)
    kept: set[str] = set()
    for group in groups:
        with _transaction(store) as conn:
            part = fuse_group(conn, group, all_decisions, window_days=window_days, system_family=family)
        report.add(part)
        kept.update(part.created)
        kept.update(part.changed)
    # Whatever no dyad produced any more (claims gone, ids changed) goes.
    with _transaction(store) as conn:
        produced = set()
        for group in groups:
            produced |= group
        orphans = []
        for row in conn.execute(select(events.c.id, events.c.data)):
            block = ((row.data or {}).get("fusion") or {}).get("block")
            dyad = (block["type"], block.get("supplier"), block.get("recipient")) if block else None
            if dyad is None or dyad not in produced:
                orphans.append(row.id)
        for chunk in _chunks(orphans, IDS_PER_QUERY):
            conn.execute(delete(event_claims).where(event_claims.c.event_id.in_(chunk)))
            conn.execute(delete(events).where(events.c.id.in_(chunk)))
        report.removed += orphans
    return report


__all__ = ["FuseReport", "dyad_closure", "fuse_claims", "fuse_group", "load_decisions", "rebuild",
           "refuse_events"]
