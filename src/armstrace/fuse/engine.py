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

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.engine import Connection

from armstrace.fuse.core import (
    DEFAULT_WINDOW_DAYS,
    UNDATED,
    BlockKey,
    Claim,
    FusedEvent,
    SystemFamily,
    block_keys,
    chain_intervals,
    current_version,
    event_id,
    fuse,
    group_designations,
)
from armstrace.fuse.decisions import Decision, apply_decisions, apply_links, decision_dyads
from armstrace.fuse.index import (
    add_claims,
    drop_states,
    dyad_key,
    ensure_tables,
    fuse_blocks,
    indexed_dyads,
    load_states,
    reindex_dyads,
    save_states,
)
from armstrace.fuse.index import (
    clear as clear_index,
)
from armstrace.fuse.knowledge import default_system_family
from armstrace.fuse.ledger import add_claim, finish, fold
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
    produced: set[str] = field(default_factory=set)  # every event the run computed

    def add(self, other: FuseReport) -> None:
        self.claims += other.claims
        self.created += other.created
        self.changed += other.changed
        self.removed += other.removed
        self.unchanged += other.unchanged
        self.dormant_decisions += other.dormant_decisions
        self.touched += other.touched
        self.produced |= other.produced


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
    """Claims of each document's current extraction (the version its document row records)."""
    by_doc: dict[str, list[Any]] = defaultdict(list)
    for row in rows_:
        by_doc[row.doc_id].append(row)
    kept: list[Claim] = []
    for group in by_doc.values():
        current = current_version(group[0].doc_version, [r.extractor_version for r in group])
        kept.extend(_claim_of(r) for r in group if (r.extractor_version or "") == (current or ""))
    return kept


def load_decisions(conn: Connection) -> list[Decision]:
    from armstrace.store.schema import decisions

    found = conn.execute(select(decisions).order_by(decisions.c.created_at, decisions.c.id))
    return [Decision.from_dict(dict(row._mapping)) for row in found]


def decision_graph(all_decisions: Sequence[Decision]) -> dict[Dyad, set[Dyad]]:
    neighbours: dict[Dyad, set[Dyad]] = defaultdict(set)
    for decision in all_decisions:
        tied = decision_dyads(decision)
        for a in tied:
            neighbours[a].update(tied)
    return neighbours


def dyad_closure(
    seeds: Iterable[Dyad], all_decisions: Sequence[Decision], graph: dict[Dyad, set[Dyad]] | None = None
) -> set[Dyad]:
    """The seed dyads and every dyad a decision ties to them, transitively."""
    neighbours = graph if graph is not None else decision_graph(all_decisions)
    seen: set[Dyad] = set()
    todo = list(seeds)
    while todo:
        dyad = todo.pop()
        if dyad in seen:
            continue
        seen.add(dyad)
        todo.extend(neighbours.get(dyad, ()))
    return seen


