"""The Store: a library API over the database that the CLI and the web wrap thinly.

    from armstrace.store import open_store
    store = open_store("sqlite:///armstrace.db")
    store.add_result(result)                 # one document, its entities and claims
    store.events(supplier="IRN", type="transfer", since="2022-06")

SQLite by default (WAL, foreign keys, busy timeout, FTS5); PostgreSQL by URL.
Every write method runs in its own transaction unless called inside
`with store.transaction():`, so that a killed process leaves either all of a
document or none of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, create_engine, event, exists, func, or_, select, union_all, update
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from armstrace import config
from armstrace.model import DocumentResult, content_hash
from armstrace.store import rows
from armstrace.store.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    claims,
    decisions,
    documents,
    entities,
    event_claims,
    events,
    meta,
)

# How many ids go into one IN (...) clause: well under SQLite's variable limit.
CHUNK = 500


# Statements run once per stored document, built once (building them costs more than running them).
_STORED_VERSION = select(documents.c.extractor_version).where(documents.c.id == bindparam("doc_id"))
_NEXT_NUM = select(func.coalesce(func.max(documents.c.num), 0) + 1)
_FTS_INSERT = sql_text("INSERT INTO documents_fts(rowid, title, text) VALUES (:num, :title, :text)")


class StoreError(Exception):
    """A problem with the database the user can act on; the message is one line."""


def _one_line(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return message[0] if message else type(exc).__name__


def _escape_like(value: str) -> str:
    """`value` for a LIKE pattern with "\\" as escape: its % and _ match only themselves."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(value: str) -> str:
    return f"%{_escape_like(value)}%"


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sqlite_path(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


# The PostgreSQL driver armstrace ships. SQLAlchemy 2.1 reads a bare
# postgresql:// URL as psycopg 3, which is not installed.
POSTGRES_DRIVER = "psycopg2"


def _with_driver(url: str) -> str:
    """A bare postgresql:// (or postgres://) URL with the driver armstrace ships."""
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return f"postgresql+{POSTGRES_DRIVER}://" + url[len(bare) :]
    return url


def _shown_url(url: str) -> str:
    """The URL for messages, password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _check_sqlite_location(path: str, create: bool) -> None:
    """Fail early, in words, where SQLite would say only "unable to open database file"."""
    target = Path(path)
    if target.is_dir():
        raise StoreError(f"cannot open database at {path}: it is a directory")
    if target.exists():
        if not os.access(target, os.R_OK):
            raise StoreError(f"cannot open database at {path}: permission denied")
        return
    if not create:
        raise StoreError(f"no database at {path} (run `armstrace ingest` first, or pass --db)")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise StoreError(f"cannot open database at {path}: directory {parent} does not exist")
    if not parent.is_dir():
        raise StoreError(f"cannot open database at {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"cannot open database at {path}: directory {parent} is not writable")


def _configure_sqlite(engine: Engine) -> None:
    # The driver must not open transactions on its own: we issue BEGIN
    # ourselves, IMMEDIATE for writes so that two writers queue on the busy
    # timeout instead of failing halfway through.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get("armstrace_write", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif not options.get("armstrace_autocommit_read", False):
            conn.exec_driver_sql("BEGIN")
        # A single-statement read runs without BEGIN: SQLite gives each statement its
        # own snapshot, and skipping the round trip halves the cost of a key lookup.


def open_store(url: str | None = None, create: bool = True) -> Store:
    """Open (and create or migrate) the database at `url`.

    `url` defaults to `config.database_url()` ($ARMSTRACE_DB, else
    ./armstrace.db); a bare path is a SQLite file. With `create=False` a
    missing SQLite file is an error rather than a new empty database.
    Raises StoreError with one clear line on any problem.
    """
    url = _with_driver(config.database_url(url))
    sqlite_path: str | None = None
    try:
        sqlite_path = _sqlite_path(url)
        if sqlite_path is not None:
            _check_sqlite_location(sqlite_path, create)
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        store = Store(engine, url)
        store.migrate()
        return store
    except StoreError:
        raise
    except (SQLAlchemyError, OSError, ValueError, ImportError) as exc:
        shown = sqlite_path or _shown_url(url)
        raise StoreError(f"cannot open database at {shown}: {_one_line(exc)}") from exc


class Store:
    """Documents, claims, entities, events and decisions in one database."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        # The open write transaction of this thread, if any (see `transaction`).
        self._local = threading.local()

    # --- plumbing -------------------------------------------------------------

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def _active(self) -> Connection | None:
        return getattr(self._local, "conn", None)

    @_active.setter
    def _active(self, conn: Connection | None) -> None:
        self._local.conn = conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Group several write calls into one transaction (nested calls join it)."""
        if self._active is not None:
            yield self._active
            return
        with self.engine.connect().execution_options(armstrace_write=True) as conn, conn.begin():
            self._active = conn
            try:
                yield conn
            finally:
                self._active = None

    @contextlib.contextmanager
    def _read(self, single_statement: bool = False) -> Iterator[Connection]:
        """A connection to read with: the open write transaction if any, else a read transaction.

        `single_statement` reads (a key lookup) skip BEGIN on SQLite.
        """
        if self._active is not None:
            yield self._active
            return
        with self.engine.connect() as conn:
            if single_statement:
                conn = conn.execution_options(armstrace_autocommit_read=True)
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _insert_ignore(self, conn: Connection, table: Any, values: list[dict[str, Any]]) -> None:
        if not values:
            return
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(insert(table).on_conflict_do_nothing(), values)

    def _upsert(self, conn: Connection, table: Any, values: dict[str, Any]) -> None:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(table).values(values)
        changed = {key: statement.excluded[key] for key in values if key != "id"}
        conn.execute(statement.on_conflict_do_update(index_elements=["id"], set_=changed))

    # --- schema ----------------------------------------------------------------

    def schema_version(self) -> int:
        with self._read() as conn:
            return self._schema_version(conn)

    def _schema_version(self, conn: Connection) -> int:
        if not self.engine.dialect.has_table(conn, "meta"):
            return 0
        value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        return int(value) if value else 0

    def migrate(self) -> None:
        """Apply the migrations this database has not seen, in order."""
        with self.transaction() as conn:
            current = self._schema_version(conn)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"database schema version {current} is newer than this armstrace "
                    f"({SCHEMA_VERSION}); upgrade armstrace"
                )
            for number in range(current, SCHEMA_VERSION):
                MIGRATIONS[number](conn)
            if current != SCHEMA_VERSION:
                self._upsert_meta(conn, "schema_version", str(SCHEMA_VERSION))

    def _upsert_meta(self, conn: Connection, key: str, value: str) -> None:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(meta).values(key=key, value=value)
        conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

    def refresh_statistics(self) -> bool:
        """Refresh SQLite's planner statistics when missing or stale; True when it ran ANALYZE.

        Without statistics SQLite guesses, and over a large store it guesses
        wrong: bench/bench_web.py over a freshly written 100,000-event store
        (indexes made by the migration on empty tables, never analysed)
        measured the list page's p95 at ~260 ms against ~25-50 ms once
        analysed. Statistics count as stale when the events they describe
        number less than half or more than twice the events now stored.
        A full ANALYZE took 0.5 s over 100,000 events (a sampled one,
        `PRAGMA analysis_limit`, was faster but its estimates made the
        timeline page ten times slower). PostgreSQL's
        autovacuum keeps its own statistics: nothing to do there.
        """
        if self.dialect != "sqlite":
            return False
        with self._read() as conn:
            stored = int(conn.execute(select(func.count()).select_from(events)).scalar() or 0)
            described: int | None = None
            if self.engine.dialect.has_table(conn, "sqlite_stat1"):
                stat = conn.exec_driver_sql(
                    "SELECT stat FROM sqlite_stat1 WHERE tbl = 'events' AND idx IS NOT NULL LIMIT 1"
                ).scalar()
                described = int(str(stat).split()[0]) if stat else None
        if stored == 0 or (described is not None and described * 2 >= stored and stored * 2 >= described):
            return False
        with self.transaction() as conn:
            conn.exec_driver_sql("ANALYZE")
        return True

    @property
    def has_fts(self) -> bool:
        if self.dialect != "sqlite":
            return False
        with self._read() as conn:
            return self.engine.dialect.has_table(conn, "documents_fts")

    def integrity_check(self) -> str:
        """SQLite's own consistency check ("ok" when sound); "ok" elsewhere."""
        if self.dialect != "sqlite":
            return "ok"
        with self._read() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())

    # --- documents and claims ----------------------------------------------------

    def has_document(self, doc_id: str, extractor_version: str | None = None) -> bool:
        """Whether the document is stored (with claims of that extractor version, if given)."""
        with self._read(single_statement=True) as conn:
            found = conn.execute(_STORED_VERSION, {"doc_id": doc_id}).first()
        if found is None:
            return False
        return extractor_version is None or found.extractor_version == (extractor_version or "")

    def add_result(self, result: DocumentResult) -> list[str]:
        """Store one extracted document: the document, its entities, its claims.

        One transaction. A document already stored with the same extractor
        version is a no-op (returns []). With a new extractor version the new
        claims are added beside the old ones and become the current ones.
        Returns the ids of claims that were not stored before.
        """
        return self.store_result(result)[1]

    def store_result(self, result: DocumentResult) -> tuple[bool, list[str]]:
        """`add_result`, also telling whether anything was written: (written, new claim ids).

        `written` is False when the document was already stored with this
        extractor version (a duplicate), which `add_result`'s [] cannot tell
        apart from a document without events.
        """
        doc = result.document
        version = result.extractor_version or ""
        with self.transaction() as conn:
            stored = conn.execute(_STORED_VERSION, {"doc_id": doc.id}).first()
            if stored is not None and stored.extractor_version == version:
                return False, []
            if stored is None:
                row = rows.document_row(result)
                if self.dialect == "sqlite":
                    row["num"] = conn.execute(_NEXT_NUM).scalar()
                conn.execute(documents.insert(), row)
                if row.get("num") is not None and self._fts_enabled(conn):
                    conn.execute(
                        _FTS_INSERT, {"num": row["num"], "title": row["title"] or "", "text": row["text"]}
                    )
            else:
                conn.execute(
                    update(documents).where(documents.c.id == doc.id).values(extractor_version=version)
                )
            claim_rows: dict[str, dict[str, Any]] = {}
            entity_rows: dict[str, dict[str, Any]] = {}
            for extracted in result.events:
                if getattr(extracted, "negated", False):
                    continue  # kept by extraction for stance only; not a claim that something happened
                event_data = rows.event_dict_of(extracted)
                row = rows.claim_row(doc.id, doc.published, version, event_data)
                claim_rows.setdefault(row["id"], row)
                for entity in rows.entity_rows(event_data):
                    entity_rows.setdefault(entity["id"], entity)
            if not claim_rows:
                return True, []
            ids = list(claim_rows)
            already: set[str] = set()
            if stored is not None:  # claim ids include the document id: a new document has none yet
                for chunk in _chunks(ids):
                    already |= set(conn.execute(select(claims.c.id).where(claims.c.id.in_(chunk))).scalars())
            new = [claim_rows[i] for i in ids if i not in already]
            self._insert_ignore(conn, entities, list(entity_rows.values()))
            self._insert_ignore(conn, claims, new)
            return True, [row["id"] for row in new]

    def _fts_enabled(self, conn: Connection) -> bool:
        if self.dialect != "sqlite":
            return False
        cached = conn.info.get("armstrace_fts")
        if cached is None:
            cached = conn.info["armstrace_fts"] = self.engine.dialect.has_table(conn, "documents_fts")
        return bool(cached)

    def document(self, doc_id: str, with_text: bool = True) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
        return rows.document_dict(row, with_text) if row else None

    def documents(
        self,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        text: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        with_text: bool = False,
    ) -> list[dict[str, Any]]:
        """Stored documents, newest publication first, filtered by outlet, date and text."""
        query = select(documents)
        if source:
            query = query.where(func.lower(documents.c.source) == source.lower())
        if since:
            query = query.where(documents.c.published >= rows.pad_start(since))
        if until:
            query = query.where(documents.c.published <= rows.pad_end(until))
        if text and text.strip():  # blank text is no filter (and no FTS5 syntax error)
            query = query.where(documents.c.id.in_(self._text_match_docs(text)))
        query = query.order_by(documents.c.published.desc().nulls_last(), documents.c.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            return [rows.document_dict(row, with_text) for row in conn.execute(query)]

    def count_documents(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(documents)).scalar() or 0)

    def count_claims(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(claims)).scalar() or 0)

    def _claim_select(self) -> Any:
        return select(
            claims,
            documents.c.path.label("doc_path"),
            documents.c.source.label("doc_source"),
            documents.c.published.label("doc_published"),
            documents.c.title.label("doc_title"),
            documents.c.url.label("doc_url"),
        ).join(documents, documents.c.id == claims.c.doc_id)

    def claims_for_document(self, doc_id: str, all_versions: bool = False) -> list[dict[str, Any]]:
        """The document's claims, by default only those of its current extractor version."""
        query = self._claim_select().where(claims.c.doc_id == doc_id)
        if not all_versions:
            query = query.where(claims.c.extractor_version == documents.c.extractor_version)
        with self._read() as conn:
            return [rows.claim_dict(row) for row in conn.execute(query.order_by(claims.c.id))]

    def claims(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Claims by id, in the order asked (unknown ids are left out)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict[str, Any]] = {}
        with self._read() as conn:
            for chunk in _chunks(wanted):
                for row in conn.execute(self._claim_select().where(claims.c.id.in_(chunk))):
                    found[row.id] = rows.claim_dict(row)
        return [found[i] for i in wanted if i in found]

    def iter_claims(
        self,
        type: str | None = None,
        supplier_id: str | None = None,
        recipient_id: str | None = None,
        current_only: bool = True,
        batch: int = CHUNK,
    ) -> Iterator[dict[str, Any]]:
        """Claims in id order, streamed in batches (a fusion block, or all of them).

        `supplier_id`/`recipient_id` of "" mean null: a block may have no recipient.
        """
        last = ""
        while True:
            query = self._claim_select().where(claims.c.id > last)
            if current_only:
                query = query.where(claims.c.extractor_version == documents.c.extractor_version)
            if type:
                query = query.where(claims.c.type == type)
            for column, value in ((claims.c.supplier_id, supplier_id), (claims.c.recipient_id, recipient_id)):
                if value == "":
                    query = query.where(column.is_(None))
                elif value is not None:
                    query = query.where(column == value)
            with self._read() as conn:
                page = [
                    rows.claim_dict(row) for row in conn.execute(query.order_by(claims.c.id).limit(batch))
                ]
            yield from page
            if len(page) < batch:
                return
            last = page[-1]["id"]

    def unfused_claim_ids(self) -> list[str]:
        """Current claims that no event links to (e.g. after a crash between store and fuse)."""
        linked = exists().where(event_claims.c.claim_id == claims.c.id)
        query = (
            select(claims.c.id)
            .join(documents, documents.c.id == claims.c.doc_id)
            .where(claims.c.extractor_version == documents.c.extractor_version, ~linked)
            .order_by(claims.c.published.asc().nulls_first(), claims.c.id)
        )
        with self._read() as conn:
            return list(conn.execute(query).scalars())

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(entities).where(entities.c.id == entity_id)).first()
        return dict(row._mapping) if row else None

    def entities(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = select(entities).order_by(entities.c.kind, entities.c.id)
        if kind:
            query = query.where(entities.c.kind == kind)
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def upsert_entity(self, entity: dict[str, Any]) -> None:
        """Write an entity (e.g. from the knowledge catalogues), replacing what was there."""
        row = {
            "kind": rows.entity_kind(entity["id"]),
            "name": None,
            "state": None,
            "category": None,
            "data": {},
        }
        row.update(entity)
        with self.transaction() as conn:
            self._upsert(conn, entities, row)

    # --- text search -------------------------------------------------------------

    def _text_match_docs(self, query_text: str) -> Any:
        """A sub-select of document ids whose title or text match `query_text`.

        FTS5 on SQLite, every word must occur (each is quoted, so FTS syntax in
        user input is taken literally); a case-insensitive substring elsewhere.
        """
        words = [w for w in re.split(r"\s+", query_text.strip()) if w]
        if self.dialect == "sqlite" and self.has_fts:
            fts_query = " ".join('"' + word.replace('"', '""') + '"' for word in words)
            return (
                sql_text(
                    "SELECT documents.id FROM documents JOIN documents_fts ON documents_fts.rowid = documents.num "
                    "WHERE documents_fts MATCH :fts_query"
                )
                .bindparams(fts_query=fts_query)
                .columns(documents.c.id)
            )
        conditions = [
            or_(
                documents.c.title.ilike(_contains(word), escape="\\"),
                documents.c.text.ilike(_contains(word), escape="\\"),
            )
            for word in words
        ]
        return select(documents.c.id).where(and_(*conditions))

    # --- events -------------------------------------------------------------------

    def _actor_condition(self, id_column: Any, name_column: Any, value: str) -> ColumnElement[bool]:
        value = value.strip()
        candidates = {value, value.upper(), f"org:{rows.slug(value)}", f"person:{rows.slug(value)}"}
        return or_(id_column.in_(sorted(candidates)), func.lower(name_column) == value.lower())

    def _event_filters(
        self,
        supplier: str | None = None,
        recipient: str | None = None,
        type: str | None = None,
        system: str | None = None,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        text: str | None = None,
        unindexed_ids: bool = False,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if supplier:
            conditions.append(self._actor_condition(events.c.supplier_id, events.c.supplier_name, supplier))
        if recipient:
            conditions.append(
                self._actor_condition(events.c.recipient_id, events.c.recipient_name, recipient)
            )
        if type:
            conditions.append(events.c.type == type)
        if status:
            conditions.append(events.c.status == status)
        if system:
            system_id = system if system.startswith("sys:") else f"sys:{rows.slug(system)}"
            padded = func.coalesce(" " + events.c.system_ids + " ", "")
            conditions.append(padded.like(f"% {system_id} %"))
        if since:
            conditions.append(events.c.span_end >= rows.pad_start(since))
        if until:
            conditions.append(events.c.span_start <= rows.pad_end(until))
        if text and text.strip():  # blank text is no filter (and no FTS5 syntax error)
            matched = self._text_event_ids(text)
            # On SQLite the list is best read by walking the order index and
            # probing the set of matching ids ("|| ''" keeps the planner from
            # looking each id up and then sorting tens of thousands of rows).
            probe = events.c.id.concat("") if unindexed_ids and self.dialect == "sqlite" else events.c.id
            conditions.append(probe.in_(matched))
        return conditions

    def _text_event_ids(self, query_text: str) -> Any:
        """A sub-select of the ids of events matching `query_text`.

        An event matches when an article behind it matches (see
        `_text_match_docs`) or its supplier's or recipient's name contains
        the text (case-insensitive). Built from the matching side so that the
        cost follows the number of matches, not the number of events: the
        documents found by the full-text index lead to their claims and
        events through covering indexes, and the names are matched against
        the few distinct names first, then looked up by the lower(name) indexes.
        """
        docs = self._text_match_docs(query_text)
        parts: list[Any] = [
            select(event_claims.c.event_id)
            .join(claims, claims.c.id == event_claims.c.claim_id)
            .where(claims.c.doc_id.in_(docs))
        ]
        like = _contains(query_text.strip().lower())
        for column in (events.c.supplier_name, events.c.recipient_name):
            names = self._distinct_lower_names(column.name, like)
            if len(names) > CHUNK:  # a very common fragment: one pass over the index beats a huge IN list
                parts.append(select(events.c.id).where(func.lower(column).like(like, escape="\\")))
            elif names:
                parts.append(select(events.c.id).where(func.lower(column).in_(names)))
        return parts[0] if len(parts) == 1 else union_all(*parts)

    def _distinct_lower_names(self, column: str, like: str) -> list[str]:
        """The distinct lower-cased values of events.`column` that match the LIKE pattern `like`.

        Walks the lower(name) index one distinct value at a time (a loose
        index scan, which neither SQLite nor PostgreSQL does by itself): a
        few dozen index searches where a plain DISTINCT would read every event.
        """
        if column not in ("supplier_name", "recipient_name"):
            raise ValueError(f"not a name column: {column}")
        walk = sql_text(
            f"WITH RECURSIVE walk(name) AS ("
            f"SELECT min(lower({column})) FROM events "
            f"UNION ALL SELECT (SELECT min(lower({column})) FROM events WHERE lower({column}) > walk.name) "
            f"FROM walk WHERE walk.name IS NOT NULL) "
            f"SELECT name FROM walk WHERE name LIKE :like ESCAPE '\\'"
        )
        with self._read() as conn:
            return [str(name) for name in conn.execute(walk, {"like": like}).scalars() if name is not None]

    def events(
        self,
        supplier: str | None = None,
        recipient: str | None = None,
        type: str | None = None,
        system: str | None = None,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        text: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        with_claims: bool = False,
    ) -> list[dict[str, Any]]:
        """Fused events as SPEC section 6 records, latest first.

        `supplier`/`recipient` take an id ("IRN", "org:houthis") or a name
        ("Iran"); `system` an id or designation ("Shahed-136");
        `since`/`until` a (partial) ISO date compared with the event's time,
        else its reporting dates; `text` searches the articles behind it and
        the supplier's and recipient's names (see `_text_event_ids`).
        """
        conditions = self._event_filters(
            supplier, recipient, type, system, status, since, until, text, unindexed_ids=True
        )
        query = (
            select(events)
            .where(*conditions)
            .order_by(events.c.span_start.desc().nulls_last(), events.c.sources.desc(), events.c.id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            found = [rows.event_dict(row) for row in conn.execute(query)]
        if with_claims:
            self._attach_claims(found)
        return found

    def count_events(self, **filters: Any) -> int:
        conditions = self._event_filters(**filters)
        with self._read() as conn:
            return int(
                conn.execute(select(func.count()).select_from(events).where(*conditions)).scalar() or 0
            )

    def iter_events(
        self, batch: int = CHUNK, with_claims: bool = True, **filters: Any
    ) -> Iterator[dict[str, Any]]:
        """Every event matching the filters, in id order, streamed in batches (for export)."""
        conditions = self._event_filters(**filters)
        last = ""
        while True:
            query = select(events).where(events.c.id > last, *conditions).order_by(events.c.id).limit(batch)
            with self._read() as conn:
                page = [rows.event_dict(row) for row in conn.execute(query)]
            if with_claims:
                self._attach_claims(page)
            yield from page
            if len(page) < batch:
                return
            last = page[-1]["id"]

    def _attach_claims(self, found: list[dict[str, Any]]) -> None:
        by_id = {record["id"]: record for record in found}
        for record in found:
            record["claims"] = []
        with self._read() as conn:
            for chunk in _chunks(list(by_id)):
                query = (
                    self._claim_select()
                    .add_columns(event_claims.c.event_id)
                    .join(event_claims, event_claims.c.claim_id == claims.c.id)
                    .where(event_claims.c.event_id.in_(chunk))
                    .order_by(claims.c.published.asc().nulls_first(), claims.c.doc_id, claims.c.id)
                )
                for row in conn.execute(query):
                    by_id[row.event_id]["claims"].append(rows.claim_in_event(rows.claim_dict(row)))

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event with its claims (each with its document and evidence)."""
        with self._read() as conn:
            row = conn.execute(select(events).where(events.c.id == event_id)).first()
        if row is None:
            return None
        record = rows.event_dict(row)
        self._attach_claims([record])
        return record

    def resolve_event_id(self, prefix: str) -> list[str]:
        """Event ids starting with `prefix` (at most a few, for "ambiguous" messages)."""
        query = (
            select(events.c.id)
            .where(events.c.id.like(_escape_like(prefix) + "%", escape="\\"))
            .order_by(events.c.id)
            .limit(10)
        )
        with self._read() as conn:
            return list(conn.execute(query).scalars())

    def events_in_block(
        self, type: str, supplier_id: str | None, recipient_id: str | None, item_family: str | None = None
    ) -> list[dict[str, Any]]:
        """Events sharing fusion's blocking key (None matches null)."""
        conditions = [events.c.type == type]
        for column, value in (
            (events.c.supplier_id, supplier_id),
            (events.c.recipient_id, recipient_id),
            (events.c.item_family, item_family),
        ):
            conditions.append(column.is_(None) if value is None else column == value)
        with self._read() as conn:
            found = [rows.event_dict(row) for row in conn.execute(select(events).where(*conditions))]
        return found

    def event_ids_for_claims(self, claim_ids: Iterable[str]) -> dict[str, list[str]]:
        """claim id → ids of the events that link it."""
        wanted = list(dict.fromkeys(claim_ids))
        out: dict[str, list[str]] = {}
        with self._read() as conn:
            for chunk in _chunks(wanted):
                query = select(event_claims).where(event_claims.c.claim_id.in_(chunk))
                for row in conn.execute(query):
                    out.setdefault(row.claim_id, []).append(row.event_id)
        return out

    def upsert_event(self, record: dict[str, Any], claim_ids: Iterable[str] | None = None) -> str:
        """Write a fused event (SPEC section 6 record with an "id") and link its claims.

        The record's "claims" key, if any, is not stored: claims are linked
        through event_claims. `first_reported`/`last_reported` come from the
        linked claims' publication dates; `sources` (distinct outlets, a
        document with no outlet counting as its own) too, unless the record
        gives it.
        """
        if not record.get("id"):
            raise ValueError("an event record needs an 'id'")
        with self.transaction() as conn:
            self._upsert(conn, events, rows.event_row(record, None, None))
            if claim_ids is not None:
                self.link_claims(record["id"], claim_ids)
            self._refresh_event(conn, record["id"], keep_sources="sources" in record)
        return record["id"]

    def _refresh_event(self, conn: Connection, event_id: str, keep_sources: bool) -> None:
        """Recompute an event's reporting dates and span from its linked claims."""
        linked = (
            select(claims.c.published, claims.c.doc_id, documents.c.source)
            .join(event_claims, event_claims.c.claim_id == claims.c.id)
            .join(documents, documents.c.id == claims.c.doc_id)
            .where(event_claims.c.event_id == event_id)
        )
        found = conn.execute(linked).all()
        dates = sorted(row.published for row in found if row.published)
        outlets = {row.source or f"doc:{row.doc_id}" for row in found}
        row = conn.execute(select(events.c.data, events.c.sources).where(events.c.id == event_id)).first()
        if row is None:
            return
        refreshed = rows.event_row(
            {**row.data, "id": event_id, "sources": row.sources if keep_sources else len(outlets)},
            dates[0] if dates else None,
            dates[-1] if dates else None,
        )
        if not keep_sources:
            refreshed["data"]["sources"] = len(outlets)
        refreshed.pop("id")
        conn.execute(update(events).where(events.c.id == event_id).values(refreshed))

    def link_claims(self, event_id: str, claim_ids: Iterable[str]) -> None:
        values = [{"event_id": event_id, "claim_id": claim_id} for claim_id in dict.fromkeys(claim_ids)]
        with self.transaction() as conn:
            self._insert_ignore(conn, event_claims, values)

    def unlink_claims(self, event_id: str, claim_ids: Iterable[str] | None = None) -> None:
        """Remove links from an event (all of them when `claim_ids` is None)."""
        with self.transaction() as conn:
            query = event_claims.delete().where(event_claims.c.event_id == event_id)
            if claim_ids is not None:
                query = query.where(event_claims.c.claim_id.in_(list(claim_ids)))
            conn.execute(query)

    def delete_event(self, event_id: str) -> None:
        """Drop an event and its links (claims and decisions stay)."""
        with self.transaction() as conn:
            conn.execute(event_claims.delete().where(event_claims.c.event_id == event_id))
            conn.execute(events.delete().where(events.c.id == event_id))

    def count_all_events(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar() or 0)

    # --- analysts' decisions -----------------------------------------------------

    def add_decision(
        self, event_id: str, action: str, payload: dict[str, Any] | None = None, author: str | None = None
    ) -> str:
        """Record an analyst's decision on an event; kept apart so it survives re-extraction."""
        created = rows.now()
        decision_id = content_hash(
            event_id, action, json.dumps(payload or {}, sort_keys=True), author or "", created
        )
        with self.transaction() as conn:
            self._insert_ignore(
                conn,
                decisions,
                [
                    {
                        "id": decision_id,
                        "event_id": event_id,
                        "action": action,
                        "payload": payload or {},
                        "author": author,
                        "created_at": created,
                    }
                ],
            )
        return decision_id

    def decisions(self, event_id: str | None = None) -> list[dict[str, Any]]:
        query = select(decisions).order_by(decisions.c.created_at, decisions.c.id)
        if event_id is not None:
            query = query.where(decisions.c.event_id == event_id)
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]
