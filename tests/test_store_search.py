"""Text search over events and the read indexes of schema migration 2, on real SQLite files.

The search is built from the matching side (documents found by FTS5, then
their claims and events; names through their distinct values), so these
tests pin what it must still mean: an event matches when an article behind
it matches or its supplier's or recipient's name contains the text.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from armstrace.model import Event, Evidence, Item, Stance
from armstrace.store import SCHEMA_VERSION, open_store
from armstrace.store.schema import READ_INDEXES, SUPERSEDED_INDEXES
from conftest import make_result, ref

ARTICLES = [
    # (supplier id, supplier name, recipient id, recipient name, sentence, published)
    ("IRN", "Iran", "RUS", "Russia", "Iran delivered Shahed drones to Russia.", "2022-10-01"),
    ("IRN", "Iran", "org:houthis", "Houthis", "Iran shipped rifles to the Houthis.", "2021-03-01"),
    ("TUR", "Turkey", "UKR", "Ukraine", "Ankara sold Bayraktar aircraft to Kyiv.", "2021-05-02"),
    ("USA", "United States", "UKR", "Ukraine", "Washington sent HIMARS launchers.", "2023-01-09"),
    ("DEU", "Germany", "UKR", "Ukraine", "Berlin delivered IRIS-T systems.", "2023-02-10"),
    ("RUS", "Russia", "SYR", "Syria", "Moscow supplied jets to Damascus.", "2016-06-01"),
]


def _event(supplier: tuple[str, str], recipient: tuple[str, str], sentence: str) -> Event:
    return Event(
        type="transfer",
        supplier=ref(*supplier),
        recipient=ref(*recipient),
        items=[Item("uav", None)],
        status="delivered",
        stance=[Stance(ref("USA", "United States"), "asserts")],
        evidence=[Evidence(sentence, 0, len(sentence))],
    )


def _fill(store) -> dict[str, str]:
    """One article, claim and event per ARTICLES row; returns sentence -> event id."""
    by_sentence = {}
    for supplier_id, supplier, recipient_id, recipient, sentence, published in ARTICLES:
        event = _event((supplier_id, supplier), (recipient_id, recipient), sentence)
        result = make_result(text=sentence, events=[event], published=published, path=f"{published}.txt")
        claim_ids = store.add_result(result)
        claim = store.claims(claim_ids)[0]
        by_sentence[sentence] = store.upsert_event(dict(claim["event"], id=f"ev-{published}"), claim_ids)
    return by_sentence


def _sentences_of(found: list[dict], by_sentence: dict[str, str]) -> set[str]:
    wanted = {event["id"] for event in found}
    return {sentence for sentence, event_id in by_sentence.items() if event_id in wanted}


@pytest.fixture
def filled(tmp_path: Path):
    with open_store(str(tmp_path / "search.db")) as store:
        yield store, _fill(store)


def test_text_matches_articles_and_actor_names(filled) -> None:
    store, by_sentence = filled

    def found(**filters) -> set[str]:
        events = store.events(**filters)
        assert store.count_events(**filters) == len(events)
        assert {e["id"] for e in store.iter_events(with_claims=False, **filters)} == {e["id"] for e in events}
        return _sentences_of(events, by_sentence)

    # Article words (whole words, all of them, diacritics folded by FTS5).
    assert found(text="Bayraktar") == {"Ankara sold Bayraktar aircraft to Kyiv."}
    assert found(text="delivered") == {"Iran delivered Shahed drones to Russia.", "Berlin delivered IRIS-T systems."}
    assert found(text="delivered Shahed") == {"Iran delivered Shahed drones to Russia."}
    # A name matches as a case-insensitive substring, as supplier or as recipient,
    # though the article never says it ("Ukraine" only appears as a name).
    assert found(text="ukrain") == {
        "Ankara sold Bayraktar aircraft to Kyiv.",
        "Washington sent HIMARS launchers.",
        "Berlin delivered IRIS-T systems.",
    }
    assert found(text="RUSSIA") == {"Iran delivered Shahed drones to Russia.", "Moscow supplied jets to Damascus."}
    assert found(text="united states") == {"Washington sent HIMARS launchers."}
    # Article or name, with other filters on top.
    assert found(text="Iran", recipient="org:houthis") == {"Iran shipped rifles to the Houthis."}
    assert found(text="Ukraine", since="2023") == {
        "Washington sent HIMARS launchers.",
        "Berlin delivered IRIS-T systems.",
    }
    # Nothing, and LIKE/FTS syntax taken literally.
    assert found(text="Leopard") == set()
    assert found(text="%") == set() and found(text="_") == set()
    assert found(text='"drones OR') == set()
    # Blank text is no filter, not an error.
    assert found(text="   ") == found() == set(by_sentence)
    assert len(store.documents(text=" \t ")) == len(ARTICLES)


def test_text_search_keeps_the_list_order_and_pages(filled) -> None:
    store, _ = filled
    everything = [e["id"] for e in store.events()]
    matched = [e["id"] for e in store.events(text="ukraine")]
    # The same order as the unfiltered list, and pages that tile it.
    assert matched == [event_id for event_id in everything if event_id in set(matched)]
    pages = store.events(text="ukraine", limit=2) + store.events(text="ukraine", limit=2, offset=2)
    assert [e["id"] for e in pages] == matched


def test_text_search_follows_relinked_claims(filled) -> None:
    """The search reads links as they are now: unlinking a claim takes its article's words away."""
    store, by_sentence = filled
    event_id = by_sentence["Ankara sold Bayraktar aircraft to Kyiv."]
    assert store.count_events(text="Ankara") == 1
    store.unlink_claims(event_id)
    assert store.count_events(text="Ankara") == 0
    assert store.count_events(text="Turkey") == 1  # its supplier's name still matches
    store.delete_event(event_id)
    assert store.count_events(text="Turkey") == 0


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_new_store_has_the_read_indexes(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_store(str(path)).close()
    present = _indexes(path)
    assert set(READ_INDEXES) <= present
    assert not set(SUPERSEDED_INDEXES) & present


def test_store_of_schema_1_gets_the_read_indexes_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from armstrace.store import db, schema

    path = tmp_path / "old.db"
    # A database as armstrace with only migration 1 wrote it, with data in it.
    with monkeypatch.context() as old_version:
        old_version.setattr(db, "MIGRATIONS", schema.MIGRATIONS[:1])
        old_version.setattr(db, "SCHEMA_VERSION", 1)
        with open_store(str(path)) as old:
            by_sentence = _fill(old)
            assert old.schema_version() == 1
            before = {e["id"] for e in old.events(text="ukraine")}
    assert not set(READ_INDEXES) & _indexes(path)
    assert set(SUPERSEDED_INDEXES) <= _indexes(path)

    with open_store(str(path)) as store:
        assert store.schema_version() == SCHEMA_VERSION == 2
        assert {e["id"] for e in store.events(text="ukraine")} == before
        assert store.count_all_events() == len(by_sentence)
    present = _indexes(path)
    assert set(READ_INDEXES) <= present
    assert not set(SUPERSEDED_INDEXES) & present
    with sqlite3.connect(path) as raw:
        # Indexes made over existing rows come with planner statistics.
        analysed = {row[0] for row in raw.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
        assert {"events", "documents", "claims", "event_claims"} <= analysed
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_web_start_repairs_a_dropped_index(tmp_path: Path) -> None:
    from armstrace.web.indexes import ensure_indexes, existing_indexes

    path = tmp_path / "dropped.db"
    with open_store(str(path)) as store:
        _fill(store)
        assert ensure_indexes(store) == []  # the migration made them all
    with sqlite3.connect(path) as raw:
        raw.execute("DROP INDEX ix_web_events_order")
    with open_store(str(path)) as store:
        assert ensure_indexes(store) == ["ix_web_events_order"]
        assert set(READ_INDEXES) <= existing_indexes(store)


def test_statistics_are_refreshed_when_missing_or_stale(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    with open_store(str(path)) as store:
        assert store.refresh_statistics() is False  # nothing stored, nothing to describe
        by_sentence = _fill(store)  # indexes made on empty tables: no statistics yet
        assert store.refresh_statistics() is True
        assert store.refresh_statistics() is False  # fresh now
        with sqlite3.connect(path) as raw:
            assert raw.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'events'").fetchone()[0] > 0
        # More than twice the events the statistics describe: stale.
        event = store.event(next(iter(by_sentence.values())))
        record = {key: value for key, value in event.items() if key != "claims"}
        for n in range(2 * len(ARTICLES) + 1):
            store.upsert_event(dict(record, id=f"extra-{n}"), [event["claims"][0]["id"]])
        assert store.refresh_statistics() is True
        assert store.refresh_statistics() is False
