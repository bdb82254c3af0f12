"""The store and the pipeline on a real PostgreSQL server, held to the same behaviour as SQLite.

One throwaway server per test session (tests/pg_server.py: initdb into /tmp,
127.0.0.1 on a free port, stopped with `pg_ctl stop -m immediate` at the end);
every test gets its own database on it, named after this module and the test.
Skipped, with the reason, where no PostgreSQL server binaries are installed.

Store tests run twice, on PostgreSQL and on a SQLite file, with the same
assertions: the point is that the backends agree, so each assertion is one
both must pass. Tests that need both stores at once compare them directly.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from armstrace.fuse import fuse_claims
from armstrace.model import DocumentResult, EntityRef, Event, Evidence, Item, Stance, TimeSpan
from armstrace.store import SCHEMA_VERSION, Store, StoreError, open_store
from armstrace.store.schema import metadata
from conftest import REPO, SHARED, make_result, ref
from pg_server import PostgresServer

pytestmark = pytest.mark.postgres

BACKENDS = ["postgresql", "sqlite"]


# --- fixtures -------------------------------------------------------------------------


_database_numbers = itertools.count(1)


@pytest.fixture
def pg_url(postgres: PostgresServer, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database for this test (module name, number, test name)."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    return postgres.create_database(f"{module}_{next(_database_numbers)}_{request.node.name}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """The URL of a fresh store on each backend in turn."""
    if request.param == "sqlite":
        return sqlite_url
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


# --- hand-made input ------------------------------------------------------------------


def _event(
    sentence: str,
    supplier: EntityRef | None,
    recipient: EntityRef | None,
    category: str,
    system: EntityRef | None = None,
    status: str | None = None,
    when: tuple[str, str, str] | None = None,
    stance: list[Stance] | None = None,
    type: str = "transfer",
) -> Event:
    return Event(
        type=type,
        supplier=supplier,
        recipient=recipient,
        items=[Item(category, system)],
        status=status,
        time=TimeSpan(*when) if when else None,
        stance=stance or [],
        evidence=[Evidence(sentence, 0, len(sentence))],
    )


def _result(text: str, event: Event, **document: Any) -> DocumentResult:
    return make_result(text=text, events=[event], **document)


def filter_corpus() -> dict[str, DocumentResult]:
    """Six articles, one event each, every (type, supplier, recipient) different.

    Each becomes one fused event, so a filter's right answer is a set of these
    letters, read off the inputs below (dates, parties, words in the text).
    """
    a = "Iran delivered Shahed-136 drones to Russia in August 2022, US officials said."
    b = "North Korea shipped artillery shells to Russia by rail during 2023, according to South Korean intelligence."
    c = "Germany agreed to supply IRIS-T air defence systems to Ukraine."
    d = "Iran rejected claims that it armed the Houthis with ballistic missiles."
    e = "Türkiye's Baykar will build Bayraktar TB2 drones at a new plant near Kyiv from 2025."
    f = "Somebody may sell rifles to Mali, an anonymous blog claimed."
    usa = Stance(ref("USA", "United States"), "asserts")
    return {
        "A": _result(a, _event(a, ref("IRN", "Iran"), ref("RUS", "Russia"), "loitering_munition",
                               ref("sys:shahed-136", "Shahed-136"), "delivered", ("in August 2022", "2022-08", "2022-08"),
                               [usa]),
                     published="2022-10-01", source="example.org", title="Drones for Moscow", path="a.txt"),
        "B": _result(b, _event(b, ref("PRK", "North Korea"), ref("RUS", "Russia"), "ammunition", None, "delivered",
                               ("during 2023", "2023", "2023"), [Stance(ref("KOR", "South Korea"), "asserts")]),
                     published="2023-10-15", source="news.example", title="Trains of shells", path="b.txt"),
        "C": _result(c, _event(c, ref("DEU", "Germany"), ref("UKR", "Ukraine"), "air_defense",
                               ref("sys:iris-t", "IRIS-T"), "agreed"),
                     published="2022-06-01", source="Example.org", title="Air defence for Ukraine", path="c.txt"),
        "D": _result(d, _event(d, ref("IRN", "Iran"), ref("org:houthis", "Houthis"), "ballistic_missile",
                               stance=[Stance(ref("IRN", "Iran"), "denies")]),
                     published="2024-01-20", source="gulf.example", title="Denial", path="d.txt"),
        "E": _result(e, _event(e, ref("TUR", "Türkiye"), ref("UKR", "Ukraine"), "uav",
                               ref("sys:bayraktar-tb2", "Bayraktar TB2"), "planned", ("from 2025", "2025", "2025"),
                               type="production"),
                     published="2023-03-05", source="ankara.example", title="Plant near the capital", path="e.txt"),
        # No date anywhere: the event has no span, and sorts among undated ones.
        "F": _result(f, _event(f, None, ref("MLI", "Mali"), "small_arms", status="speculative"),
                     published=None, source=None, title=None, path="f.txt"),
    }  # fmt: skip


def load_filter_corpus(store: Store) -> dict[str, str]:
    """Store and fuse the corpus; letter → the id of the event holding its claim."""
    corpus = filter_corpus()
    claim_of: dict[str, str] = {}
    for letter, result in corpus.items():
        (claim_id,) = store.add_result(result)
        claim_of[letter] = claim_id
    fuse_claims(store, list(claim_of.values()))
    events_of = store.event_ids_for_claims(claim_of.values())
    assert all(len(events_of[claim]) == 1 for claim in claim_of.values()), events_of
    event_of = {letter: events_of[claim][0] for letter, claim in claim_of.items()}
    assert len(set(event_of.values())) == len(corpus), "each article must be its own event"
    return event_of


# --- 1. schema --------------------------------------------------------------------------


def test_open_store_creates_the_schema(store_url: str) -> None:
    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.dialect == store_url.split(":", 1)[0].split("+")[0]
        found = inspect(store.engine)
        assert set(metadata.tables) <= set(found.get_table_names())
        for name, table in metadata.tables.items():
            assert {c["name"] for c in found.get_columns(name)} == set(table.columns.keys()), name
        indexes = {index["name"] for index in found.get_indexes("events")}
        assert "ix_events_block" in indexes
        assert store.count_documents() == store.count_claims() == store.count_all_events() == 0


def test_reopening_is_a_no_op(store_url: str) -> None:
    with open_store(store_url) as store:
        claim_ids = store.add_result(make_result())
        fuse_claims(store, claim_ids)
        events_before = store.events(with_claims=True)
        with store.engine.connect() as conn:
            meta_before = conn.execute(text("SELECT key, value FROM meta ORDER BY key")).all()
    for _ in range(2):
        with open_store(store_url) as again:
            assert again.schema_version() == SCHEMA_VERSION
            assert again.count_documents() == 1 and again.count_claims() == 1
            assert again.events(with_claims=True) == events_before
            with again.engine.connect() as conn:
                assert conn.execute(text("SELECT key, value FROM meta ORDER BY key")).all() == meta_before


def test_newer_schema_is_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add_result(make_result())
    newer = str(SCHEMA_VERSION + 1)
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": newer})
    engine.dispose()
    with pytest.raises(StoreError) as raised:
        open_store(store_url)
    message = str(raised.value)
    assert "\n" not in message
    assert f"schema version {newer} is newer than this armstrace ({SCHEMA_VERSION}); upgrade armstrace" in message
    # Refusing must not touch the database.
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar() == newer
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar() == 1
    engine.dispose()


# --- 2. idempotent writes ---------------------------------------------------------------


def test_adding_the_same_result_twice_stores_it_once(
    store: Store, result_factory: Callable[..., DocumentResult]
) -> None:
    result = result_factory(
        text="Türkiye sold Bayraktar TB2 drones to Ukraine — officials in Kyiv said „confirmed“.",
        source="kyiv.example",
        events=[
            _event("Türkiye sold Bayraktar TB2 drones to Ukraine", ref("TUR", "Türkiye"), ref("UKR", "Ukraine"),
                   "uav", ref("sys:bayraktar-tb2", "Bayraktar TB2"), "delivered", ("2022", "2022", "2022"),
                   [Stance(ref("UKR", "Ukraine"), "asserts", ref("person:oleksii-reznikov", "Oleksii Reznikov"))]),
            _event("Türkiye sold Bayraktar TB2 drones to Ukraine", ref("TUR", "Türkiye"), ref("POL", "Poland"),
                   "uav", ref("sys:bayraktar-tb2", "Bayraktar TB2"), "agreed"),
        ],
    )  # fmt: skip
    first = store.add_result(result)
    assert len(first) == 2
    stored_claims = store.claims_for_document(result.document.id)
    assert sorted(c["id"] for c in stored_claims) == sorted(first)

    assert store.add_result(result) == []
    # The same article rebuilt from scratch, and read from another path: still the same document.
    again = result_factory(text=result.document.text, events=result.events, source="kyiv.example", path="copy.txt")
    assert store.add_result(again) == []
    assert store.count_documents() == 1
    assert store.count_claims() == 2
    assert store.claims_for_document(result.document.id) == stored_claims
    document = store.document(result.document.id)
    assert document is not None and document["text"] == result.document.text  # unicode round trip
    assert {e["id"] for e in store.entities()} == {
        "TUR", "UKR", "POL", "sys:bayraktar-tb2", "person:oleksii-reznikov"
    }  # fmt: skip

    # A new extractor version adds claims beside the old ones and makes them current.
    newer = result_factory(text=result.document.text, events=result.events[:1], version="test-2")
    added = store.add_result(newer)
    assert len(added) == 1 and added[0] not in first
    assert [c["id"] for c in store.claims_for_document(result.document.id)] == added
    assert store.count_documents() == 1 and store.count_claims() == 3
    assert store.add_result(newer) == []


def test_stored_records_are_identical_on_both_backends(pg_url: str, sqlite_url: str) -> None:
    corpus = filter_corpus()
    with open_store(pg_url) as pg, open_store(sqlite_url) as lite:
        for result in corpus.values():
            assert pg.add_result(result) == lite.add_result(result)
        for result in corpus.values():
            doc_id = result.document.id
            assert _without(pg.document(doc_id), "ingested_at") == _without(lite.document(doc_id), "ingested_at")
            assert pg.claims_for_document(doc_id) == lite.claims_for_document(doc_id)
        assert pg.entities() == lite.entities()


def _without(record: dict[str, Any] | None, *keys: str) -> dict[str, Any]:
    assert record is not None
    return {key: value for key, value in record.items() if key not in keys}


# --- 3. event filters -------------------------------------------------------------------


def _letters(event_of: dict[str, str], found: list[dict[str, Any]]) -> set[str]:
    letter_of = {event_id: letter for letter, event_id in event_of.items()}
    return {letter_of[event["id"]] for event in found}


FILTERS: list[tuple[dict[str, str], set[str]]] = [
    ({}, set("ABCDEF")),
    ({"supplier": "Iran"}, {"A", "D"}),
    ({"supplier": "IRN"}, {"A", "D"}),
    ({"supplier": "iran"}, {"A", "D"}),
    ({"recipient": "Russia"}, {"A", "B"}),
    ({"recipient": "Houthis"}, {"D"}),
    ({"recipient": "org:houthis"}, {"D"}),
    ({"supplier": "Iran", "recipient": "Russia"}, {"A"}),
    ({"type": "production"}, {"E"}),
    ({"type": "transfer"}, set("ABCDF")),
    ({"status": "delivered"}, {"A", "B"}),
    ({"status": "speculative"}, {"F"}),
    ({"supplier": "Iran", "status": "delivered"}, {"A"}),
    ({"system": "Shahed-136"}, {"A"}),
    ({"system": "sys:iris-t"}, {"C"}),
    # since/until: the event's time, else its reporting dates; F has neither.
    ({"since": "2023"}, {"B", "D", "E"}),
    ({"until": "2022-12"}, {"A", "C"}),
    ({"since": "2022-07", "until": "2022-09"}, {"A"}),
    ({"since": "2024-01-20", "until": "2024-01-20"}, {"D"}),
    ({"since": "2024-01-21", "until": "2024-12-31"}, set()),
    ({"since": "2022", "until": "2022", "recipient": "Ukraine"}, {"C"}),
    # text: every word, anywhere in the title or text, any case; or a party's name.
    ({"text": "Kyiv"}, {"E"}),
    ({"text": "KYIV"}, {"E"}),
    ({"text": "rail intelligence"}, {"B"}),
    ({"text": "rail Kyiv"}, set()),
    ({"text": "trains"}, {"B"}),  # in B's title only
    ({"text": "Houthis"}, {"D"}),
    ({"text": "Türkiye"}, {"E"}),
    ({"text": "anonymous blog"}, {"F"}),
    ({"text": "zeppelin"}, set()),
    ({"text": "Iran", "status": "delivered"}, {"A"}),
]


def test_event_filters(store: Store) -> None:
    event_of = load_filter_corpus(store)
    for filters, expected in FILTERS:
        found = store.events(**filters)
        assert _letters(event_of, found) == expected, filters
        assert store.count_events(**filters) == len(expected), filters
        streamed = [e["id"] for e in store.iter_events(with_claims=False, **filters)]
        assert streamed == sorted(event_of[letter] for letter in expected), filters
    # Latest first, among the events that have a date at all.
    dated = [e for e in store.events() if e["id"] != event_of["F"]]
    starts = [((e.get("time") or {}).get("start") or e["first_reported"]) + "-01-01" for e in dated]
    starts = [start[:10] for start in starts]  # "2023" → "2023-01-01", "2022-08" → "2022-08-01"
    assert starts == sorted(starts, reverse=True)
    # limit/offset page through the same order.
    everything = [e["id"] for e in store.events()]
    assert [e["id"] for e in store.events(limit=2, offset=1)] == everything[1:3]
    # With claims: each event carries its article and evidence.
    (event_d,) = store.events(recipient="Houthis", with_claims=True)
    (claim,) = event_d["claims"]
    assert claim["doc"]["source"] == "gulf.example" and claim["doc"]["published"] == "2024-01-20"
    assert claim["evidence"][0]["sentence"].startswith("Iran rejected claims")
    assert store.event(event_of["D"]) == event_d


def test_document_filters(store: Store) -> None:
    corpus = filter_corpus()
    for result in corpus.values():
        store.add_result(result)
    letter_of = {result.document.id: letter for letter, result in corpus.items()}

    def letters(**filters: str) -> set[str]:
        return {letter_of[d["id"]] for d in store.documents(**filters)}

    assert letters(source="example.org") == {"A", "C"}  # outlet names compare case-insensitively
    assert letters(since="2023-10") == {"B", "D"}
    assert letters(until="2022-06-01") == {"C"}
    assert letters(text="air defence") == {"C"}
    assert letters(text="capital") == {"E"}  # title
    assert letters(text="drones", source="ANKARA.example") == {"E"}
    assert letters(text="nowhere to be found") == set()


def test_text_search_fallback_on_postgresql(pg_url: str) -> None:
    """PostgreSQL has no FTS5: text search is a case-insensitive substring match of every word.

    So, unlike SQLite's FTS5 (whole words, diacritics folded), a word matches
    inside a longer one, and accents must match.
    """
    with open_store(pg_url) as store:
        assert not store.has_fts
        event_of = load_filter_corpus(store)
        assert _letters(event_of, store.events(text="drone")) == {"A", "E"}  # inside "drones"
        assert _letters(event_of, store.events(text="SHAHED")) == {"A"}
        assert _letters(event_of, store.events(text="Turkiye")) == set()
        assert _letters(event_of, store.events(text="  rail   intel  ")) == {"B"}


# --- where the backends used to disagree (store bugs found here, fixed in d772e14) ------------


def test_listing_order_matches_sqlite(pg_url: str, sqlite_url: str) -> None:
    with open_store(pg_url) as pg, open_store(sqlite_url) as lite:
        pg_events, lite_events = load_filter_corpus(pg), load_filter_corpus(lite)
        assert pg_events == lite_events  # same ids on both: fusion is deterministic
        assert [e["id"] for e in pg.documents()] == [e["id"] for e in lite.documents()]
        assert [e["id"] for e in pg.events()] == [e["id"] for e in lite.events()]


def test_text_search_takes_wildcards_literally(pg_url: str) -> None:
    with open_store(pg_url) as store:
        load_filter_corpus(store)
        for wildcard in ("%", "_", "T_2"):
            assert store.documents(text=wildcard) == [], wildcard
            assert store.events(text=wildcard) == [], wildcard


def test_claims_of_an_event_are_listed_in_the_same_order(pg_url: str, sqlite_url: str) -> None:
    dated = make_result(published="2022-10-01", path="dated.txt")
    undated_text = "Iran delivered Shahed-136 drones to Russia in August, US officials said, a blog reported."
    undated = make_result(text=undated_text, published=None, source=None, path="undated.txt")
    listings = []
    for url in (pg_url, sqlite_url):
        with open_store(url) as store:
            fuse_claims(store, store.add_result(dated) + store.add_result(undated))
            (event,) = store.events(with_claims=True)  # one event, a claim from each article
            assert store.event(event["id"]) == event
            listings.append([claim["doc"]["path"] for claim in event["claims"]])
    assert sorted(listings[0]) == sorted(listings[1]) == ["dated.txt", "undated.txt"]
    assert listings[0] == listings[1]


# --- 4. the real pipeline into both backends ------------------------------------------------

DEV_ARTICLES = SHARED / "eval" / "dev"
# A handful of the test corpus, chosen for variety: a denial, an admission, sanctions, an export
# total, an offer, production, training, an unnamed donor, and an article with no event.
TEST_ARTICLES = [
    "t08_korea_record_exports.txt",
    "t11_treasury_engine_firms.txt",
    "t13_brahmos_offer.txt",
    "t15_egypt_rockets_denial.txt",
    "t17_iran_drone_admission.txt",
    "t34_baykar_ukraine_plant.txt",
    "t35_challenger_training.txt",
    "t38_tanks_unnamed_donor.txt",
    "t50_air_india_order.txt",
]


def corpus_paths() -> list[Path]:
    """The test corpus handful, plus the five real dev articles when ../shared is present."""
    paths = [REPO / "tests" / "data" / "articles" / name for name in TEST_ARTICLES]
    if DEV_ARTICLES.is_dir():
        paths += sorted(DEV_ARTICLES.resolve().glob("*.txt"))
    return paths


@pytest.fixture(scope="module")
def module_pg_url(postgres: PostgresServer, request: pytest.FixtureRequest) -> str:
    """This module's shared database (for the pipeline run the CLI test compares against)."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    return postgres.create_database(f"{module}_{next(_database_numbers)}_pipeline")


