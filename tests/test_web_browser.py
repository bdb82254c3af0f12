"""The pages in a real browser: Debian's Chromium driven by Playwright against a
real `armstrace serve` subprocess over a store built by the real pipeline.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from armstrace.store import Store, open_store
from test_web_helpers import (
    HOSTILE_SENTENCE,
    TOKEN,
    BuiltStore,
    Server,
    build_store,
    copy_store,
    running_server,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, extractor: Any) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("web-browser"), extractor)


@pytest.fixture(scope="module")
def server(built: BuiltStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Review enabled, over a copy so that review in one test does not surprise another module."""
    copy = copy_store(built, tmp_path_factory.mktemp("web-browser-rw"))
    with running_server(copy.url, token=TOKEN) as running:
        yield running


@pytest.fixture
def store(server: Server) -> Iterator[Store]:
    handle = open_store(server.store_url, create=False)
    yield handle
    handle.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.errors = errors
    yield opened
    context.close()


def test_filter_the_events_list(page: Any, server: Server, store: Store) -> None:
    supplier = next(e for e in store.events() if e.get("supplier"))["supplier"]["id"]
    expected = store.count_events(supplier=supplier)
    page.goto(f"{server.base}/events")
    page.fill("input[name=supplier]", supplier)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"supplier="))
    rows = page.locator("table.events tbody tr")
    assert rows.count() == min(expected, 50)
    for cell in page.locator("table.events td[data-label=Supplier]").all_inner_texts():
        assert supplier in cell
    assert f"of {expected} events" in page.locator(".pager .count").first.inner_text()


def test_open_an_event_and_see_the_evidence_marked(page: Any, server: Server, store: Store) -> None:
    page.goto(f"{server.base}/events")
    first = page.locator("a.event-link").first
    first.click()
    page.wait_for_url(re.compile(r"/events/[0-9a-f]+"))
    event_id = page.url.rsplit("/", 1)[1]
    record = store.event(event_id)
    assert record is not None
    claim = next(c for c in record["claims"] if c["evidence"])
    evidence = claim["evidence"][0]
    text = (store.document(claim["doc"]["id"]) or {})["text"]
    marks = page.locator("blockquote.evidence mark")
    assert marks.count() >= 1
    assert text[evidence["start"] : evidence["end"]].strip() in [m.strip() for m in marks.all_inner_texts()]
    assert marks.first.is_visible()
    assert page.errors == []


def test_review_an_event_with_the_token(page: Any, server: Server, store: Store) -> None:
    event_id = store.events()[-1]["id"]
    page.goto(f"{server.base}/events/{event_id}")
    form = page.locator("#review-simple")
    form.locator("input[name=token]").fill(TOKEN)
    form.locator("input[name=author]").fill("browser-test")
    form.locator("button[value=reject]").click()
    page.wait_for_url(re.compile(r"reviewed=reject"))
    assert "Decision recorded: reject" in page.locator(".notice").inner_text()
    assert page.locator("h1 .badge.review-rejected").count() == 1
    assert any(d["action"] == "reject" and d["author"] == "browser-test" for d in store.decisions())


def test_review_with_a_wrong_token_is_refused(page: Any, server: Server, store: Store) -> None:
    event_id = store.events()[0]["id"]
    before = len(store.decisions())
    page.goto(f"{server.base}/events/{event_id}")
    form = page.locator("#review-simple")
    form.locator("input[name=token]").fill("wrong")
    with page.expect_response(re.compile(r"/review$")) as response:
        form.locator("button[value=accept]").click()
    assert response.value.status == 403
    assert "wrong or missing review token" in page.locator(".error").inner_text()
    assert len(store.decisions()) == before


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_network_view_screenshot(page: Any, server: Server, tmp_path: Path, store: Store) -> None:
    page.goto(f"{server.base}/network")
    svg = page.locator("svg#network")
    assert svg.is_visible()
    assert page.locator("svg#network circle").count() >= 2
    assert page.locator("svg#network line").count() >= 1
    target = tmp_path / "network.png"
    svg.screenshot(path=str(target))
    data = target.read_bytes()
    width, height = _png_size(data)
    assert width >= 400 and height >= 400
    assert len(data) > 5_000  # a drawing, not a blank box
    # Phone width: the drawing scales down and the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.base}/network")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.goto(f"{server.base}/events")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    phone = tmp_path / "events-phone.png"
    page.screenshot(path=str(phone))
    assert _png_size(phone.read_bytes())[0] == 390


def test_hostile_article_never_runs(page: Any, server: Server, store: Store) -> None:
    doc_id = next(d["id"] for d in store.documents() if (d["path"] or "").endswith("hostile.txt"))
    claims = store.claims_for_document(doc_id)
    event_ids = sorted({i for ids in store.event_ids_for_claims([c["id"] for c in claims]).values() for i in ids})
    assert event_ids, "the hostile article's transfer sentence was not extracted"

    page.goto(f"{server.base}/documents/{doc_id}")
    title = page.locator("h1.doc-title").inner_text()
    assert "<script>window.__pwned=1</script>" in title
    assert '<a href="javascript:window.__pwned=1">click</a>' in title
    page.locator("h1.doc-title").get_by_text("click", exact=False).click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    body = page.locator(".doc-text").inner_text()
    assert '<a href="javascript:window.__pwned=1">click</a>' in body
    assert '<img src=x onerror="window.__pwned=1">' in body
    assert HOSTILE_SENTENCE in [m.strip() for m in page.locator(".doc-text mark").all_inner_texts()]
    assert page.locator("main a[href^='javascript:'], main img, main script").count() == 0
    page.locator(".doc-text").get_by_text("click", exact=False).first.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"

    for event_id in event_ids:
        page.goto(f"{server.base}/events/{event_id}")
        assert page.locator("main a[href^='javascript:'], main img, main script").count() == 0
        page.locator("main").get_by_text("click", exact=False).first.click()
        assert page.evaluate("typeof window.__pwned") == "undefined"
    page.goto(f"{server.base}/documents")
    assert "<script>window.__pwned=1</script>" in page.locator("table.documents").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []
