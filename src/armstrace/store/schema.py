"""Table definitions (SQLAlchemy Core) and the numbered migrations that build them.

The schema is shared: fusion fills `events`, `event_claims` and `decisions`;
the web layer reads everything. Column names here are the contract.

Why these shapes:
- `documents.id` and `claims.id` are content hashes, so re-ingesting the same
  article writes the same rows (idempotence by construction).
- Claims are never edited: re-extraction with a new extractor version adds
  new claims beside the old ones; `documents.extractor_version` names the
  version whose claims are current.
- Filter columns are flattened out of the JSON `data` so that they can be
  indexed; `data` keeps the full record, which is what readers return.
- `documents.num` is a small integer handle for the FTS5 index: FTS5 needs an
  integer key, and SQLite's implicit rowid may change on VACUUM.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(32), primary_key=True),
    # SQLite gets max+1 under the write lock; PostgreSQL an identity column.
    Column("num", Integer, Identity(), nullable=False, unique=True),
    Column("path", Text),
    Column("title", Text),
    Column("published", String(10), index=True),
    Column("source", Text, index=True),
    Column("url", Text),
    Column("text", Text, nullable=False),
    Column("warnings", JSON),
    Column("ingested_at", String(32), nullable=False),
    Column("extractor_version", String(64)),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(16), nullable=False, index=True),  # state | organisation | person | system
    Column("name", Text),
    Column("state", String(8)),  # the state an actor belongs to, when known
    Column("category", String(32)),  # a weapon system's item category
    Column("data", JSON),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("extractor_version", String(64)),
    Column("type", String(32), nullable=False, index=True),
    Column("supplier_id", String(200), index=True),
    Column("supplier_name", Text),
    Column("recipient_id", String(200), index=True),
    Column("recipient_name", Text),
    Column("status", String(16), index=True),
    Column("item_categories", Text),  # space-joined coarse categories, e.g. "uav ballistic_missile"
    Column("system_ids", Text),  # space-joined system ids, e.g. "sys:shahed-136"
    Column("time_start", String(10)),
    Column("time_end", String(10)),
    Column("published", String(10), index=True),
    Column("data", JSON, nullable=False),  # the SPEC section 4 event dict, with evidence and stance
    Column("created_at", String(32), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("type", String(32), nullable=False, index=True),
    Column("supplier_id", String(200), index=True),
    Column("supplier_name", Text),
    Column("recipient_id", String(200), index=True),
    Column("recipient_name", Text),
    Column("item_family", String(32), index=True),
    Column("item_categories", Text),
    Column("system_ids", Text),
    Column("status", String(16), index=True),
    Column("time_start", String(10)),
    Column("time_end", String(10)),
    Column("first_reported", String(10)),
    Column("last_reported", String(10)),
    # The event's span as whole days (partial dates widened; the reporting
    # dates stand in when the text gives no time), for --since/--until.
    Column("span_start", String(10), index=True),
    Column("span_end", String(10), index=True),
    Column("sources", Integer, nullable=False, default=0),
    Column("data", JSON, nullable=False),  # the fused SPEC section 6 record, without "claims"
    Column("updated_at", String(32), nullable=False),
)

event_claims = Table(
    "event_claims",
    metadata,
    Column("event_id", String(32), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_event_claims_claim", "claim_id"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(32), primary_key=True),
    # No foreign key on purpose: an analyst's decision outlives the event it
    # was made on, so that it can be re-applied after re-fusion.
    Column("event_id", String(32), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("payload", JSON),
    Column("author", Text),
    Column("created_at", String(32), nullable=False),
)

Index("ix_events_block", events.c.type, events.c.supplier_id, events.c.recipient_id, events.c.item_family)
Index("ix_claims_block", claims.c.type, claims.c.supplier_id, claims.c.recipient_id)


# --- migrations -------------------------------------------------------------
# Each migration takes a connection inside the opening transaction. Append
# new ones at the end; never edit one that has shipped.


def _m1_initial(conn: Connection) -> None:
    metadata.create_all(conn)
    if conn.dialect.name == "sqlite" and fts5_available(conn):
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
                "title, text, content='documents', content_rowid='num', tokenize='unicode61 remove_diacritics 2')"
            )
        )


# Indexes for reading: the web pages' list order and filters, and the text
# search's way from a matching document to its events. Raw DDL rather than
# `Index` objects on the tables above, so that migration 1 (which creates the
# tables from `metadata`) stays what it was when it shipped.
#
# The "ix_web_" names are historical: the web app used to create these at
# start (armstrace.web.indexes); keeping the names means a database that got
# them that way is not given a second copy. Measured with bench/bench_web.py
# over 100,000 events (see docs/web.md and docs/store.md).
READ_INDEXES: dict[str, tuple[str, str]] = {
    # The list's order, so that LIMIT/OFFSET walks an index instead of sorting.
    "ix_web_events_order": ("events", "span_start DESC, sources DESC, id"),
    # A type filter with the list's order: deep pages of one type stay index-only.
    "ix_web_events_type_order": ("events", "type, span_start DESC, sources DESC, id"),
    # Covers a system filter (LIKE on system_ids) within a date range.
    "ix_web_events_systems": ("events", "span_end, system_ids"),
    # Actors are matched by id OR by lower(name): with these two the OR is two
    # index searches, and the text search finds the distinct names by walking them.
    "ix_web_events_supplier_name": ("events", "lower(supplier_name)"),
    "ix_web_events_recipient_name": ("events", "lower(recipient_name)"),
    # Covers the network view's GROUP BY supplier, recipient and its filters.
    "ix_web_events_pair": (
        "events",
        "supplier_id, recipient_id, type, status, span_start, span_end, supplier_name, recipient_name",
    ),
    # Covers the timeline's GROUP BY year, type.
    "ix_web_events_year": ("events", "span_start, type, status, span_end"),
    # The documents list's order.
    "ix_web_documents_order": ("documents", "published DESC, id"),
    # Text search goes document -> claims -> events; covering indexes keep each
    # hop inside an index instead of reading the claim's JSON row.
    "ix_claims_doc_claim": ("claims", "doc_id, id"),
    "ix_event_claims_claim_event": ("event_claims", "claim_id, event_id"),
}

# Single-column indexes the covering ones above make redundant (same leading
# column), dropped so that writes do not pay for both.
SUPERSEDED_INDEXES = ["ix_claims_doc_id", "ix_event_claims_claim"]


def create_read_indexes(conn: Connection) -> list[str]:
    """Create the READ_INDEXES this database lacks; returns the names created.

    Idempotent (IF NOT EXISTS). Planner statistics are refreshed when an index
    was created over rows already there, so that SQLite knows which index is
    selective; an empty database is left without statistics.
    """
    present = index_names(conn)
    created: list[str] = []
    for name, (table, columns) in READ_INDEXES.items():
        if name not in present:
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"))
            created.append(name)
    if created and conn.execute(text("SELECT 1 FROM events LIMIT 1")).first() is not None:
        for table in sorted({READ_INDEXES[name][0] for name in created}):
            conn.execute(text(f"ANALYZE {table}"))
    return created


def index_names(conn: Connection) -> set[str]:
    """Names of the indexes in this database (expression indexes included, which
    SQLAlchemy's inspector skips on SQLite)."""
    if conn.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    elif conn.dialect.name == "postgresql":
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        from sqlalchemy import inspect

        inspector = inspect(conn)
        return {
            str(index["name"])
            for table in inspector.get_table_names()
            for index in inspector.get_indexes(table)
            if index.get("name")
        }
    return {str(name) for name in conn.execute(text(query)).scalars() if name}


def _m2_read_indexes(conn: Connection) -> None:
    create_read_indexes(conn)
    for name in SUPERSEDED_INDEXES:
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


MIGRATIONS: list[Callable[[Connection], None]] = [_m1_initial, _m2_read_indexes]
SCHEMA_VERSION = len(MIGRATIONS)


def fts5_available(conn: Connection) -> bool:
    """Whether this SQLite build has FTS5 (most do; the search falls back to LIKE)."""
    try:
        conn.execute(text("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)"))
        conn.execute(text("DROP TABLE temp._fts5_probe"))
        return True
    except Exception:
        return False
