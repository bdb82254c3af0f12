"""The web app over HTTP: a real `armstrace serve` subprocess on a loopback port,
over a SQLite store that the real pipeline (spaCy included) built from articles.

Expected values come from the store's library API over the same file, never
from constants.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from armstrace.store import Store, open_store
from test_web_helpers import TOKEN, BuiltStore, Server, build_store, copy_store, running_server


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, extractor: Any) -> tuple[BuiltStore, BuiltStore]:
    """The store the read-only server reads, and a copy the review server may change."""
    built = build_store(tmp_path_factory.mktemp("web-api"), extractor)
    return built, copy_store(built, tmp_path_factory.mktemp("web-api-rw"))


@pytest.fixture(scope="module")
def readonly(stores: tuple[BuiltStore, BuiltStore]) -> Iterator[Server]:
    with running_server(stores[0].url, token=None) as server:
        yield server


@pytest.fixture(scope="module")
def writable(stores: tuple[BuiltStore, BuiltStore]) -> Iterator[Server]:
    with running_server(stores[1].url, token=TOKEN) as server:
        yield server


@pytest.fixture
def store(stores: tuple[BuiltStore, BuiltStore]) -> Iterator[Store]:
    """A library handle on the read-only server's store: where expected values come from."""
    handle = open_store(stores[0].url, create=False)
    yield handle
    handle.close()


@pytest.fixture
def rw_store(stores: tuple[BuiltStore, BuiltStore]) -> Iterator[Store]:
    handle = open_store(stores[1].url, create=False)
    yield handle
    handle.close()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field in the review form"
    return match.group(1)


# --- reading ---------------------------------------------------------------------


def test_events_list_matches_the_store(readonly: Server, store: Store) -> None:
    with readonly.client() as client:
        body = client.get("/api/events").json()
    assert body["total"] == store.count_events() >= 2
    assert [e["id"] for e in body["events"]] == [e["id"] for e in store.events(limit=50)]
    page = httpx.get(f"{readonly.base}/events")
    assert page.status_code == 200
    for event in body["events"]:
        assert f'href="/events/{event["id"]}"' in page.text


def test_filters_select_the_same_events_as_the_store(readonly: Server, store: Store) -> None:
    first = next(e for e in store.events() if e.get("supplier"))
    supplier = first["supplier"]["id"]
    with readonly.client() as client:
        body = client.get("/api/events", params={"supplier": supplier, "limit": 500}).json()
        assert body["total"] == store.count_events(supplier=supplier)
        assert body["events"] and all(e["supplier"]["id"] == supplier for e in body["events"])
        typed = client.get("/api/events", params={"supplier": supplier, "type": first["type"]}).json()
        assert {e["id"] for e in typed["events"]} == {
            e["id"] for e in store.events(supplier=supplier, type=first["type"])
        }
        nothing = client.get("/api/events", params={"type": "no-such-type"}).json()
        assert nothing == {"total": 0, "limit": 50, "offset": 0, "events": []}
        page = client.get("/events", params={"supplier": supplier})
    assert page.status_code == 200
    assert f"of {body['total']} events" in page.text


def test_text_search_goes_through_the_articles(readonly: Server, store: Store) -> None:
    with readonly.client() as client:
        body = client.get("/api/events", params={"q": "Shahed"}).json()
        # FTS syntax in user input is taken literally, not an error.
        odd = client.get("/api/events", params={"q": 'drones" OR "x'})
    assert body["total"] == store.count_events(text="Shahed")
    assert odd.status_code == 200


def test_event_detail_has_claims_and_highlighted_evidence(readonly: Server, store: Store) -> None:
    record = next(e for e in store.events(with_claims=True) if any(c["evidence"] for c in e["claims"]))
    with readonly.client() as client:
        api = client.get(f"/api/events/{record['id']}").json()
        page = client.get(f"/events/{record['id']}")
    assert api["id"] == record["id"]
    assert [c["id"] for c in api["claims"]] == [c["id"] for c in record["claims"]]
    assert page.status_code == 200
    evidence = next(ev for c in record["claims"] for ev in c["evidence"])
    document = store.document(next(c for c in record["claims"] if c["evidence"])["doc"]["id"])
    assert document is not None
    stored_sentence = document["text"][evidence["start"] : evidence["end"]].strip()
    from markupsafe import escape

    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", page.text, flags=re.S)
    assert str(escape(stored_sentence)) in marks


