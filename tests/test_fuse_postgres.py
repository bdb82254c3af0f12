"""Fusion, decisions and the SIPRI table on a real PostgreSQL server give what they give on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from armstrace.fuse import rebuild
from armstrace.fuse.review import decide, list_decisions
from armstrace.sipri import read_register
from armstrace.sipri.store import import_deals, stored_deals
from armstrace.store import open_store
from fusehelpers import event, item
from test_fuse_store import CORPUS, _ingest

pytestmark = pytest.mark.postgres

FIXTURE = Path(__file__).resolve().parent / "data" / "sipri_fixture.csv"


def _story(store) -> dict:
    """Fuse, decide, re-extract, rebuild; return what a reader sees."""
    _ingest(store, CORPUS)
    drone = next(e for e in store.events(type="transfer", recipient="RUS") if e["item_family"] == "uav")
    missile = next(e for e in store.events(type="transfer", recipient="RUS") if e["item_family"] != "uav")
    decide(store, drone["id"], "merge", other=missile["id"], author="ana")
    decide(store, drone["id"], "correct", field="status", value="agreed", author="ana")
    _ingest(store, [("late", "2023-01-10", "Outlet E", [event(items=[item("uav")])])])
    _ingest(store, [(name, published, source, evs) for name, published, source, evs in CORPUS[:2]], version="2")
    rebuilt = rebuild(store)
    assert (rebuilt.created, rebuilt.changed, rebuilt.removed) == ([], [], [])
    events = {e["id"]: (e["type"], e["status"], e["sources"], sorted(c["id"] for c in e["claims"]),
                        [(s["actor"]["id"], s["polarity"], s["date"]) for s in e["stance"]])
              for e in store.events(with_claims=True)}
    decisions = [(d["action"], d["in_force_on"]) for d in list_decisions(store)]
    import_deals(store, read_register(FIXTURE))
    import_deals(store, read_register(FIXTURE))
    return {"events": events, "decisions": decisions, "deals": stored_deals(store)}


def test_postgres_and_sqlite_agree(postgres, tmp_path: Path):
    pg = open_store(postgres.create_database("fuse_story"))
    lite = open_store(str(tmp_path / "story.db"))
    try:
        on_pg, on_sqlite = _story(pg), _story(lite)
    finally:
        pg.close()
        lite.close()
    assert on_pg == on_sqlite
    assert len(on_pg["events"]) == 4 and all(on for _, on in on_pg["decisions"])
