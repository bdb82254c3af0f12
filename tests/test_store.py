"""The Store on real SQLite files: idempotent writes, reads, filters, migrations, errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from armstrace.model import Event, Evidence, Item, Stance, TimeSpan
from armstrace.store import SCHEMA_VERSION, StoreError, open_store
from armstrace.store.rows import claim_id
from conftest import make_result, ref


@pytest.fixture
def store(tmp_path: Path):
    with open_store(str(tmp_path / "store.db")) as opened:
        yield opened


def transfer(supplier: str, recipient: str, category: str, system: str | None, status: str, when: str | None,
             sentence: str, start: int = 0) -> Event:  # fmt: skip
    return Event(
        type="transfer",
        supplier=ref(supplier, supplier.title()),
        recipient=ref(recipient, recipient.title()),
        items=[Item(category, ref(system, system.split(":")[1].title()) if system else None)],
        status=status,
        time=TimeSpan(when, when, when) if when else None,
        stance=[Stance(ref("USA", "United States"), "asserts")],
        evidence=[Evidence(sentence, start, start + len(sentence))],
    )


def test_sqlite_settings_and_tables(tmp_path: Path, store) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    assert store.integrity_check() == "ok"
    raw = sqlite3.connect(tmp_path / "store.db")
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "meta",
        "documents",
        "entities",
        "claims",
        "events",
        "event_claims",
        "decisions",
        "documents_fts",
    } <= tables
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "ix_events_block" in indexes and "ix_claims_block" in indexes


def test_add_result_is_idempotent(store) -> None:
    result = make_result()
    new = store.add_result(result)
    assert len(new) == 1
    assert new[0] == claim_id(result.document.id, "test-1", result.events[0].to_dict())
    assert store.add_result(result) == []
    assert store.add_result(make_result(path="elsewhere/copy.txt")) == []  # same text from another path
    assert store.count_documents() == 1 and store.count_claims() == 1
    assert store.has_document(result.document.id)
    assert store.has_document(result.document.id, "test-1")
    assert not store.has_document(result.document.id, "test-2")
    doc = store.document(result.document.id)
    assert doc is not None
    assert (doc["path"], doc["published"], doc["source"], doc["text"]) == (
        "a.txt", "2022-10-01", "example.org", result.document.text,
    )  # fmt: skip
    [claim] = store.claims_for_document(result.document.id)
    assert claim["event"] == result.events[0].to_dict()
    assert claim["evidence"][0]["sentence"] == result.document.text
    assert claim["doc"]["source"] == "example.org"


def test_same_event_twice_in_one_document_is_one_claim(store) -> None:
    result = make_result()
    result.events.append(result.events[0])
    assert len(store.add_result(result)) == 1


def test_negated_events_are_not_claims(store) -> None:
    result = make_result()
    result.events[0].negated = True
    assert store.add_result(result) == []
    assert store.count_documents() == 1 and store.count_claims() == 0


def test_new_extractor_version_adds_claims_beside_the_old(store) -> None:
    old = make_result(version="1.0")
    store.add_result(old)
    changed = make_result(version="1.1")
    changed.events[0].status = "planned"
    new_ids = store.add_result(changed)
    assert len(new_ids) == 1
    assert store.count_claims() == 2
    assert [c["status"] for c in store.claims_for_document(old.document.id)] == ["planned"]
    assert len(store.claims_for_document(old.document.id, all_versions=True)) == 2
    assert store.document(old.document.id)["extractor_version"] == "1.1"


def test_entities_are_upserted_from_claims(store) -> None:
    store.add_result(make_result())
    kinds = {e["id"]: e["kind"] for e in store.entities()}
    assert kinds == {"IRN": "state", "RUS": "state", "USA": "state", "sys:shahed-136": "system"}
    assert store.entity("sys:shahed-136")["category"] == "loitering_munition"
    store.upsert_entity({"id": "org:irgc", "name": "IRGC", "state": "IRN"})
    assert store.entity("org:irgc")["kind"] == "organisation"


def _event_per_claim(store, claim_ids: list[str]) -> list[str]:
    ids = []
    for claim in store.claims(claim_ids):
        record = dict(claim["event"], id=f"ev-{claim['id']}")
        ids.append(store.upsert_event(record, [claim["id"]]))
    return ids


def test_event_filters(store) -> None:
    texts = [
        ("Iran delivered Shahed drones to Russia.", transfer("IRN", "RUS", "loitering_munition", "sys:shahed-136", "delivered", "2022-08", "Iran delivered Shahed drones to Russia."), "2022-10-01", "wire.example"),
        ("Iran plans to sell Fateh missiles to Russia.", transfer("IRN", "RUS", "ballistic_missile", "sys:fateh-110", "planned", "2023", "Iran plans to sell Fateh missiles to Russia."), "2022-12-01", "paper.example"),
        ("Turkey sold Bayraktar drones to Ukraine.", transfer("TUR", "UKR", "uav", "sys:bayraktar-tb2", "delivered", None, "Turkey sold Bayraktar drones to Ukraine."), "2021-05-02", None),
    ]  # fmt: skip
    ids = []
    for text, event, published, source in texts:
        ids += store.add_result(make_result(text=text, events=[event], published=published, source=source))
    event_ids = _event_per_claim(store, ids)
    assert len(event_ids) == 3 and store.count_events() == 3

    def ids_of(**filters) -> set[str]:
        return {e["supplier"]["id"] + ":" + (e["status"] or "") for e in store.events(**filters)}

    assert ids_of(supplier="IRN") == {"IRN:delivered", "IRN:planned"}
    assert ids_of(supplier="irn") == ids_of(supplier="Irn") == {"IRN:delivered", "IRN:planned"}
    assert ids_of(recipient="UKR") == {"TUR:delivered"}
    assert ids_of(system="Shahed 136") == ids_of(system="sys:shahed-136") == {"IRN:delivered"}
    assert ids_of(status="planned") == {"IRN:planned"}
    assert ids_of(type="offer") == set()
    assert ids_of(since="2023") == {"IRN:planned"}  # "2023" spans the whole year
    assert ids_of(until="2022-08-15") == {
        "IRN:delivered",
        "TUR:delivered",
    }  # TUR falls back to its publication date
    assert ids_of(since="2021-05", until="2021-05") == {"TUR:delivered"}
    assert ids_of(text="Bayraktar") == {"TUR:delivered"}
    assert ids_of(text="sell missiles") == {"IRN:planned"}
    assert ids_of(text='"drones OR') == set()  # FTS syntax in user input is taken literally
    assert store.count_events(supplier="IRN", status="delivered") == 1
    assert len(store.events(limit=2)) == 2 and len(store.events(limit=2, offset=2)) == 1
    event = store.event(event_ids[0])
    assert event is not None and len(event["claims"]) == 1
    assert event["claims"][0]["doc"]["source"] == "wire.example"
    assert event["sources"] == 1 and event["first_reported"] == "2022-10-01"
    assert store.resolve_event_id(event_ids[0][:6]) == [event_ids[0]]
    assert len(store.resolve_event_id("ev-")) == 3
    assert store.unfused_claim_ids() == []
    assert [e["id"] for e in store.iter_events(batch=2)] == sorted(event_ids)


def test_event_sources_count_outlets_not_articles(store) -> None:
    claim_ids = []
    for n, source in enumerate(["wire.example", "wire.example", None, None]):
        text = f"Story {n}: Iran delivered Shahed drones to Russia."
        event = transfer("IRN", "RUS", "uav", None, "delivered", None, text)
        claim_ids += store.add_result(
            make_result(text=text, events=[event], source=source, published=f"2022-0{n + 1}-01")
        )
    store.upsert_event({"id": "fused", **store.claims(claim_ids[:1])[0]["event"]}, claim_ids)
    event = store.event("fused")
    # One outlet, plus two documents with no outlet that count as their own.
    assert event["sources"] == 3
    assert (event["first_reported"], event["last_reported"]) == ("2022-01-01", "2022-04-01")
    assert len(event["claims"]) == 4
    store.unlink_claims("fused", claim_ids[:2])
    assert len(store.event("fused")["claims"]) == 2
    assert set(store.unfused_claim_ids()) == set(claim_ids[:2])
    store.add_decision("fused", "reject", {"why": "test"}, author="analyst")
    store.delete_event("fused")
    assert store.event("fused") is None
    assert [d["action"] for d in store.decisions("fused")] == ["reject"]  # decisions outlive events


def test_transaction_groups_writes(store) -> None:
    first, second = make_result(text="One."), make_result(text="Two.")
    with pytest.raises(RuntimeError), store.transaction():
        store.add_result(first)
        store.add_result(second)
        raise RuntimeError("abort")
    assert store.count_documents() == 0
    with store.transaction():
        store.add_result(first)
        store.add_result(second)
    assert store.count_documents() == 2


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    path = str(tmp_path / "again.db")
    with open_store(path) as first:
        first.add_result(make_result())
    with open_store(f"sqlite:///{path}") as second:
        assert second.count_documents() == 1 and second.schema_version() == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    open_store(str(path)).close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 5),))
    raw.commit()
    raw.close()
    with pytest.raises(StoreError) as caught:
        open_store(str(path))
    assert str(caught.value) == (
        f"database schema version {SCHEMA_VERSION + 5} is newer than this armstrace ({SCHEMA_VERSION}); upgrade armstrace"
    )


def test_unopenable_locations(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    cases = {
        str(tmp_path / "no" / "such" / "dir" / "x.db"): "does not exist",
        str(tmp_path / "afile" / "x.db"): "is not a directory",
        str(tmp_path): "is a directory",
        "/proc/armstrace-test.db": "cannot open database at /proc/armstrace-test.db",
    }
    for location, words in cases.items():
        with pytest.raises(StoreError) as caught:
            open_store(location)
        message = str(caught.value)
        assert message.startswith(f"cannot open database at {location}: ") and words in message, message
        assert "\n" not in message
    with pytest.raises(StoreError, match="no database at"):
        open_store(str(tmp_path / "absent.db"), create=False)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open database at .*garbage.db: file is not a database"):
        open_store(str(garbage))


def test_migrations_run_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from armstrace.store import db, schema

    calls: list[int] = []

    def second_migration(conn) -> None:
        calls.append(2)
        conn.exec_driver_sql("ALTER TABLE documents ADD COLUMN language TEXT")

    path = str(tmp_path / "migrate.db")
    open_store(path).close()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, second_migration])
    monkeypatch.setattr(db, "MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with open_store(path) as migrated:
        assert migrated.schema_version() == len(schema.MIGRATIONS)
    open_store(path).close()
    assert calls == [2]
    columns = [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(documents)")]
    assert "language" in columns