def test_unknown_ids_are_404_in_pages_and_api(readonly: Server) -> None:
    with readonly.client() as client:
        assert client.get("/api/events/nope").status_code == 404
        assert client.get("/api/events/nope").json()["detail"] == "no event 'nope'"
        assert client.get("/events/nope").status_code == 404
        assert client.get("/documents/nope").status_code == 404
        assert client.get("/api/documents/nope").status_code == 404
        assert client.get("/api/entities/org:nobody-at-all").status_code == 404
        unknown_page = client.get("/no/such/page")
        bad_page = client.get("/events", params={"limit": "many"})
    assert unknown_page.status_code == 404 and "text/html" in unknown_page.headers["content-type"]
    assert bad_page.status_code == 422 and "limit: Input should be a valid integer" in bad_page.text


def test_pagination_walks_every_event_once(readonly: Server, store: Store) -> None:
    total = store.count_events()
    seen: list[str] = []
    with readonly.client() as client:
        for offset in range(0, total, 2):
            body = client.get("/api/events", params={"limit": 2, "offset": offset}).json()
            assert body["total"] == total and body["limit"] == 2 and body["offset"] == offset
            seen.extend(e["id"] for e in body["events"])
        beyond = client.get("/api/events", params={"limit": 2, "offset": total}).json()
        assert client.get("/api/events", params={"limit": 0}).status_code == 422
        assert client.get("/api/events", params={"offset": -1}).status_code == 422
        page = client.get("/events", params={"limit": 1, "offset": 1})
    assert beyond["events"] == []
    assert seen == [e["id"] for e in store.events()]
    assert len(set(seen)) == total
    assert 'rel="prev"' in page.text and (('rel="next"' in page.text) == (total > 2))


def test_csv_and_jsonl_downloads_follow_the_filter(readonly: Server, store: Store) -> None:
    supplier = next(e for e in store.events() if e.get("supplier"))["supplier"]["id"]
    with readonly.client() as client:
        full_csv = client.get("/api/events.csv")
        filtered_csv = client.get("/api/events.csv", params={"supplier": supplier})
        jsonl = client.get("/api/events.jsonl", params={"supplier": supplier})
    assert full_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in full_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(full_csv.text)))
    assert {r["id"] for r in rows} == {e["id"] for e in store.events()}
    filtered = list(csv.DictReader(io.StringIO(filtered_csv.text)))
    expected = {e["id"] for e in store.events(supplier=supplier)}
    assert {r["id"] for r in filtered} == expected
    assert all(r["supplier_id"] == supplier for r in filtered)
    records = [json.loads(line) for line in jsonl.text.splitlines() if line.strip()]
    assert {r["id"] for r in records} == expected
    assert all("claims" in r and r["claims"] for r in records)


def test_documents_entities_network_timeline(readonly: Server, store: Store) -> None:
    documents = store.documents()
    event = next(e for e in store.events() if e.get("supplier") and e.get("recipient"))
    supplier = event["supplier"]["id"]
    with readonly.client() as client:
        listing = client.get("/api/documents", params={"limit": 2}).json()
        doc = client.get(f"/api/documents/{documents[0]['id']}").json()
        entity = client.get(f"/api/entities/{supplier}").json()
        network = client.get("/api/network").json()
        timeline = client.get("/api/timeline").json()
        pages = {url: client.get(url) for url in
                 ("/documents", f"/documents/{documents[0]['id']}", f"/entities/{supplier}", "/network",
                  "/timeline", "/docs")}
    assert listing["total"] == len(documents)
    assert [d["id"] for d in listing["documents"]] == [d["id"] for d in documents[:2]]
    assert doc["text"] == store.document(documents[0]["id"])["text"]
    assert {c["id"] for c in doc["claims"]} == {c["id"] for c in store.claims_for_document(documents[0]["id"])}
    assert entity["supplier_total"] == store.count_events(supplier=supplier)
    assert event["id"] in {e["id"] for e in entity["as_supplier"]}
    pair = {(e["supplier"]["id"], e["recipient"]["id"]): e["events"] for e in network["edges"]}
    expected_pair = sum(1 for e in store.events()
                        if (e.get("supplier") or {}).get("id") == supplier
                        and (e.get("recipient") or {}).get("id") == event["recipient"]["id"])
    assert pair[(supplier, event["recipient"]["id"])] == expected_pair
    assert sum(y["events"] for y in timeline["years"]) + timeline["undated"] == store.count_events()
    for url, response in pages.items():
        assert response.status_code == 200, url
    assert "<svg" in pages["/network"].text and "<circle" in pages["/network"].text
    assert "<rect" in pages["/timeline"].text


