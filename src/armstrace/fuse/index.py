"""Fusion's own index: each current claim's blocks and date interval, in small rows.

`fuse_blocks` holds one row per (claim, family): its block, first and last
day, and the designations it names in that family. With it, a new claim's
block can be re-clustered in time from these small rows alone, and only the
claims of the time clusters it changes are read in full, so fusing one more
claim costs in proportion to the events it touches, not to its dyad's
history. `fuse_dyads` records which dyads the index covers completely (a
dyad enters it the first time fusion reads all its claims).

The tables belong to fusion (own MetaData, created on first use); rebuilding
them is part of `armstrace fuse --rebuild`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Column, Index, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.engine import Connection

from armstrace.fuse.core import Claim, SystemFamily, block_keys, claim_interval, systems_in_family

fuse_metadata = MetaData()

fuse_blocks = Table(
    "fuse_blocks",
    fuse_metadata,
    Column("claim_id", String(32), primary_key=True),
    Column("family", String(32), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("supplier_id", String(200)),
    Column("recipient_id", String(200)),
    Column("lo", String(10)),  # first day the claim's interval covers, or null when undated
    Column("hi", String(10)),
    Column("systems", Text),  # space-joined system ids in this family
    Column("doc_id", String(32)),
    Index("ix_fuse_blocks_block", "type", "supplier_id", "recipient_id", "family"),
)

# The folded ledger of each event (see armstrace.fuse.ledger): what lets an
# event that gains claims be updated without reading the claims it had.
fuse_state = Table(
    "fuse_state",
    fuse_metadata,
    Column("event_id", String(32), primary_key=True),
    Column("state", JSON, nullable=False),
)

fuse_dyads = Table(
    "fuse_dyads",
    fuse_metadata,
    Column("dyad", String(500), primary_key=True),  # JSON [type, supplier, recipient]
)

def ensure_tables(conn: Connection) -> None:
    """Create fusion's tables if this database lacks them (checked once per pooled connection)."""
    if conn.info.get("armstrace_fuse_tables"):
        return
    fuse_metadata.create_all(conn, checkfirst=True)
    conn.info["armstrace_fuse_tables"] = True


def dyad_key(dyad: tuple[str, str | None, str | None]) -> str:
    return json.dumps(list(dyad))


def index_rows(claims: Iterable[Claim], system_family: SystemFamily | None = None) -> list[dict[str, Any]]:
    out = []
    for claim in claims:
        interval = claim_interval(claim)
        for key in block_keys(claim, system_family):
            out.append({
                "claim_id": claim.id,
                "family": key.family,
                "type": key.type,
                "supplier_id": key.supplier,
                "recipient_id": key.recipient,
                "lo": interval[0].isoformat() if interval else None,
                "hi": interval[1].isoformat() if interval else None,
                "systems": " ".join(systems_in_family(claim, key.family, system_family)),
                "doc_id": claim.doc_id,
            })
    return out


def _insert_ignore(conn: Connection, table: Table, values: list[dict[str, Any]]) -> None:
    if not values:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        conn.execute(insert(table), values)
        return
    conn.execute(dialect_insert(table).on_conflict_do_nothing(), values)


def add_claims(conn: Connection, claims: Sequence[Claim], system_family: SystemFamily | None = None) -> None:
    _insert_ignore(conn, fuse_blocks, index_rows(claims, system_family))


def reindex_dyads(
    conn: Connection,
    dyads: Iterable[tuple[str, str | None, str | None]],
    claims: Sequence[Claim],
    dyad_terms: Any,
    system_family: SystemFamily | None = None,
) -> None:
    """Replace the index rows of these dyads by those of `claims` (their current claims)."""
    dyads = list(dyads)
    for term in dyad_terms(fuse_blocks, dyads):
        conn.execute(delete(fuse_blocks).where(term))
    add_claims(conn, claims, system_family)
    _insert_ignore(conn, fuse_dyads, [{"dyad": dyad_key(d)} for d in dyads])


def indexed_dyads(conn: Connection, dyads: Iterable[tuple[str, str | None, str | None]]) -> set[str]:
    keys = [dyad_key(d) for d in dyads]
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(conn.execute(select(fuse_dyads.c.dyad).where(fuse_dyads.c.dyad.in_(chunk))).scalars())
    return found


def block_rows(conn: Connection, type_: str, supplier: str | None, recipient: str | None,
               family: str) -> list[Any]:
    def eq(column: Any, value: Any) -> Any:
        return column.is_(None) if value is None else column == value

    query = select(fuse_blocks.c.claim_id, fuse_blocks.c.lo, fuse_blocks.c.hi).where(
        fuse_blocks.c.type == type_, eq(fuse_blocks.c.supplier_id, supplier),
        eq(fuse_blocks.c.recipient_id, recipient), fuse_blocks.c.family == family,
    )
    return conn.execute(query).all()


def drop_claims(conn: Connection, claim_ids: Sequence[str]) -> None:
    for start in range(0, len(claim_ids), 500):
        conn.execute(delete(fuse_blocks).where(fuse_blocks.c.claim_id.in_(claim_ids[start : start + 500])))


def save_states(conn: Connection, states: dict[str, dict[str, Any]]) -> None:
    ids = sorted(states)
    drop_states(conn, ids)
    if ids:
        conn.execute(insert(fuse_state), [{"event_id": i, "state": states[i]} for i in ids])


def load_states(conn: Connection, event_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = sorted(set(event_ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        query = select(fuse_state).where(fuse_state.c.event_id.in_(ids[start : start + 500]))
        for row in conn.execute(query):
            found[row.event_id] = row.state if isinstance(row.state, dict) else json.loads(row.state)
    return found


def drop_states(conn: Connection, event_ids: Sequence[str]) -> None:
    for start in range(0, len(event_ids), 500):
        conn.execute(delete(fuse_state).where(fuse_state.c.event_id.in_(event_ids[start : start + 500])))


def clear(conn: Connection) -> None:
    conn.execute(delete(fuse_blocks))
    conn.execute(delete(fuse_dyads))


__all__ = ["add_claims", "block_rows", "clear", "drop_claims", "drop_states", "ensure_tables", "fuse_blocks",
           "fuse_dyads", "fuse_state", "indexed_dyads", "load_states", "reindex_dyads", "save_states"]
