"""Fusion's pure logic: blocking, clustering, ids, the ledger (no store involved)."""

from __future__ import annotations

import itertools
import random

from armstrace.fuse.core import (
    block_keys,
    claim_families,
    current_claims,
    date_bounds,
    fuse,
    newest_version,
    version_key,
)
from armstrace.fuse.ledger import build_record, outlet_of, render_ledger
from fusehelpers import claim, item, stance


def _by_claims(events):
    return {tuple(e.claim_ids): e for e in events}


def test_named_system_joins_its_category_and_loitering_munition_counts_as_uav():
    claims = [
        claim("c1", "d1", "2022-10-01", items=[item("uav", "sys:shahed-136")]),
        claim("c2", "d2", "2022-10-05", items=[item("loitering_munition")]),
        claim("c3", "d3", "2022-10-09", items=[item("uav")]),
    ]
    events = fuse(claims)
    assert len(events) == 1
    assert events[0].claim_ids == ["c1", "c2", "c3"]
    record = build_record(events[0])
    systems = [i["system"]["id"] for i in record["items"] if i.get("system")]
    assert systems == ["sys:shahed-136"]
    # the bare "uav" is implied by the named drone and the loitering munition
    assert {i["category"] for i in record["items"]} <= {"uav", "loitering_munition"}
    assert "uav" not in [i["category"] for i in record["items"] if not i.get("system")]


def test_different_systems_of_different_categories_are_different_events():
    claims = [
        claim("c1", "d1", "2022-10-01", items=[item("uav", "sys:shahed-136")]),
        claim("c2", "d2", "2022-10-02", status="planned", items=[item("ballistic_missile", "sys:fateh-110")]),
    ]
    events = fuse(claims)
    assert len(events) == 2
    assert {e.key.family for e in events} == {"uav", "ballistic_missile"}


def test_different_systems_of_one_family_split_and_generic_claims_join_the_best_supported():
    claims = [
        claim("a1", "d1", "2022-10-01", items=[item("uav", "sys:shahed-136")]),
        claim("a2", "d2", "2022-10-03", items=[item("loitering_munition", "sys:shahed-136")]),
        claim("b1", "d3", "2022-10-04", items=[item("uav", "sys:mohajer-6")]),
        claim("g1", "d4", "2022-10-05", items=[item("uav")]),
    ]
    events = _by_claims(fuse(claims))
    assert set(events) == {("a1", "a2", "g1"), ("b1",)}
    assert events[("b1",)].lead_system == "sys:mohajer-6"


def test_a_claim_naming_two_systems_bridges_them():
    claims = [
        claim("a1", "d1", "2022-10-01", items=[item("uav", "sys:shahed-136")]),
        claim("b1", "d2", "2022-10-02", items=[item("uav", "sys:mohajer-6")]),
        claim("ab", "d3", "2022-10-03", items=[item("uav", "sys:shahed-136"), item("uav", "sys:mohajer-6")]),
    ]
    events = fuse(claims)
    assert len(events) == 1 and events[0].lead_system == "sys:mohajer-6"


def test_types_stay_apart_but_a_status_series_is_one_transfer():
    claims = [
        claim("o1", "d1", "2022-07-19", type="offer", recipient=None, status=None),
        claim("t1", "d2", "2022-07-20", status="planned"),
        claim("t2", "d3", "2022-09-01", status="agreed"),
        claim("t3", "d4", "2022-10-20", status="delivered"),
        claim("p1", "d5", "2022-11-01", type="production", status="agreed"),
        claim("r1", "d6", "2022-07-20", type="training", status="planned"),
    ]
    events = fuse(claims)
    assert sorted(e.key.type for e in events) == ["offer", "production", "training", "transfer"]
    transfer = next(e for e in events if e.key.type == "transfer")
    record = build_record(transfer)
    assert record["status"] == "delivered"
    history = [(h["status"], h["first_reported"], h["claims"]) for h in record["status_history"]]
    assert history == [("planned", "2022-07-20", ["t1"]), ("agreed", "2022-09-01", ["t2"]),
                       ("delivered", "2022-10-20", ["t3"])]
    offer = build_record(next(e for e in events if e.key.type == "offer"))
    assert offer["status"] is None


