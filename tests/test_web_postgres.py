"""The web app over a PostgreSQL store: the same pages, API, aggregates,
indexes and review as on SQLite, through a real `armstrace serve` subprocess
over a throwaway server (tests/pg_server.py; skipped where PostgreSQL cannot run).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from armstrace.store import Store, open_store
from test_web_helpers import HOSTILE_TEXT, TOKEN, Server, running_server, source_articles

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_store_url(tmp_path_factory: pytest.TempPathFactory, extractor: Any, postgres: Any) -> Iterator[str]:
    from armstrace.pipeline import ingest_paths

    url = postgres.create_database("web")
    folder = tmp_path_factory.mktemp("web-pg")
    hostile = folder / "hostile.txt"
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    store = open_store(url)
    summary = ingest_paths([*map(str, source_articles()), str(hostile)], store, extractor=extractor)
    store.close()
    assert summary.failed == 0
    yield url


@pytest.fixture(scope="module")
def server(pg_store_url: str) -> Iterator[Server]:
    with running_server(pg_store_url, token=TOKEN) as running:
        yield running


@pytest.fixture
def store(pg_store_url: str) -> Iterator[Store]:
    handle = open_store(pg_store_url, create=False)
    yield handle
    handle.close()


def test_pages_and_api_on_postgres(server: Server, store: Store) -> None:
    from armstrace.web.indexes import WEB_INDEXES, existing_indexes

    assert set(WEB_INDEXES) <= existing_indexes(store)
    event = next(e for e in store.events() if e.get("supplier") and e.get("recipient"))
    with server.client() as client:
        listing = client.get("/api/events", params={"limit": 3, "offset": 1}).json()
        detail = client.get(f"/api/events/{event['id']}").json()
        exported = client.get("/api/events.csv", params={"supplier": event["supplier"]["id"]})
        network = client.get("/api/network").json()
        timeline = client.get("/api/timeline").json()
        pages = [client.get(url) for url in ("/events", f"/events/{event['id']}", "/network", "/timeline",
                                            "/documents", f"/entities/{event['supplier']['id']}")]
    assert listing["total"] == store.count_events()
    assert [e["id"] for e in listing["events"]] == [e["id"] for e in store.events(limit=3, offset=1)]
    assert detail["id"] == event["id"] and detail["claims"]
    assert {r["id"] for r in csv.DictReader(io.StringIO(exported.text))} == {
        e["id"] for e in store.events(supplier=event["supplier"]["id"])
    }
    pairs = {(e["supplier"]["id"], e["recipient"]["id"]) for e in network["edges"]}
    assert (event["supplier"]["id"], event["recipient"]["id"]) in pairs
    assert sum(y["events"] for y in timeline["years"]) + timeline["undated"] == store.count_events()
    for page in pages:
        assert page.status_code == 200
        assert "<script>window" not in page.text


def test_review_on_postgres(server: Server, store: Store) -> None:
    event_id = store.events(limit=1)[0]["id"]
    with server.client() as client:
        response = client.post(f"/api/events/{event_id}/decisions", json={"action": "accept", "author": "pg"},
                               headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
        now = client.get(f"/api/events/{response.json()['event']}").json()
    assert now["review"]["status"] == "accepted"
    assert any(d["author"] == "pg" for d in store.decisions())
