"""Indexes the web pages need and the store's schema does not have.

Measured with bench/bench_web.py over 100,000 events: without them a deep
page of the list (OFFSET 50,000) took ~300 ms because the list's order
(span_start DESC, sources DESC, id) had no index and SQLite sorted whole rows;
a supplier filter scanned every row because the store matches an actor by id
OR by lower(name); the network view grouped by scanning the table. With them
these are a few milliseconds.

They are created once, at app start, with IF NOT EXISTS (idempotent; the
store's own migrations are not touched), and the planner's statistics for
the two tables are refreshed when an index was new. A database the web
server may not write to is served without them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("armstrace.web")

# name -> (table, column list). Names carry "web" so their owner is plain.
WEB_INDEXES: dict[str, tuple[str, str]] = {
    # The list's order, so that LIMIT/OFFSET walks an index instead of sorting.
    "ix_web_events_order": ("events", "span_start DESC, sources DESC, id"),
    # A type filter with the list's order: deep pages of one type stay index-only.
    "ix_web_events_type_order": ("events", "type, span_start DESC, sources DESC, id"),
    # Covers a system filter (LIKE on system_ids) within a date range.
    "ix_web_events_systems": ("events", "span_end, system_ids"),
    # The store matches supplier/recipient by id OR by lower(name): with these
    # two indexes SQLite answers the OR with two index searches.
    "ix_web_events_supplier_name": ("events", "lower(supplier_name)"),
    "ix_web_events_recipient_name": ("events", "lower(recipient_name)"),
    # Covers the network view's GROUP BY supplier, recipient and its filters.
    "ix_web_events_pair": ("events", "supplier_id, recipient_id, type, status, span_start, span_end, "
                                     "supplier_name, recipient_name"),
    # Covers the timeline's GROUP BY year, type.
    "ix_web_events_year": ("events", "span_start, type, status, span_end"),
    # The documents list's order.
    "ix_web_documents_order": ("documents", "published DESC, id"),
}


def existing_indexes(store: Any) -> set[str]:
    """Names of the indexes on the events and documents tables (expression indexes included,
    which SQLAlchemy's inspector skips on SQLite)."""
    if store.dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'documents')"
    elif store.dialect == "postgresql":
        query = ("SELECT indexname FROM pg_indexes WHERE tablename IN ('events', 'documents') "
                 "AND schemaname = current_schema()")
    else:
        from sqlalchemy import inspect

        with store.engine.connect() as conn:
            inspector = inspect(conn)
            return {index["name"] for table in ("events", "documents")
                    for index in inspector.get_indexes(table) if index.get("name")}
    with store.engine.connect() as conn:
        return {str(name) for name in conn.execute(text(query)).scalars() if name}


def ensure_indexes(store: Any) -> list[str]:
    """Create the missing web indexes; returns the names created (empty when none or not allowed)."""
    try:
        missing = [name for name in WEB_INDEXES if name not in existing_indexes(store)]
    except SQLAlchemyError as exc:
        log.warning("cannot inspect indexes: %s", str(exc).splitlines()[0])
        return []
    if not missing:
        return []
    created: list[str] = []
    try:
        with store.transaction() as conn:
            for name in missing:
                table, columns = WEB_INDEXES[name]
                conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"))
                created.append(name)
            # Fresh statistics so that the planner knows which index is selective.
            conn.execute(text("ANALYZE events"))
            conn.execute(text("ANALYZE documents"))
    except SQLAlchemyError as exc:
        log.warning("serving without the web indexes (%s)", str(exc).splitlines()[0])
        return []
    return created


__all__ = ["WEB_INDEXES", "ensure_indexes", "existing_indexes"]
