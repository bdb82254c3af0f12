"""SIPRI register import and comparison: our own fixture, and SIPRI's real export when present."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from armstrace.sipri import RegisterError, compare, read_deals, read_register
from armstrace.sipri.names import item_category, party_id, system_id
from armstrace.sipri.store import import_deals, stored_deals
from armstrace.store import open_store
from fusehelpers import event, item, stance
from test_fuse_store import _ingest

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "data" / "sipri_fixture.csv"
REAL = HERE.parents[1] / "shared" / "data" / "sipri" / "trade_register.csv"


def test_fixture_deals_group_rows_and_map_names():
    problems: list = []
    deals = {d.deal_id: d for d in read_register(FIXTURE, problems)}
    assert problems == []
    assert len(deals) == 7
    shahed = deals["900001"]
    assert (shahed.supplier_id, shahed.recipient_id, shahed.system_id) == ("IRN", "RUS", "sys:shahed-136")
    assert shahed.category == "loitering_munition"
    assert shahed.delivery_years == [2022, 2023]
    assert shahed.delivered.value == 1500 and shahed.delivered.estimate
    assert shahed.local_production and shahed.delivery_status == "delivered"
    qiam = deals["900003"]
    assert qiam.recipient_id == "org:houthis" and qiam.order_year.value == 2016 and qiam.order_year.estimate
    assert qiam.category == "ballistic_missile"
    assert deals["900006"].recipient_id is None and deals["900006"].supplier_id == "ARE"
    assert deals["900006"].system_id == "sys:rigid-hull-boat" and deals["900006"].category == "ship"
    assert deals["900007"].recipient_id == "org:nato"
    assert deals["900005"].supplier_id == "PRK"


def test_names_and_categories():
    assert party_id("Turkiye") == "TUR" and party_id("Kosovo") == "XKX"
    assert party_id("Germany") == "DEU" and party_id("Sudan") == "SDN"
    assert party_id("Some Front (Narnia)*") == "org:some-front"
    assert party_id("unknown supplier(s)") is None
    assert system_id("Piranha-2 -") == "sys:piranha-2"
    assert item_category("tanker", "Ships") == "ship"  # "tank" is a whole word only
    assert item_category("transport helicopter", "Aircraft") == "helicopter"
    assert item_category("turbofan", "Engines") == "components"


def test_bad_lines_are_reported_and_the_rest_reads():
    text = FIXTURE.read_text(encoding="utf-8").splitlines()
    broken = text[:12] + ["900100,Iran,Sudan,Too few fields;", "900101,Iran,Sudan,X,UAV,Aircraft,20x2,No,1,No,"
                          "2020,No,New,1,1,1,No;"] + text[12:]
    problems: list = []
    deals = read_deals(io.StringIO("\n".join(broken)), problems)
    assert len(deals) == 7
    assert [p.line for p in problems] == [13, 14]
    assert "fields" in problems[0].reason and "not a number" in problems[1].reason
    with pytest.raises(RegisterError, match="header"):
        read_deals(io.StringIO("just,some,csv;\n1,2,3;\n"))


def test_import_is_idempotent(tmp_path: Path):
    store = open_store(str(tmp_path / "sipri.db"))
    deals = read_register(FIXTURE)
    assert import_deals(store, deals) == 7
    assert import_deals(store, deals) == 7
    stored = stored_deals(store)
    assert len(stored) == 7
    assert stored_deals(store, [("IRN", "RUS")])[0]["deal_id"] in ("900001", "900002")
    store.close()


def test_compare_covered_missing_and_differences(tmp_path: Path):
    store = open_store(str(tmp_path / "compare.db"))
    corpus = [
        ("a", "2022-09-20", "Outlet A", [
            event(status="delivered", items=[item("loitering_munition", "sys:shahed-136")],
                  quantity={"text": "hundreds", "min": 100, "max": 999}, stances=[stance("USA", "asserts")]),
        ]),
        ("b", "2022-05-18", "Outlet B", [
            event(type="production", recipient="TJK", status="delivered", items=[item("uav", "sys:ababil-2")]),
        ]),
        ("c", "2021-03-01", "Outlet C", [
            event(supplier="TUR", recipient="UKR", status="delivered", items=[item("uav")]),
        ]),
    ]
    _ingest(store, corpus)
    result = compare([d.to_dict() for d in read_register(FIXTURE)], store.iter_events(with_claims=False))
    covered = {row["deal"]["deal_id"]: row for row in result.covered}
    assert set(covered) == {"900001", "900004"}
    assert covered["900001"]["basis"] == "system" and covered["900004"]["basis"] == "family"
    diffs = {d["field"]: d for d in covered["900001"]["differences"]}
    assert diffs["number"]["agrees"] is False  # 1500 delivered vs "hundreds" (100-999)
    assert diffs["status"]["agrees"] is True and diffs["years"]["agrees"] is True
    missing = [row["event"] for row in result.missing_from_register]
    assert [(e["type"], e["recipient"]["id"]) for e in missing] == [("production", "TJK")]
    # Mohajer-6 to Russia is a register deal between parties the news covers, which no event matches
    assert [row["deal"]["deal_id"] for row in result.register_only] == ["900002"]
    store.close()


@pytest.mark.skipif(not REAL.exists(), reason="shared SIPRI export not present")
def test_real_sipri_export_reads_completely():
    problems: list = []
    deals = read_register(REAL, problems)
    assert problems == []
    assert len(deals) > 10000
    rows = sum(len(d.lines) for d in deals)
    data_lines = sum(1 for line in REAL.read_text(encoding="utf-8").splitlines()[12:] if line.strip())
    assert rows == data_lines
    by_key = {(d.supplier_id, d.recipient_id, d.system_id) for d in deals}
    assert ("IRN", "RUS", "sys:shahed-136") in by_key
    assert ("IRN", "org:houthis", "sys:qiam-1") in by_key
    unknown = {d.supplier for d in deals if d.supplier_id is None} | {d.recipient for d in deals
                                                                     if d.recipient_id is None}
    assert all(name.lower().startswith("unknown") for name in unknown)
    # every state party resolves to an upper-case ISO3 id, never via guesswork
    states = {d.supplier_id for d in deals} | {d.recipient_id for d in deals}
    assert all(s is None or s.startswith("org:") or (len(s) == 3 and s.isupper()) for s in states)


def test_family_matches_respect_how_specific_the_news_is():
    from armstrace.sipri.compare import match_basis

    deals = {d.deal_id: d.to_dict() for d in read_register(FIXTURE)}
    kamikaze = {"type": "transfer", "supplier": {"id": "IRN"}, "recipient": {"id": "RUS"},
                "items": [{"category": "loitering_munition", "system": None}], "first_reported": "2022-10-01"}
    drones = dict(kamikaze, items=[{"category": "uav", "system": None}])
    assert match_basis(kamikaze, deals["900001"]) == "family"  # Shahed-136: a loitering munition
    assert match_basis(kamikaze, deals["900002"]) is None  # Mohajer-6 is no kamikaze drone
    assert match_basis(drones, deals["900002"]) == "family"
    assert match_basis(dict(drones, first_reported="2012-01-01"), deals["900002"]) is None  # years too far
    assert match_basis(dict(drones, type="production"), deals["900002"]) is None  # no local production
    assert match_basis(dict(drones, type="production"), deals["900001"]) == "family"


def test_a_series_in_the_news_matches_its_members_in_the_register():
    from armstrace.sipri.compare import match_basis

    deals = {d.deal_id: d.to_dict() for d in read_register(FIXTURE)}
    shahed = {"type": "transfer", "supplier": {"id": "IRN"}, "recipient": {"id": "RUS"},
              "items": [{"category": "loitering_munition", "system": {"id": "sys:shahed", "name": "Shahed"}}]}
    assert match_basis(shahed, deals["900001"]) == "series"
    assert match_basis(shahed, deals["900002"]) is None
