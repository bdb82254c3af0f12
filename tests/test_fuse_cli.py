"""The fusion commands as a user runs them: real subprocesses over a real SQLite file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from armstrace.store import open_store
from fusehelpers import event, item, stance
from test_fuse_store import CORPUS, _ingest

FIXTURE = Path(__file__).resolve().parent / "data" / "sipri_fixture.csv"


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "armstrace", *args], capture_output=True, text=True, timeout=120)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "cli.db")
    store = open_store(path)
    _ingest(store, CORPUS + [("dec", "2022-12-01", "Outlet D", [
        event(status="delivered", items=[item("uav", "sys:shahed-136")], stances=[stance("UKR", "asserts")]),
    ])])
    store.close()
    return path


def test_timeline_lists_claims_in_date_order(db):
    rows = [json.loads(line) for line in run("timeline", "Iran", "RUS", "--db", db, "--format", "jsonl").stdout
            .splitlines()]
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates) and len(rows) == 6  # 4 drone claims, 1 missile, 1 training
    assert {r["type"] for r in rows} == {"transfer", "training"}
    table = run("timeline", "IRN", "RUS", "--db", db).stdout
    assert "2022-07-12" in table and "USA asserts 2022-07-11" in table


def test_decide_decisions_and_rebuild(db):
    drone = next(json.loads(line) for line in run("timeline", "IRN", "RUS", "--db", db, "--format", "jsonl")
                 .stdout.splitlines() if "uav" in json.loads(line)["items"])
    done = run("decide", drone["event"][:8], "correct", "quantity=100-300", "--author", "ana", "--db", db)
    assert f"in force on event {drone['event']}" in done.stdout
    listed = [json.loads(line) for line in run("decisions", "--db", db, "--format", "jsonl").stdout.splitlines()]
    assert [(d["action"], d["author"], d["in_force_on"]) for d in listed] == [("correct", "ana", drone["event"])]
    rebuilt = run("fuse", "--rebuild", "--db", db)
    assert "0 new, 0 changed, 0 removed" in rebuilt.stderr
    shown = json.loads(run("show", drone["event"], "--format", "json", "--db", db).stdout)
    assert shown["quantity"]["min"] == 100

    bad = run("decide", "nosuchevent", "accept", "--db", db, ok=False)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "no event" in bad.stderr
    bad = run("decide", drone["event"], "correct", "colour", "--db", db, ok=False)
    assert bad.returncode == 1 and "FIELD=VALUE" in bad.stderr or "NAME=VALUE" in bad.stderr


def test_register_csv(db, tmp_path: Path):
    target = tmp_path / "register.csv"
    run("register", "-o", str(target), "--db", db)
    with open(target, encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert rows and set(rows[0]) >= {"supplier", "recipient", "designation", "category", "number",
                                     "agreement_year", "delivery_years", "status", "comments", "sources"}
    drones = [r for r in rows if r["recipient_id"] == "RUS" and r["designation"] == "Shahed-136"]
    assert len(drones) == 1
    assert drones[0]["delivery_years"] == "2022" and drones[0]["status"] == "delivered"
    assert "asserted by USA" in drones[0]["comments"] and "denied by IRN" in drones[0]["comments"]
    assert {r["recipient_id"] for r in rows} >= {"RUS", "TJK"}
    assert not [r for r in rows if r["recipient_id"] == ""]  # the offer is no register entry


def test_import_and_compare_sipri(db, tmp_path: Path):
    done = run("import-sipri", str(FIXTURE), "--db", db)
    assert "imported 7 deal(s)" in done.stderr
    rows = [json.loads(line) for line in
            run("compare-sipri", "--db", db, "--format", "jsonl").stdout.splitlines()]
    kinds = {(r["kind"], (r.get("deal") or r.get("event"))["supplier_id" if "deal" in r else "id"]) for r in rows}
    assert ("covered", "IRN") in kinds
    covered = [r for r in rows if r["kind"] == "covered"]
    assert [r["deal"]["designation"] for r in covered] == ["Shahed-136"]
    missing = [r["event"] for r in rows if r["kind"] == "missing_from_register"]
    assert {(e["type"], e["recipient"]["id"]) for e in missing} >= {("production", "TJK")}
    from_file = run("compare-sipri", str(FIXTURE), "--db", db, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in from_file] == rows
    table = run("compare-sipri", str(FIXTURE), "--db", db).stdout
    assert "Register deals the news covers: 1" in table and "Shahed-136" in table

    not_a_register = tmp_path / "notes.csv"
    not_a_register.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    bad = run("compare-sipri", str(not_a_register), "--db", db, ok=False)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "not a SIPRI" in bad.stderr
    bad = run("import-sipri", str(tmp_path / "absent.csv"), "--db", db, ok=False)
    assert bad.returncode == 1 and "cannot read" in bad.stderr and "Traceback" not in bad.stderr