def _dyad_conditions(table: Any, dyads: Iterable[Dyad]) -> list[Any]:
    """WHERE terms selecting these dyads, one per (type, supplier) with its recipients in one IN list.

    Few bound parameters per dyad keep statement building cheap; each term
    still searches the (type, supplier, recipient) index.
    """
    recipients: dict[tuple[str, str | None], set[str | None]] = defaultdict(set)
    for type_, supplier, recipient in dyads:
        recipients[(type_, supplier)].add(recipient)
    terms = []
    for (type_, supplier), wanted in sorted(recipients.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        named = sorted(r for r in wanted if r is not None)
        options = []
        if named:
            options.append(table.c.recipient_id.in_(named))
        if None in wanted:
            options.append(table.c.recipient_id.is_(None))
        terms.append(and_(table.c.type == type_, _is(table.c.supplier_id, supplier), or_(*options)))
    return terms


def _load_dyads(conn: Connection, dyads: Iterable[Dyad]) -> list[Claim]:
    found = []
    for chunk in _chunks(_dyad_conditions(claims, dyads), DYADS_PER_QUERY):
        found.extend(conn.execute(_claim_select().where(or_(*chunk))).all())
    # A document's other-version claims may lie in other dyads; its recorded
    # version still tells which of the loaded ones are current.
    return _current(found)


def _existing_links(conn: Connection, dyads: set[Dyad], claim_ids: Sequence[str]) -> dict[str, set[str]]:
    """Events now stored for these dyads or linking these claims: id -> linked claim ids.

    Only ids and links are read here; the (larger) records are read later,
    and only for events whose claims changed.
    """
    event_ids: set[str] = set()
    for chunk in _chunks(_dyad_conditions(events, dyads), DYADS_PER_QUERY):
        event_ids.update(conn.execute(select(events.c.id).where(or_(*chunk))).scalars())
    for chunk in _chunks(list(claim_ids), IDS_PER_QUERY):
        query = select(event_claims.c.event_id).where(event_claims.c.claim_id.in_(chunk))
        event_ids.update(conn.execute(query).scalars())
    existing: dict[str, set[str]] = {event_id: set() for event_id in event_ids}
    for chunk in _chunks(sorted(event_ids), IDS_PER_QUERY):
        query = select(event_claims).where(event_claims.c.event_id.in_(chunk))
        for link in conn.execute(query):
            existing[link.event_id].add(link.claim_id)
    return existing


def _rows_by_id(conn: Connection, event_ids: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(event_ids), IDS_PER_QUERY):
        for row in conn.execute(select(events).where(events.c.id.in_(chunk))):
            found[row.id] = row
    return found


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
    force: bool = False,
) -> FuseReport:
    """Recompute every event of these dyads from their current claims and write the difference."""
    report = FuseReport()
    ensure_tables(conn)
    loaded = _load_dyads(conn, dyads)
    relevant = [d for d in all_decisions if set(decision_dyads(d)) & dyads]
    linked = apply_links(loaded, relevant)
    fused: list[FusedEvent] = fuse(linked, window_days, system_family)
    outcome = apply_decisions(fused, relevant)
    report.claims = len(loaded)
    report.dormant_decisions = list(outcome.dormant)

    reindex_dyads(conn, dyads, loaded, _dyad_conditions, system_family)
    loaded_ids = [c.id for c in loaded]
    existing = _existing_links(conn, dyads, [*loaded_ids, *extra_claim_ids])
    decided = set(outcome.applied.values()) | {e.id for e in outcome.events if e.decisions}
    _write_events(conn, outcome.events, existing, decided, force, system_family, report)
    asked_set = set(asked)
    report.touched = sorted(e.id for e in outcome.events if asked_set & set(e.claim_ids))
    report.produced = {e.id for e in outcome.events}
    return report


@dataclass
class _Planned:
    """An event to store: its identity and decisions, its folded ledger, the claims it holds."""

    event: FusedEvent
    state: dict[str, Any]
    claim_ids: set[str]


def _write_events(
    conn: Connection,
    computed: Sequence[FusedEvent],
    existing: dict[str, set[str]],
    decided: set[str],
    force: bool,
    system_family: SystemFamily | None,
    report: FuseReport,
) -> None:
    """Make the stored events `existing` (id -> linked claims) become `computed`; count what changed.

    An event's record is a pure function of its claims (immutable,
    content-hashed) and the decisions about it: with the same claims and no
    decision in play it cannot have changed, and is not rebuilt.
    """
    to_build = [
        e for e in computed
        if force or e.id not in existing or existing[e.id] != set(e.claim_ids) or e.id in decided
    ]
    report.unchanged += len(computed) - len(to_build)
    keep = {e.id for e in computed} - {e.id for e in to_build}
    planned = [_Planned(e, fold(e, system_family), set(e.claim_ids)) for e in to_build]
    _store_planned(conn, planned, {k: v for k, v in existing.items() if k not in keep}, report)


