"""The indexes the web pages read through: now part of the store's schema.

They used to be created here at app start because the store lacked them;
they are now the store's migration 2 (`armstrace.store.schema.READ_INDEXES`),
so every database gets them when `open_store` opens it, an older one
included. What is left here is a repair at start: if an index was dropped
(by hand, or by `bench/bench_web.py --no-web-indexes`), it is created again,
with fresh planner statistics; and statistics that are missing or stale
(a store written since they were taken) are refreshed
(`Store.refresh_statistics`). When all is in order this is two quick queries. `ARMSTRACE_WEB_INDEXES=0` skips the repair (the benchmark's baseline);
it cannot remove indexes the migration made. A database the web server may
not write to is served as it is.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from armstrace.store.schema import READ_INDEXES, create_read_indexes, index_names

log = logging.getLogger("armstrace.web")

# Kept under its old name for callers that list or drop them (the benchmark, tests).
WEB_INDEXES: dict[str, tuple[str, str]] = READ_INDEXES


def existing_indexes(store: Any) -> set[str]:
    """Names of the indexes in the store's database (expression indexes included)."""
    with store.engine.connect() as conn:
        return index_names(conn)


def ensure_indexes(store: Any) -> list[str]:
    """Create any of the store's read indexes that is missing and refresh missing or stale
    planner statistics; returns the names of the indexes created (usually none)."""
    created: list[str] = []
    try:
        if set(READ_INDEXES) - existing_indexes(store):
            with store.transaction() as conn:
                created = create_read_indexes(conn)
        store.refresh_statistics()
    except SQLAlchemyError as exc:
        log.warning("serving without some indexes or statistics (%s)", str(exc).splitlines()[0])
    return created


__all__ = ["WEB_INDEXES", "ensure_indexes", "existing_indexes"]