def test_claims_far_apart_in_time_are_different_events_with_distinct_ids():
    claims = [
        claim("old", "d1", "2015-03-01"),
        claim("new1", "d2", "2022-08-01"),
        claim("new2", "d3", "2023-06-01"),  # within the window of new1: one chain
        claim("undated", "d4", None),
    ]
    events = _by_claims(fuse(claims))
    assert set(events) == {("old",), ("new1", "new2", "undated")}
    assert events[("old",)].first_year == "2015" and events[("new1", "new2", "undated")].first_year == "2022"
    assert len({e.id for e in events.values()}) == 2


def test_text_time_wins_over_publication_date():
    # Published in 2022 but about 2015: groups with the 2015 report, not the 2022 one.
    claims = [
        claim("a", "d1", "2015-05-01"),
        claim("b", "d2", "2022-05-01", time=("2015", "2015")),
        claim("c", "d3", "2022-06-01"),
    ]
    assert set(_by_claims(fuse(claims))) == {("a", "b"), ("c",)}


def test_ids_and_groups_do_not_depend_on_arrival_order():
    rng = random.Random(7)
    claims = [
        claim(f"c{i}", f"d{i % 7}", f"20{rng.choice(['15', '16', '22', '23'])}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
              items=[item(rng.choice(["uav", "loitering_munition"]),
                          rng.choice([None, "sys:shahed-136", "sys:mohajer-6"]))],
              status=rng.choice(["planned", "delivered"]))
        for i in range(30)
    ]
    baseline = sorted((e.id, tuple(e.claim_ids)) for e in fuse(claims))
    assert len(baseline) > 2
    for _ in range(20):
        shuffled = claims[:]
        rng.shuffle(shuffled)
        assert sorted((e.id, tuple(e.claim_ids)) for e in fuse(shuffled)) == baseline
    # and incremental: fusing in any prefix order ends at the same events
    for perm in itertools.islice(itertools.permutations(claims[:5]), 10):
        assert sorted(e.id for e in fuse(list(perm))) == sorted(e.id for e in fuse(claims[:5]))


def test_multi_family_claim_bears_on_both_blocks_and_generic_only_without_specific():
    drones_and_missiles = claim("x", "d1", items=[item("uav"), item("ballistic_missile"), item("components")])
    assert sorted(claim_families(drones_and_missiles)) == ["ballistic_missile", "uav"]
    parts = claim("y", "d1", items=[item("components"), item("military_equipment")])
    assert len(claim_families(parts)) == 1
    assert [k.family for k in block_keys(claim("z", "d1", items=[]))] == ["none"]
    # a catalogue category for a system overrides the claim's category
    catalog = {"sys:shahed-136": "loitering_munition"}.get
    missile_named = claim("m", "d1", items=[item("ballistic_missile", "sys:shahed-136")])
    assert claim_families(missile_named, catalog) == ["uav"]


def test_stance_timeline_dates_and_order():
    claims = [
        claim("c3", "d3", "2022-11-06", source="Outlet C",
              stances=[stance("IRN", "asserts", "2022-11-05"), stance("IRN", "denies", "2022-07-13")]),
        claim("c1", "d1", "2022-07-12", source="Outlet A",
              stances=[stance("USA", "asserts", "2022-07-11")]),
        claim("c2", "d2", "2022-07-14", source="outlet a", stances=[stance("IRN", "denies")]),
        claim("c4", "d4", None, stances=[stance("UKR", "asserts")]),
    ]
    record = build_record(fuse(claims)[0])
    timeline = [(s["actor"]["id"], s["polarity"], s["date"]) for s in record["stance"]]
    assert timeline == [
        ("USA", "asserts", "2022-07-11"),
        ("IRN", "denies", "2022-07-13"),
        ("IRN", "denies", "2022-07-14"),  # the second article's denial, dated by its publication
        ("IRN", "asserts", "2022-11-05"),
        ("UKR", "asserts", None),  # no date anywhere: last
    ]
    assert record["stance"][2]["date_from"] == "published" and record["stance"][0]["date_from"] == "text"
    # "Outlet A" twice (case folded) + "Outlet C" + a document with no outlet
    assert record["sources"] == 3
    assert record["first_reported"] == "2022-07-12" and record["last_reported"] == "2022-11-06"
    assert [c["id"] for c in record["claims"]] == ["c1", "c2", "c3", "c4"]
    text = "\n".join(render_ledger(record))
    assert text.index("United States (USA) asserts") < text.index("Iran (IRN) asserts")


