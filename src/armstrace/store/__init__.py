"""The store: SQLite (default) or PostgreSQL tables for documents, claims and events.

See `armstrace.store.db` for the Store API and `armstrace.store.schema`
for the tables and migrations.
"""

from armstrace.store.db import Store, StoreError, open_store
from armstrace.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "open_store"]