def test_headers_assets_and_offline_docs(readonly: Server) -> None:
    with readonly.client() as client:
        page = client.get("/events")
        spec = client.get("/openapi.json").json()
        docs = client.get("/docs")
        css = client.get("/static/style.css")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert {"/api/events", "/api/events/{event_id}", "/api/entities/{entity_id}", "/api/documents",
            "/api/documents/{doc_id}", "/api/network", "/api/events.csv", "/api/events.jsonl"} <= set(spec["paths"])
    assert docs.status_code == 200 and "/api/events.csv" in docs.text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for html in (page.text, docs.text):
        for reference in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not reference.startswith(("http:", "https:", "//")), reference


def test_system_entity_lists_the_events_naming_it(readonly: Server, store: Store) -> None:
    system = next((i["system"]["id"] for e in store.events() for i in e.get("items") or [] if i.get("system")),
                  None)
    if system is None:
        pytest.skip("no event names a weapon system")
    with readonly.client() as client:
        entity = client.get(f"/api/entities/{system}").json()
        page = client.get(f"/entities/{system}")
    assert entity["system_total"] == store.count_events(system=system) >= 1
    assert {e["id"] for e in entity["with_system"]} == {e["id"] for e in store.events(system=system)}
    assert page.status_code == 200 and "Events with this system" in page.text


def test_hostile_article_is_shown_as_text(readonly: Server, stores: tuple[BuiltStore, BuiltStore],
                                          store: Store) -> None:
    doc_id = stores[0].hostile_doc
    claims = store.claims_for_document(doc_id)
    event_ids = [i for ids in store.event_ids_for_claims([c["id"] for c in claims]).values() for i in ids]
    assert event_ids, "the hostile article's transfer sentence was not extracted"
    with readonly.client() as client:
        pages = [client.get(f"/documents/{doc_id}"), client.get("/documents")]
        pages += [client.get(f"/events/{event_id}") for event_id in event_ids]
    for page in pages:
        assert page.status_code == 200
        assert "<script>window" not in page.text
        assert "<img src=x" not in page.text and 'href="javascript:' not in page.text
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page.text
    assert "&lt;a href=&#34;javascript:window.__pwned=1&#34;&gt;click&lt;/a&gt;" in pages[0].text


# --- writing ---------------------------------------------------------------------


def _review_page(client: httpx.Client, event_id: str) -> str:
    page = client.get(f"/events/{event_id}")
    assert page.status_code == 200
    return _csrf(page.text)