def test_outlets_fold_hosts_and_fall_back_to_the_document():
    assert outlet_of({"id": "x", "source": "www.Reuters.com"}) == outlet_of({"id": "y", "source": "reuters.com"})
    assert outlet_of({"id": "x", "url": "https://www.bbc.co.uk/news/1"}) == "bbc.co.uk"
    assert outlet_of({"id": "x"}) != outlet_of({"id": "y"})


def test_quantity_from_the_strongest_status_and_time_span():
    claims = [
        claim("a", "d1", "2022-07-12", status="planned", time=("2022-07", "2022-07"),
              quantity={"text": "several hundred", "min": 200, "max": 999}),
        claim("b", "d2", "2022-10-20", status="delivered", time=("2022-08", "2022-10"),
              quantity={"text": "about 400", "min": 400, "max": 400}),
    ]
    record = build_record(fuse(claims)[0])
    assert record["quantity"]["min"] == 400
    assert record["time"]["start"] == "2022-07" and record["time"]["end"] == "2022-10"


def test_dates_and_versions():
    assert date_bounds("2022")[1].isoformat() == "2022-12-31"
    assert date_bounds("2024-02")[1].isoformat() == "2024-02-29"
    assert date_bounds("nonsense") is None and date_bounds("2022-13") is None
    assert newest_version(["0.9", "0.10", "0.2"]) == "0.10"
    assert version_key("1.0+rules.2") < version_key("1.0+rules.10")
    claims = [claim("old", "d1", version="0.9"), claim("new", "d1", version="0.10"),
              claim("other", "d2", version="0.1")]
    assert sorted(c.id for c in current_claims(claims)) == ["new", "other"]
    # the document's recorded version retires claims even when the new extraction found nothing
    assert [c.id for c in current_claims(claims, {"d2": "0.2"})] == ["new"]
    # fingerprints have no order: the recorded (latest written) extraction is current
    prints = [claim("x", "d1", version="rules-f00"), claim("y", "d1", version="rules-a99")]
    assert [c.id for c in current_claims(prints, {"d1": "rules-a99"})] == ["y"]
    assert [c.id for c in current_claims(prints, {"d1": "rules-f00"})] == ["x"]


def test_a_series_name_joins_its_member_designation_but_stands_alone_otherwise():
    series_only = [
        claim("s1", "d1", "2022-10-01", items=[item("loitering_munition", "sys:shahed")]),
        claim("s2", "d2", "2022-10-02", items=[item("uav", "sys:shahed")]),
    ]
    (alone,) = fuse(series_only)
    assert alone.lead_system == "sys:shahed"
    members = series_only + [
        claim("m1", "d3", "2022-10-03", items=[item("loitering_munition", "sys:shahed-136")]),
        claim("m2", "d4", "2022-10-04", items=[item("loitering_munition", "sys:shahed-136")]),
        claim("o1", "d5", "2022-10-05", items=[item("loitering_munition", "sys:shahed-131")]),
        claim("x1", "d6", "2022-10-06", items=[item("uav", "sys:mohajer-6")]),
    ]
    events = _by_claims(fuse(members))
    # "Shahed" claims join the better-supported Shahed member, never the Mohajer
    assert set(events) == {("m1", "m2", "s1", "s2"), ("o1",), ("x1",)}
    assert events[("m1", "m2", "s1", "s2")].lead_system == "sys:shahed-136"