def _store_planned(
    conn: Connection, planned: Sequence[_Planned], existing: dict[str, set[str]], report: FuseReport
) -> None:
    """Write planned events over `existing` ones (id -> linked claims): insert, update, remove, relink."""
    wanted = {p.event.id for p in planned}
    gone = sorted(set(existing) - wanted)
    for chunk in _chunks(gone, IDS_PER_QUERY):
        conn.execute(delete(event_claims).where(event_claims.c.event_id.in_(chunk)))
        conn.execute(delete(events).where(events.c.id.in_(chunk)))
    drop_states(conn, gone)
    report.removed += gone
    # An old row is read only to tell an unchanged event from a changed one; an
    # event whose claims changed is changed, and its (possibly large) row is not read.
    same_claims = [p.event.id for p in planned if existing.get(p.event.id) == p.claim_ids]
    before_rows = _rows_by_id(conn, same_claims)
    new_rows, new_links, updates, unlink = [], [], [], []
    states: dict[str, dict[str, Any]] = {}
    for plan in sorted(planned, key=lambda p: p.event.id):
        event = plan.event
        record = finish(event, plan.state)
        record["item_family"] = event.key.family
        row = rows.event_row(record, record.get("first_reported"), record.get("last_reported"))
        if event.id in existing:
            linked = existing[event.id]
            old = before_rows.get(event.id)
            if old is not None and all(getattr(old, k) == v for k, v in row.items() if k != "updated_at"):
                report.unchanged += 1
                continue
            updates.append({("_" + k if k == "id" else k): v for k, v in row.items()})
            report.changed.append(event.id)
            new_links.extend({"event_id": event.id, "claim_id": c} for c in sorted(plan.claim_ids - linked))
            unlink.extend((event.id, c) for c in sorted(linked - plan.claim_ids))
        else:
            new_rows.append(row)
            report.created.append(event.id)
            new_links.extend({"event_id": event.id, "claim_id": c} for c in sorted(plan.claim_ids))
        states[event.id] = plan.state
    if updates:
        # One statement, many parameter sets: cheaper than compiling an UPDATE per event.
        columns = [k for k in updates[0] if k != "_id"]
        statement = update(events).where(events.c.id == bindparam("_id")).values(
            {k: bindparam(k) for k in columns})
        conn.execute(statement, updates)
    if unlink:
        statement = delete(event_claims).where(event_claims.c.event_id == bindparam("_event"),
                                               event_claims.c.claim_id == bindparam("_claim"))
        conn.execute(statement, [{"_event": e, "_claim": c} for e, c in unlink])
    if new_rows:
        conn.execute(events.insert(), new_rows)
    if new_links:
        conn.execute(event_claims.insert(), new_links)
    save_states(conn, states)