def test_read_only_server_refuses_every_write(readonly: Server, store: Store) -> None:
    event_id = store.events(limit=1)[0]["id"]
    before = len(store.decisions())
    with readonly.client() as client:
        page = client.get(f"/events/{event_id}").text
        assert "read-only" in page and 'name="csrf"' not in page
        api = client.post(f"/api/events/{event_id}/decisions", json={"action": "accept"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
        form = client.post(f"/events/{event_id}/review", data={"action": "accept", "token": TOKEN},
                           headers={"Origin": readonly.base})
    assert api.status_code == 403 and "read-only" in api.json()["detail"]
    assert form.status_code == 403
    assert len(store.decisions()) == before


def test_form_review_with_token_records_the_decision(writable: Server, rw_store: Store) -> None:
    event_id = rw_store.events(limit=1)[0]["id"]
    with writable.client() as client:
        csrf = _review_page(client, event_id)
        response = client.post(
            f"/events/{event_id}/review",
            data={"action": "accept", "token": TOKEN, "csrf": csrf, "author": "tester", "note": "checked"},
            headers={"Origin": writable.base},
        )
        assert response.status_code == 303
        landed = client.get(response.headers["location"])
    assert landed.status_code == 200 and "Decision recorded: accept" in landed.text
    decisions = [d for d in rw_store.decisions() if d["action"] == "accept" and d["author"] == "tester"]
    assert decisions
    now_on = response.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert (rw_store.event(now_on) or {}).get("review", {}).get("status") == "accepted"


def test_api_review_with_bearer_token(writable: Server, rw_store: Store) -> None:
    events = rw_store.events()
    target = events[-1]["id"]
    with writable.client() as client:
        wrong = client.post(f"/api/events/{target}/decisions", json={"action": "reject"},
                            headers={"Authorization": "Bearer not-the-token"})
        bad = client.post(f"/api/events/{target}/decisions", json={"action": "explode"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
        corrected = client.post(f"/api/events/{target}/decisions",
                                json={"action": "correct", "field": "status", "value": "agreed", "author": "api"},
                                headers={"Authorization": f"Bearer {TOKEN}"})
        assert corrected.status_code == 200, corrected.text
        now = client.get(f"/api/events/{corrected.json()['event']}").json()
    assert wrong.status_code == 403
    assert bad.status_code == 400 and "unknown action" in bad.json()["detail"]
    assert now["status"] == "agreed"
    assert any(c["field"] == "status" and c["value"] == "agreed" for c in now["corrections"])


def test_api_merge_joins_two_events(writable: Server, rw_store: Store) -> None:
    events = rw_store.events(with_claims=True)
    if len(events) < 2:
        pytest.skip("needs two events")
    keep, absorb = events[0], events[1]
    with writable.client() as client:
        response = client.post(f"/api/events/{keep['id']}/decisions",
                               json={"action": "merge", "other": absorb["id"]},
                               headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
        merged = client.get(f"/api/events/{response.json()['event']}").json()
    claim_ids = {c["id"] for c in merged["claims"]}
    assert {c["id"] for c in keep["claims"]} | {c["id"] for c in absorb["claims"]} <= claim_ids


def test_form_split_moves_claims_to_a_new_event(writable: Server, rw_store: Store) -> None:
    event = next((e for e in rw_store.events(with_claims=True) if len(e["claims"]) > 1), None)
    if event is None:
        pytest.skip("no event with two claims in this store")
    moving = event["claims"][-1]["id"]
    with writable.client() as client:
        csrf = _review_page(client, event["id"])
        response = client.post(f"/events/{event['id']}/review",
                               data={"action": "split", "claim": [moving], "token": TOKEN, "csrf": csrf},
                               headers={"Origin": writable.base})
    assert response.status_code == 303, response.text
    holders = rw_store.event_ids_for_claims([moving])[moving]
    assert holders and all(moving in {c["id"] for c in (rw_store.event(h) or {}).get("claims", [])} for h in holders)
    staying = {c["id"] for c in event["claims"]} - {moving}
    for holder in holders:
        assert not staying & {c["id"] for c in (rw_store.event(holder) or {})["claims"]}


@pytest.mark.parametrize(
    ("headers", "with_csrf", "with_token"),
    [
        ({"Origin": "http://evil.example"}, True, True),
        ({"Referer": "http://evil.example/page"}, True, True),
        ({}, True, True),  # neither Origin nor Referer on a form post
        ("same", False, True),  # same origin but no session token
        ("same", True, False),  # same origin, session token, no review token
    ],
)
def test_cross_site_and_incomplete_form_posts_are_refused(
    writable: Server, rw_store: Store, headers: Any, with_csrf: bool, with_token: bool
) -> None:
    event_id = rw_store.events(limit=1)[0]["id"]
    before = len(rw_store.decisions())
    with writable.client() as client:
        csrf = _review_page(client, event_id)
        data = {"action": "reject"}
        if with_csrf:
            data["csrf"] = csrf
        if with_token:
            data["token"] = TOKEN
        sent_headers = {"Origin": writable.base} if headers == "same" else headers
        response = client.post(f"/events/{event_id}/review", data=data, headers=sent_headers)
    assert response.status_code == 403
    assert len(rw_store.decisions()) == before


def test_cross_site_api_call_is_refused_even_with_the_token(writable: Server, rw_store: Store) -> None:
    event_id = rw_store.events(limit=1)[0]["id"]
    before = len(rw_store.decisions())
    with writable.client() as client:
        response = client.post(f"/api/events/{event_id}/decisions", json={"action": "reject"},
                               headers={"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.example"})
    assert response.status_code == 403 and "cross-site" in response.json()["detail"]
    assert len(rw_store.decisions()) == before


def test_serve_fails_in_one_line_without_a_database(tmp_path: Path, cli: Any) -> None:
    result = cli("serve", "--db", str(tmp_path / "missing.db"), "--port", "1")
    assert result.returncode == 1
    assert "no database" in result.stderr and "Traceback" not in result.stderr


def test_serve_fails_in_one_line_when_the_port_is_taken(stores: tuple[BuiltStore, BuiltStore], cli: Any) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--db", stores[0].url, "--port", str(port))
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1" in result.stderr and "Traceback" not in result.stderr
