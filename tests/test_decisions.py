"""Analysts' decisions: stored apart, applied at once, replayed after re-fusion and re-extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from armstrace.fuse import rebuild
from armstrace.fuse.review import DecisionError, decide, list_decisions
from armstrace.store import open_store
from fusehelpers import event, item, stance
from test_fuse_store import CORPUS, _ingest


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(str(tmp_path / "decide.db"))
    _ingest(s, CORPUS)
    yield s
    s.close()


def _event(store, family: str, type: str = "transfer", recipient: str = "RUS") -> dict:
    found = [e for e in store.events(type=type, recipient=recipient, with_claims=True) if e["item_family"] == family]
    assert len(found) == 1, found
    return found[0]


def _reextract(store, version: str) -> None:
    """A newer extractor reads every document again (new claim ids, same facts, re-worded evidence)."""
    corpus = []
    for name, published, source, evs in CORPUS:
        reworded = []
        for e in evs:
            e = dict(e)
            e["evidence"] = [{"sentence": f"Re-read by extractor {version}.", "start": 0, "end": 10}]
            reworded.append(e)
        corpus.append((name, published, source, reworded))
    _ingest(store, corpus, version=version)


def test_reject_survives_reextraction_and_rebuild(store):
    drone = _event(store, "uav")
    decision_id, on = decide(store, drone["id"][:6], "reject", author="ana", note="test rejection")
    assert on == drone["id"]
    assert store.event(drone["id"])["review"]["status"] == "rejected"
    old_claims = {c["id"] for c in drone["claims"]}

    _reextract(store, "2")
    after = _event(store, "uav")
    assert not ({c["id"] for c in after["claims"]} & old_claims)  # all claims are new
    assert after["review"]["status"] == "rejected" and after["review"]["author"] == "ana"
    rebuild(store)
    assert _event(store, "uav")["review"]["status"] == "rejected"
    listed = list_decisions(store)
    assert [(d["id"], d["action"], d["in_force_on"]) for d in listed] == [(decision_id, "reject", after["id"])]


def test_merge_across_families_then_split(store):
    drone, missile = _event(store, "uav"), _event(store, "ballistic_missile")
    _, merged_into = decide(store, drone["id"], "merge", other=missile["id"], author="ana")
    assert merged_into == drone["id"]
    merged = store.event(drone["id"])
    assert len(merged["claims"]) == len(drone["claims"]) + len(missile["claims"])
    assert store.event(missile["id"]) is None

    # split the missile claim out again
    missile_claim = missile["claims"][0]["id"]
    _, kept_on = decide(store, drone["id"], "split", claim_ids=[missile_claim], author="bo")
    assert kept_on == drone["id"]
    back = store.event(drone["id"])
    assert missile_claim not in {c["id"] for c in back["claims"]}
    split_off = [e for e in store.events(type="transfer", recipient="RUS", with_claims=True)
                 if missile_claim in {c["id"] for c in e["claims"]}]
    assert len(split_off) == 1 and split_off[0]["id"] not in (drone["id"], missile["id"])

    # both survive a re-extraction that changes every claim id
    _reextract(store, "2")
    ids = sorted(e["id"] for e in store.events(type="transfer", recipient="RUS"))
    assert ids == sorted([drone["id"], split_off[0]["id"]])
    assert [len(list_decisions(store, i)) for i in ids] in ([2, 1], [1, 2])


def test_correct_and_link(store):
    drone = _event(store, "uav")
    decide(store, drone["id"], "correct", field="quantity", value="200-999", author="ana")
    decide(store, drone["id"], "correct", field="status", value="agreed", author="ana")
    corrected = store.event(drone["id"])
    assert corrected["quantity"]["min"] == 200 and corrected["status"] == "agreed"
    assert corrected["corrections"][0]["field"] == "quantity"

    # re-link "Tajikistan" in the production event to another id: the event moves block
    production = _event(store, "uav", type="production", recipient="TJK")
    _, moved = decide(store, production["id"], "link", mention="Tajikistan", entity_id="org:test-dushanbe-plant")
    assert moved is not None and moved != production["id"]
    relinked = store.event(moved)
    assert relinked["recipient"]["id"] == "org:test-dushanbe-plant"
    assert store.events(type="production", recipient="TJK") == []
    _reextract(store, "3")
    assert store.events(type="production", recipient="TJK") == []
    assert store.event(moved)["recipient"]["id"] == "org:test-dushanbe-plant"
    assert store.event(drone["id"])["status"] == "agreed"


def test_bad_decisions_fail_with_one_clear_message(store):
    drone = _event(store, "uav")
    with pytest.raises(DecisionError, match="no event"):
        decide(store, "ffffffffffff", "accept")
    with pytest.raises(DecisionError, match="cannot correct"):
        decide(store, drone["id"], "correct", field="colour", value="red")
    with pytest.raises(DecisionError, match="leave at least one"):
        decide(store, drone["id"], "split", claim_ids=[c["id"] for c in drone["claims"]])
    with pytest.raises(DecisionError, match="itself"):
        decide(store, drone["id"], "merge", other=drone["id"])
    assert list_decisions(store) == []


def test_decision_made_before_new_evidence_follows_its_event(store):
    drone = _event(store, "uav")
    decide(store, drone["id"], "accept", author="ana")
    # An earlier report arrives: the event's first year, hence its id, changes.
    _ingest(store, [("early", "2021-12-01", "Outlet C",
                     [event(status="planned", items=[item("uav")], stances=[stance("GBR", "asserts")])])])
    now = _event(store, "uav")
    assert now["id"] != drone["id"]
    assert now["review"]["status"] == "accepted"