def _block_conditions(table: Any, keys: Iterable[BlockKey]) -> list[Any]:
    """WHERE terms selecting these blocks, grouped by (type, supplier, family)."""
    recipients: dict[tuple[str, str | None, str], set[str | None]] = defaultdict(set)
    for key in keys:
        recipients[(key.type, key.supplier, key.family)].add(key.recipient)
    terms = []
    for (type_, supplier, family), wanted in sorted(recipients.items(),
                                                   key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        named = sorted(r for r in wanted if r is not None)
        options = []
        if named:
            options.append(table.c.recipient_id.in_(named))
        if None in wanted:
            options.append(table.c.recipient_id.is_(None))
        family_column = table.c.family if "family" in table.c else table.c.item_family
        terms.append(and_(table.c.type == type_, _is(table.c.supplier_id, supplier), family_column == family,
                          or_(*options)))
    return terms


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def fuse_blocks_incrementally(
    conn: Connection,
    fresh: Sequence[Claim],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    system_family: SystemFamily | None = None,
) -> FuseReport:
    """Fuse new claims into blocks whose dyads the index covers and no decision concerns.

    Each touched block is re-chained in time, and the chains the new claims
    join (or change, by taking over undated claims) are re-grouped by
    designation, from fusion's small index rows alone. An event that only
    gains new claims is updated from its stored ledger state and those
    claims; any other changed event is rebuilt from all its claims. Either
    way the result is what a full recomputation gives.
    """
    report = FuseReport()
    add_claims(conn, fresh, system_family)
    fresh_ids = {c.id for c in fresh}
    fresh_by_block: dict[BlockKey, set[str]] = defaultdict(set)
    for claim in fresh:
        for key in block_keys(claim, system_family):
            fresh_by_block[key].add(claim.id)
    if not fresh_by_block:
        return report
    light: dict[BlockKey, list[Any]] = defaultdict(list)
    for chunk in _chunks(_block_conditions(fuse_blocks, fresh_by_block), DYADS_PER_QUERY):
        query = select(fuse_blocks).where(or_(*chunk))
        for row in conn.execute(query):
            key = BlockKey(row.type, row.supplier_id, row.recipient_id, row.family)
            if key in fresh_by_block:
                light[key].append(row)
    # Which groups of claims the new claims change, per block.
    groups: list[tuple[BlockKey, str | None, str, list[str]]] = []
    affected: dict[BlockKey, set[str]] = {}
    for key, new_here in fresh_by_block.items():
        rows_here = {r.claim_id: r for r in light[key]}
        entries = [(i, _date(r.lo), _date(r.hi)) for i, r in rows_here.items()]
        after = chain_intervals(entries, window_days)
        chosen_chains = [chain for chain in after if new_here.intersection(chain)]
        if any(lo is None for _, lo, _ in entries) and after:
            # Undated claims sit with the latest chain; if the new claims made
            # a later chain, the former latest loses them and changes too.
            before = chain_intervals([e for e in entries if e[0] not in new_here], window_days)
            former = set(before[-1]) if before else set()
            chosen_chains += [chain for chain in after if former.intersection(chain)]
        seen: set[str] = set()
        for chain in chosen_chains:
            if chain[0] in seen:
                continue
            seen.update(chain)
            year = _light_first_year(rows_here[i] for i in chain)
            designations = [(i, rows_here[i].doc_id or "", (rows_here[i].systems or "").split()) for i in chain]
            for lead, members in group_designations(designations):
                groups.append((key, lead, year, members))
        affected[key] = seen
    # The stored events of these blocks holding any affected claim, with all their links.
    wanted_ids = sorted(set().union(*affected.values()))
    linked: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(wanted_ids, IDS_PER_QUERY):
        for link in conn.execute(select(event_claims).where(event_claims.c.claim_id.in_(chunk))):
            linked[link.event_id].add(link.claim_id)
    existing: dict[str, set[str]] = {}
    for chunk in _chunks(sorted(linked), IDS_PER_QUERY):
        query = select(events.c.id, events.c.type, events.c.supplier_id, events.c.recipient_id,
                       events.c.item_family).where(events.c.id.in_(chunk))
        for row in conn.execute(query):
            key = BlockKey(row.type, row.supplier_id, row.recipient_id, row.item_family or "")
            # Only this block's events of the affected claims: a claim naming two
            # families is also in another block's event, which may be untouched.
            if linked[row.id] & affected.get(key, set()):
                existing[row.id] = set(linked[row.id])
    for chunk in _chunks(sorted(existing), IDS_PER_QUERY):  # links outside the affected claims too
        for link in conn.execute(select(event_claims).where(event_claims.c.event_id.in_(chunk))):
            existing[link.event_id].add(link.claim_id)
    states = load_states(conn, [event_id(k, lead, year) for k, lead, year, _ in groups])
    by_id = {c.id: c for c in fresh}
    growing: list[tuple[FusedEvent, set[str]]] = []
    rebuilding: list[tuple[FusedEvent, set[str]]] = []
    for key, lead, year, members in groups:
        eid = event_id(key, lead, year)
        event = FusedEvent(eid, key, [], lead, year)
        members_set = set(members)
        before = existing.get(eid)
        if before == members_set:
            report.unchanged += 1
            continue
        if before is not None and eid in states and before == members_set - fresh_ids:
            growing.append((event, members_set))
        else:
            rebuilding.append((event, members_set))
    need = sorted({i for _, members in rebuilding for i in members} - set(by_id))
    for chunk in _chunks(need, IDS_PER_QUERY):
        for claim in _current(conn.execute(_claim_select().where(claims.c.id.in_(chunk))).all()):
            by_id[claim.id] = claim
    planned: list[_Planned] = []
    for event, members in growing:
        state = states[event.id]
        for claim_id in sorted(members - existing[event.id]):
            add_claim(state, by_id[claim_id], event.key.family, system_family)
        planned.append(_Planned(event, state, members))
    for event, members in rebuilding:
        event.claims = [by_id[i] for i in sorted(members) if i in by_id]
        planned.append(_Planned(event, fold(event, system_family), {c.id for c in event.claims}))
    report.claims += len(wanted_ids)
    # Stored events of these groups that are unchanged are kept as they are.
    kept = {event_id(k, lead, year) for k, lead, year, _ in groups} - {p.event.id for p in planned}
    _store_planned(conn, planned, {k: v for k, v in existing.items() if k not in kept}, report)
    report.touched = sorted({event_id(k, lead, year) for k, lead, year, members in groups
                             if fresh_ids.intersection(members)})
    report.produced = {event_id(k, lead, year) for k, lead, year, _ in groups}
    return report


def _light_first_year(index_rows: Iterable[Any]) -> str:
    years = [row.lo[:4] for row in index_rows if row.lo]
    return min(years) if years else UNDATED


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
    result = FuseReport()
    with _transaction(store) as conn:
        ensure_tables(conn)
        all_decisions = load_decisions(conn)
        graph = decision_graph(all_decisions)
        fresh, stale_dyads, stale_ids = _fresh_and_stale(conn, claim_ids)
        fresh_dyads = {d for d, _ in fresh}
        known = indexed_dyads(conn, fresh_dyads)
        # The full recomputation of a dyad group: where the index does not
        # cover it yet, where decisions tie it to others, or where a newer
        # extraction retires claims events still hold.
        full = {d for d in fresh_dyads if dyad_key(d) not in known or d in graph} | stale_dyads
        if full:
            full = dyad_closure(full, all_decisions, graph)
            result.add(fuse_group(conn, full, all_decisions, asked=claim_ids, extra_claim_ids=stale_ids,
                                  window_days=window_days, system_family=family))
        quick = sorted({cid for d, cid in fresh if d not in full})
        if quick:
            loaded: list[Claim] = []
            for chunk in _chunks(quick, IDS_PER_QUERY):
                loaded.extend(_current(conn.execute(_claim_select().where(claims.c.id.in_(chunk))).all()))
            result.add(fuse_blocks_incrementally(conn, loaded, window_days=window_days, system_family=family))
    if report is not None:
        report.add(result)
    return sorted(set(result.touched))


def _fresh_and_stale(
    conn: Connection, claim_ids: Sequence[str]
) -> tuple[list[tuple[Dyad, str]], set[Dyad], list[str]]:
    """The asked claims that are current, with their dyads; and the dyads of their documents'
    older-version claims that an event or the index still holds."""
    doc_ids: set[str] = set()
    for chunk in _chunks(list(claim_ids), IDS_PER_QUERY):
        doc_ids.update(conn.execute(select(claims.c.doc_id).where(claims.c.id.in_(chunk))).scalars())
    by_doc: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(sorted(doc_ids), IDS_PER_QUERY):
        query = select(claims.c.id, claims.c.doc_id, claims.c.extractor_version, claims.c.type,
                       claims.c.supplier_id, claims.c.recipient_id,
                       documents.c.extractor_version.label("doc_version")).join(
            documents, documents.c.id == claims.c.doc_id).where(claims.c.doc_id.in_(chunk))
        for row in conn.execute(query):
            by_doc[row.doc_id].append(row)
    asked = set(claim_ids)
    fresh: list[tuple[Dyad, str]] = []
    stale: dict[str, Dyad] = {}
    for group in by_doc.values():
        current = current_version(group[0].doc_version, [r.extractor_version for r in group]) or ""
        for row in group:
            dyad = (row.type, row.supplier_id, row.recipient_id)
            if (row.extractor_version or "") != current:
                stale[row.id] = dyad
            elif row.id in asked:
                fresh.append((dyad, row.id))
    in_use: set[str] = set()
    stale_ids = sorted(stale)
    for chunk in _chunks(stale_ids, IDS_PER_QUERY):
        in_use.update(conn.execute(select(event_claims.c.claim_id).where(event_claims.c.claim_id.in_(chunk)))
                      .scalars())
        in_use.update(conn.execute(select(fuse_blocks.c.claim_id).where(fuse_blocks.c.claim_id.in_(chunk)))
                      .scalars())
    return fresh, {stale[i] for i in in_use}, sorted(in_use)


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
    with _transaction(store) as conn:
        ensure_tables(conn)
        clear_index(conn)
    # Dyads tied by decisions are fused together: group them first.
    graph = decision_graph(all_decisions)
    done: set[Dyad] = set()
    groups: list[set[Dyad]] = []
    batch: set[Dyad] = set()
    for dyad in sorted(all_dyads, key=lambda d: (d[0], d[1] or "", d[2] or "")):
        if dyad in done:
            continue
        component = dyad_closure([dyad], all_decisions, graph)
        done |= component
        batch |= component
        if len(batch) >= dyads_per_batch:
            groups.append(batch)
            batch = set()
    if batch:
        groups.append(batch)
    for group in groups:
        with _transaction(store) as conn:
            part = fuse_group(conn, group, all_decisions, window_days=window_days, system_family=family,
                              force=True)
        report.add(part)
    # Whatever no dyad produced any more (its claims gone, its id changed) goes.
    with _transaction(store) as conn:
        orphans = [i for i in conn.execute(select(events.c.id)).scalars() if i not in report.produced]
        for chunk in _chunks(orphans, IDS_PER_QUERY):
            conn.execute(delete(event_claims).where(event_claims.c.event_id.in_(chunk)))
            conn.execute(delete(events).where(events.c.id.in_(chunk)))
        report.removed += orphans
    return report


__all__ = ["FuseReport", "dyad_closure", "fuse_claims", "fuse_group", "load_decisions", "rebuild",
           "refuse_events"]
