"""Fusion against real SQLite stores: incremental, idempotent, order-independent, re-extraction."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from armstrace.fuse import fuse_claims, rebuild
from armstrace.fuse.engine import FuseReport
from armstrace.model import Document, DocumentResult, Event
from armstrace.store import open_store
from armstrace.store.schema import event_claims, events
from fusehelpers import event, item, stance


def _doc(name: str, published: str | None, source: str | None = None) -> Document:
    # The text decides a document's id; it is made up here and not from any article.
    return Document(text=f"Invented test article {name}.", path=f"{name}.txt", title=name,
                    published=published, source=source)


def _result(name: str, published: str | None, events_: list[dict], version: str = "1",
            source: str | None = None) -> DocumentResult:
    return DocumentResult(_doc(name, published, source), [Event.from_dict(e) for e in events_], version)


CORPUS = [
    ("jul", "2022-07-12", "Outlet A", [
        event(status="planned", stances=[stance("USA", "asserts", "2022-07-11"), stance("IRN", "denies")]),
        event(type="training", status="planned"),
    ]),
    ("oct", "2022-10-20", "Outlet B", [
        event(status="delivered", items=[item("loitering_munition", "sys:shahed-136")],
              stances=[stance("USA", "asserts")]),
        event(status="planned", items=[item("ballistic_missile", "sys:fateh-110")]),
    ]),
    ("nov", "2022-11-06", "Outlet A", [
        event(status="delivered", items=[item("uav")], stances=[stance("IRN", "asserts", "2022-11-05")]),
    ]),
    ("taj", "2022-05-18", None, [
        event(type="production", recipient="TJK", items=[item("uav", "sys:ababil-2")]),
        event(type="offer", recipient=None, status=None, items=[item("military_equipment")]),
    ]),
]


def _ingest(store, corpus, version: str = "1") -> list[str]:
    touched = []
    for name, published, source, evs in corpus:
        new = store.add_result(_result(name, published, evs, version, source))
        touched += fuse_claims(store, new)
    return touched


def _snapshot(store) -> dict:
    with store.engine.connect() as conn:
        rows = {r.id: (r.type, r.supplier_id, r.recipient_id, r.status, r.sources, r.data, r.updated_at)
                for r in conn.execute(select(events))}
        links = sorted((r.event_id, r.claim_id) for r in conn.execute(select(event_claims)))
    return {"events": rows, "links": links}


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(str(tmp_path / "fuse.db"))
    yield s
    s.close()


def test_fuses_across_documents_into_one_transfer_with_ledger(store):
    _ingest(store, CORPUS)
    transfers = store.events(type="transfer", supplier="IRN", recipient="RUS")
    drones = [e for e in transfers if e["item_family"] == "uav"]
    assert len(drones) == 1, transfers
    drone = store.event(drones[0]["id"])
    assert len(drone["claims"]) == 3 and drone["sources"] == 2  # Outlet A twice, Outlet B
    assert drone["status"] == "delivered"
    assert [h["status"] for h in drone["status_history"]] == ["planned", "delivered"]
    timeline = [(s["actor"]["id"], s["polarity"], s["date"]) for s in drone["stance"]]
    assert timeline == [("USA", "asserts", "2022-07-11"), ("IRN", "denies", "2022-07-12"),
                        ("USA", "asserts", "2022-10-20"), ("IRN", "asserts", "2022-11-05")]
    assert drone["first_reported"] == "2022-07-12" and drone["last_reported"] == "2022-11-06"
    missiles = [e for e in transfers if e["item_family"] == "ballistic_missile"]
    assert len(missiles) == 1 and missiles[0]["status"] == "planned"
    assert {e["type"] for e in store.events(supplier="IRN")} == {"transfer", "training", "production", "offer"}


def test_reingest_and_refuse_change_nothing(store):
    _ingest(store, CORPUS)
    before = _snapshot(store)
    assert _ingest(store, CORPUS) == []  # the store reports no new claims
    report = FuseReport()
    fuse_claims(store, [c for _, cid in before["links"] for c in [cid]], report=report)
    assert report.created == [] and report.changed == [] and report.removed == []
    rebuilt = rebuild(store)
    assert rebuilt.created == [] and rebuilt.changed == [] and rebuilt.removed == []
    assert _snapshot(store) == before


def test_arrival_order_does_not_change_events(tmp_path: Path):
    snapshots = []
    for seed in range(4):
        corpus = CORPUS[:]
        random.Random(seed).shuffle(corpus)
        s = open_store(str(tmp_path / f"order{seed}.db"))
        _ingest(s, corpus)
        snap = _snapshot(s)
        snapshots.append({eid: row[:6] for eid, row in snap["events"].items()} | {"links": snap["links"]})
        s.close()
    assert all(snap == snapshots[0] for snap in snapshots[1:])


def test_new_extractor_version_replaces_a_documents_claims(store):
    _ingest(store, CORPUS, version="1")
    drone = next(e for e in store.events(type="transfer", recipient="RUS") if e["item_family"] == "uav")
    old_ids = {c["id"] for c in store.event(drone["id"])["claims"]}
    # The newer extractor reads "nov" as a missile transfer instead of a drone one.
    reread = [("nov", "2022-11-06", "Outlet A",
               [event(status="delivered", items=[item("ballistic_missile", "sys:fateh-110")])])]
    _ingest(store, reread, version="2")
    drone_after = store.event(drone["id"]) or next(
        e for e in store.events(type="transfer", recipient="RUS", with_claims=True) if e["item_family"] == "uav")
    claims_after = {c["id"] for c in drone_after["claims"]}
    assert len(claims_after) == 2 and claims_after < old_ids
    missile = next(e for e in store.events(type="transfer", recipient="RUS", with_claims=True)
                   if e["item_family"] == "ballistic_missile")
    assert missile["status"] == "delivered" and len(missile["claims"]) == 2
    # the old version's claim of "nov" is no longer in any event
    with store.engine.connect() as conn:
        linked = set(conn.execute(select(event_claims.c.claim_id)).scalars())
    stale = old_ids - claims_after
    assert stale and not (stale & linked)


def test_rebuild_recreates_events_after_they_are_wiped(store):
    _ingest(store, CORPUS)
    before = _snapshot(store)
    with store.transaction() as conn:
        conn.execute(event_claims.delete())
        conn.execute(events.delete())
    report = rebuild(store)
    assert len(report.created) == len(before["events"])
    after = _snapshot(store)
    assert {k: v[:6] for k, v in after["events"].items()} == {k: v[:6] for k, v in before["events"].items()}
    assert after["links"] == before["links"]


def _random_corpus(seed: int, docs: int) -> list:
    """Dense, collision-prone claims: few parties, families and systems, undated ones too."""
    rng = random.Random(seed)
    corpus = []
    for number in range(docs):
        published = rng.choice([None, f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-15"])
        evs = []
        for _ in range(rng.randint(1, 3)):
            family = rng.choice(["uav", "loitering_munition", "ballistic_missile", "military_equipment"])
            system = rng.choice([None, None, "sys:alpha", "sys:beta"]) if family != "military_equipment" else None
            if family == "ballistic_missile" and system:
                system = "sys:gamma"
            year = rng.randint(2010, 2024)
            evs.append(event(
                type=rng.choice(["transfer", "transfer", "production"]),
                supplier=rng.choice(["IRN", "TUR"]), recipient=rng.choice(["RUS", "VEN", None]),
                items=[item(family, system)] + ([item("ballistic_missile")] if rng.random() < 0.1 else []),
                status=rng.choice(["planned", "agreed", "delivered"]),
                time=rng.choice([None, (str(year), str(year)), (f"{year}-0{rng.randint(1, 9)}", None)]),
                stances=[stance(rng.choice(["USA", "IRN"]), rng.choice(["asserts", "denies"]))],
                sentence=f"Invented sentence {seed}-{number}-{len(evs)}.",
            ))
        corpus.append((f"gen{seed}-{number}", published, rng.choice([None, "A", "B", "C"]), evs))
    return corpus


def test_incremental_fusion_equals_a_full_rebuild_in_any_order(tmp_path: Path):
    corpus = _random_corpus(11, 120)
    snapshots = []
    for order in range(3):
        shuffled = corpus[:]
        random.Random(order).shuffle(shuffled)
        s = open_store(str(tmp_path / f"inc{order}.db"))
        # documents arrive in batches of varying size, as the pipeline hands them over
        position = 0
        rng = random.Random(100 + order)
        while position < len(shuffled):
            size = rng.randint(1, 9)
            new = []
            for name, published, source, evs in shuffled[position:position + size]:
                new += s.add_result(_result(name, published, evs, "1", source))
            fuse_claims(s, new)
            position += size
        incremental = _snapshot(s)
        report = rebuild(s)
        assert (report.created, report.changed, report.removed) == ([], [], []), order
        assert _snapshot(s) == incremental
        snapshots.append({eid: row[:6] for eid, row in incremental["events"].items()} | {"links": incremental["links"]})
        s.close()
    assert len(snapshots[0]) > 20
    assert snapshots[1] == snapshots[0] and snapshots[2] == snapshots[0]