@pytest.fixture(scope="module")
def ingested(
    module_pg_url: str, extractor: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The corpus ingested by the real pipeline into PostgreSQL and into a SQLite file."""
    from armstrace.pipeline import ingest_paths

    paths = [str(p) for p in corpus_paths()]
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('pipeline') / 'store.db'}"
    with open_store(module_pg_url) as pg, open_store(sqlite_url) as lite:
        summaries = {"postgresql": ingest_paths(paths, pg, extractor), "sqlite": ingest_paths(paths, lite, extractor)}
        yield {"paths": paths, "pg": pg, "sqlite": lite, "summaries": summaries}


def _event_records(store: Store) -> dict[str, dict[str, Any]]:
    """Every event with its claims, by id; claims sorted by id (their listed order differs between
    the backends, see test_claims_of_an_event_are_listed_in_the_same_order)."""
    found = {}
    for record in store.events(with_claims=True):
        record["claims"] = sorted(record["claims"], key=lambda claim: claim["id"])
        found[record["id"]] = record
    return found


def test_pipeline_gives_the_same_store_on_both_backends(ingested: dict[str, Any]) -> None:
    pg, lite = ingested["pg"], ingested["sqlite"]
    on_pg, on_lite = ingested["summaries"]["postgresql"], ingested["summaries"]["sqlite"]
    count = len(ingested["paths"])
    assert (on_pg.read, on_pg.new, on_pg.duplicate, on_pg.failed) == (count, count, 0, 0), on_pg.failures
    assert on_pg.to_dict() == on_lite.to_dict()
    assert sorted(on_pg.new_claims) == sorted(on_lite.new_claims)
    assert sorted(on_pg.events) == sorted(on_lite.events)

    # Documents: same ids, same stored text and metadata.
    pg_docs = {d["id"]: d for d in pg.documents(with_text=True)}
    lite_docs = {d["id"]: d for d in lite.documents(with_text=True)}
    assert len(pg_docs) == count and pg_docs.keys() == lite_docs.keys()
    for doc_id, document in pg_docs.items():
        assert _without(document, "ingested_at") == _without(lite_docs[doc_id], "ingested_at")
        # Claims: same ids and content, document by document.
        assert pg.claims_for_document(doc_id) == lite.claims_for_document(doc_id)
    assert pg.count_claims() == lite.count_claims() > count  # the corpus is not all "no event"
    assert pg.entities() == lite.entities()

    # Fused events: same ids, same records, same claims behind each.
    pg_events, lite_events = _event_records(pg), _event_records(lite)
    assert len(pg_events) >= 5
    assert pg_events.keys() == lite_events.keys()
    for event_id, record in pg_events.items():
        assert record == lite_events[event_id], event_id
    assert pg.unfused_claim_ids() == lite.unfused_claim_ids() == []
    # Every current claim is behind exactly the same events on both.
    claim_ids = [claim["id"] for doc_id in pg_docs for claim in pg.claims_for_document(doc_id)]
    assert pg.event_ids_for_claims(claim_ids) == lite.event_ids_for_claims(claim_ids)


def test_pipeline_rerun_on_postgresql_changes_nothing(ingested: dict[str, Any], extractor: Any) -> None:
    from armstrace.pipeline import ingest_paths

    pg = ingested["pg"]
    before = _event_records(pg)
    again = ingest_paths(ingested["paths"], pg, extractor)
    count = len(ingested["paths"])
    assert (again.read, again.new, again.duplicate, again.failed) == (count, 0, count, 0)
    assert again.new_claims == [] and again.events == []
    assert _event_records(pg) == before


def test_a_nul_character_lands_on_postgresql_as_on_sqlite(
    pg_url: str, sqlite_url: str, extractor: Any, tmp_path: Path
) -> None:
    from armstrace.pipeline import ingest_paths

    records = [
        {"text": "Iran delivered Shahed-136 drones\u0000 to Russia in August 2022, US officials said.",
         "published": "2022-10-01"},
        {"text": "North Korea shipped artillery shells to Russia by rail in 2023, Seoul said.", "published": "2023-10-15"},
        {"text": "Germany agreed to supply IRIS-T air defence systems to Ukraine, Berlin said.", "published": "2022-06-01"},
    ]  # fmt: skip
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    summaries = {}
    for name, url in (("postgresql", pg_url), ("sqlite", sqlite_url)):
        with open_store(url) as store:
            summary = ingest_paths([str(feed)], store, extractor)
            summaries[name] = (summary.read, summary.new, summary.failed, store.count_documents())
    assert summaries["sqlite"] == (3, 3, 0, 3)
    assert summaries["postgresql"] == summaries["sqlite"]


# --- 5. the CLI on PostgreSQL ------------------------------------------------------------------


KEY_FIELDS = ("type", "supplier", "recipient", "items", "status", "time", "sources")


def test_cli_ingest_then_events_on_postgresql(
    cli: Callable[..., Any], pg_url: str, ingested: dict[str, Any]
) -> None:
    from conftest import summary_of

    paths = ingested["paths"]
    done = cli("ingest", *paths, "--db", pg_url, "--quiet")
    assert done.returncode == 0, done.stderr
    assert summary_of(done.stderr) == (len(paths), len(paths), 0, 0)

    listed = cli("events", "--db", pg_url, "--format", "jsonl")
    assert listed.returncode == 0, listed.stderr
    records = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    # The same events as the library run into SQLite, with the same key fields and claims.
    expected = _event_records(ingested["sqlite"])
    assert {r["id"] for r in records} == expected.keys()
    for record in records:
        wanted = expected[record["id"]]
        assert {k: record.get(k) for k in KEY_FIELDS} == {k: wanted.get(k) for k in KEY_FIELDS}
        assert sorted(c["id"] for c in record["claims"]) == [c["id"] for c in wanted["claims"]]
        assert all(c["evidence"] and c["doc"]["path"] for c in record["claims"])

    # A filter goes through to PostgreSQL too.
    some = records[0]
    supplier = (some.get("supplier") or {}).get("id")
    if supplier:
        filtered = cli("events", "--db", pg_url, "--format", "jsonl", "--supplier", supplier)
        assert filtered.returncode == 0, filtered.stderr
        found = {json.loads(line)["id"] for line in filtered.stdout.splitlines() if line.strip()}
        assert found == {e["id"] for e in ingested["sqlite"].events(supplier=supplier)}
        assert some["id"] in found

    # Re-running the CLI ingest is a no-op: every article is a duplicate.
    again = cli("ingest", *paths, "--db", pg_url, "--quiet")
    assert again.returncode == 0, again.stderr
    assert summary_of(again.stderr) == (len(paths), 0, len(paths), 0)


def test_cli_takes_a_bare_postgresql_url(cli: Callable[..., Any], pg_url: str) -> None:
    bare = pg_url.replace("postgresql+psycopg2://", "postgresql://")
    assert bare.startswith("postgresql://")
    with open_store(pg_url):
        pass  # an empty store with the schema, so that `events` has something to open
    listed = cli("events", "--db", bare, "--format", "jsonl")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ""
