"""End to end over the five dev articles: the real pipeline, extractor and SQLite store, then fusion.

These depend on extraction quality as much as on fusion; a failure here may
be either's. The articles are read from ../shared (never copied); without
them the tests skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from armstrace.fuse.review import decide, list_decisions
from armstrace.store import open_store
from armstrace.store.schema import event_claims, events

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
DEV = SHARED / "eval" / "dev"
REGISTER = SHARED / "data" / "sipri" / "trade_register.csv"
ARTICLES = sorted(DEV.glob("*.txt")) if DEV.exists() else []

pytestmark = pytest.mark.skipif(len(ARTICLES) < 5, reason="dev articles in ../shared/eval/dev not present")


@pytest.fixture(scope="module")
def extractor():
    from armstrace.extract import Extractor

    return Extractor()


def _ingest(store, extractor):
    from armstrace.pipeline import ingest_paths

    return ingest_paths([str(p) for p in ARTICLES], store, extractor=extractor)


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory, extractor):
    store = open_store(str(tmp_path_factory.mktemp("dev") / "dev.db"))
    summary = _ingest(store, extractor)
    assert summary.new == 5 and summary.failed == 0
    yield store
    store.close()


def _drone_transfer(store) -> dict:
    found = [e for e in store.events(type="transfer", supplier="IRN", recipient="RUS", with_claims=True)
             if e.get("item_family") == "uav"]
    assert len(found) == 1, [(e["id"], e.get("items")) for e in found]
    return found[0]


def _snapshot(store) -> dict:
    with store.engine.connect() as conn:
        rows = {r.id: (r.data, r.updated_at, r.sources) for r in conn.execute(select(events))}
        links = sorted(tuple(r) for r in conn.execute(select(event_claims)))
    return {"events": rows, "links": links}


def test_iran_russia_drones_are_one_event_with_the_stance_history(dev_store):
    drone = _drone_transfer(dev_store)
    docs = {c["doc"]["id"] for c in drone["claims"]}
    assert len(docs) >= 3
    stance = {(s["actor"]["id"], s["polarity"]) for s in drone["stance"]}
    assert {("USA", "asserts"), ("IRN", "denies"), ("IRN", "asserts")} <= stance
    assert drone["status"] == "delivered"
    assert {h["status"] for h in drone["status_history"]} >= {"planned", "delivered"}
    dated = [s["date"] for s in drone["stance"] if s.get("date")]
    assert dated == sorted(dated)  # dated entries in order, undated ones after them
    assert all(s.get("date") for s in drone["stance"][: len(dated)])


@pytest.mark.xfail(strict=True, reason="extraction gives the stance entries no dates and the dev articles have no "
                                       "publication date, so the admission cannot be placed after the denial")
def test_the_iranian_admission_comes_after_the_denial(dev_store):
    drone = _drone_transfer(dev_store)
    admissions = [s["date"] for s in drone["stance"] if s["actor"]["id"] == "IRN" and s["polarity"] == "asserts"]
    denials = [s["date"] for s in drone["stance"] if s["actor"]["id"] == "IRN" and s["polarity"] == "denies"]
    us_claims = [s["date"] for s in drone["stance"] if s["actor"]["id"] == "USA" and s["polarity"] == "asserts"]
    assert admissions and all(admissions) and all(denials) and all(us_claims)
    assert min(us_claims) <= min(denials) < max(admissions)


def test_ingesting_the_same_files_again_changes_nothing(dev_store, extractor):
    before = _snapshot(dev_store)
    summary = _ingest(dev_store, extractor)
    assert summary.new == 0 and summary.duplicate == 5
    assert _snapshot(dev_store) == before


@pytest.mark.skipif(not REGISTER.exists(), reason="shared SIPRI register not present")
def test_compare_with_the_sipri_register(dev_store):
    from armstrace.sipri import compare, read_register

    result = compare([d.to_dict() for d in read_register(REGISTER)], dev_store.iter_events(with_claims=False))
    covered = {(r["deal"]["supplier_id"], r["deal"]["recipient_id"], r["deal"]["system_id"]) for r in result.covered}
    assert ("IRN", "RUS", "sys:shahed-136") in covered
    missing = [r["event"] for r in result.missing_from_register]
    tajik = [e for e in missing if e["type"] == "production" and (e["recipient"] or {}).get("id") == "TJK"]
    assert tajik and any((i.get("system") or {}).get("id") == "sys:ababil-2" for i in tajik[0]["items"])


def test_a_decision_survives_reextraction(tmp_path, extractor):
    store = open_store(str(tmp_path / "decide.db"))
    _ingest(store, extractor)
    drone = _drone_transfer(store)
    decision_id, on = decide(store, drone["id"], "correct", field="quantity", value="200-999", author="ana")
    assert on == drone["id"]
    rejected_id, _ = decide(store, _event_id(store, "training"), "reject", author="ana", note="test")
    old_claims = {c["id"] for c in drone["claims"]}

    newer = type(extractor)()
    newer.version = extractor.version + "+reread"  # a newer extractor: every claim gets a new id
    summary = _ingest(store, newer)
    assert summary.new == 5
    after = _drone_transfer(store)
    assert not ({c["id"] for c in after["claims"]} & old_claims)
    assert after["quantity"]["min"] == 200 and after["quantity"]["max"] == 999
    in_force = {d["id"]: d["in_force_on"] for d in list_decisions(store)}
    assert in_force[decision_id] == after["id"] and in_force[rejected_id] is not None
    assert store.event(in_force[rejected_id])["review"]["status"] == "rejected"
    store.close()


def _event_id(store, type_: str) -> str:
    found = store.events(type=type_, supplier="IRN", recipient="RUS")
    assert len(found) == 1
    return found[0]["id"]
