"""Shared pieces of the web tests (a store built by the real pipeline, a real
server in a subprocess), and tests of the pure helpers behind the pages:
highlighting, the cross-site check, URL filtering.

Imported by test_web_api.py and test_web_browser.py (the tests folder is on
sys.path, as for fusehelpers.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from markupsafe import Markup
from starlette.requests import Request

from armstrace.web.app import safe_url
from armstrace.web.highlight import Span, excerpt, highlight, locate
from armstrace.web.security import WriteRefused, check_same_site

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / ".." / "shared" / "eval" / "dev"
ARTICLES = REPO / "tests" / "data" / "articles"
TOKEN = "review-token-for-tests"

# An article written to attack the pages: markup in the title and the text,
# around one ordinary arms-transfer sentence that extraction should find.
HOSTILE_SENTENCE = "Iran supplied Shahed-136 drones to Russia in 2022."
HOSTILE_TITLE = ('<script>window.__pwned=1</script> Drone report <img src=x onerror="window.__pwned=1"> '
                 '<a href="javascript:window.__pwned=1">click</a>')
HOSTILE_TEXT = (
    f"{HOSTILE_TITLE}\n\n"
    "November 3, 2022\n\n"
    '<a href="javascript:window.__pwned=1">click</a> here, or look at '
    '<img src=x onerror="window.__pwned=1"> this <script>window.__pwned=1</script> picture.\n\n'
    f"{HOSTILE_SENTENCE}\n\n"
    "Officials in Kyiv said the drones had been used against power stations.\n"
)


def source_articles() -> list[Path]:
    """The five real dev articles when ../shared is there, else a few of the test corpus."""
    dev = sorted(DEV.glob("*.txt"))
    if dev:
        return dev
    return sorted(ARTICLES.glob("*.txt"))[:8]


@dataclass
class BuiltStore:
    path: Path
    url: str
    hostile_doc: str  # id of the hostile document


def build_store(folder: Path, extractor: Any) -> BuiltStore:
    """Ingest the articles and the hostile one with the real pipeline into a new SQLite file."""
    from armstrace.pipeline import ingest_paths
    from armstrace.store import open_store

    folder.mkdir(parents=True, exist_ok=True)
    hostile = folder / "hostile.txt"
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    path = folder / "web.db"
    url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        summary = ingest_paths([*map(str, source_articles()), str(hostile)], store, extractor=extractor)
        assert summary.failed == 0, summary.failures
        hostile_docs = [d["id"] for d in store.documents() if (d["path"] or "").endswith("hostile.txt")]
        assert len(hostile_docs) == 1
        assert store.count_events() >= 2, "the pipeline found too few events to test pages with"
    finally:
        store.close()
    return BuiltStore(path, url, hostile_docs[0])


def copy_store(built: BuiltStore, folder: Path) -> BuiltStore:
    """A private copy of the store file (SQLite WAL checkpointed by the close in build_store)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "web.db"
    shutil.copyfile(built.path, target)
    return BuiltStore(target, f"sqlite:///{target}", built.hostile_doc)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    store_url: str
    token: str | None

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, **kwargs)


@contextlib.contextmanager
def running_server(store_url: str, token: str | None) -> Iterator[Server]:
    """`armstrace serve` in a real subprocess on a free loopback port; stopped afterwards."""
    port = free_port()
    env = dict(os.environ)
    env.pop("ARMSTRACE_TOKEN", None)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    if token:
        env["ARMSTRACE_TOKEN"] = token
    process = subprocess.Popen(
        [sys.executable, "-m", "armstrace", "serve", "--db", store_url, "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                _out, err = process.communicate()
                raise AssertionError(f"server exited with {process.returncode}: {err.decode(errors='replace')}")
            try:
                if httpx.get(f"{base}/api/events?limit=1", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not answer within 60 s")
            time.sleep(0.2)
        yield Server(base, process, store_url, token)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


# --- tests of the pure helpers ---------------------------------------------------


def test_highlight_escapes_every_segment_and_marks_the_span() -> None:
    text = '<b>x</b> Iran supplied drones. <script>alert(1)</script>'
    start = text.index("Iran")
    end = text.index("drones.") + len("drones.")
    html = highlight(text, [Span(start, end, label='a "label"', anchor="ev1")])
    assert isinstance(html, Markup)
    assert '<mark id="ev1" title="a &#34;label&#34;">Iran supplied drones.</mark>' in html
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_highlight_joins_overlaps_and_clips_out_of_range_spans() -> None:
    text = "abcdefghij"
    html = highlight(text, [Span(2, 5), Span(4, 7), Span(8, 99), Span(-3, 0)])
    assert str(html) == "ab<mark>cdefg</mark>h<mark>ij</mark>"


def test_locate_trusts_matching_offsets_and_searches_when_they_are_stale() -> None:
    text = "First sentence. Iran supplied drones. Last."
    start = text.index("Iran")
    assert locate(text, "Iran supplied drones.", start, start + 21) == (start, start + 21)
    assert locate(text, "Iran supplied drones.", 0, 5) == (start, start + 21)
    assert locate(text, "not there", 999, 1000) is None
    # Offsets that take in the paragraph break after the sentence mark the sentence alone.
    padded = "Intro.\n\nIran supplied drones.\n\nNext."
    start = padded.index("Iran")
    assert locate(padded, None, start - 2, start + 23) == (start, start + 21)


def test_excerpt_cuts_at_spaces_and_keeps_the_mark() -> None:
    text = ("word " * 200) + "THE EVIDENCE" + (" word" * 200)
    start = text.index("THE")
    html = str(excerpt(text, Span(start, start + 12), context=40))
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>THE EVIDENCE</mark>" in html
    assert len(html) < 160


def test_only_http_urls_become_links() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("data:text/html,hi") is None


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": raw, "scheme": "http",
                    "server": ("127.0.0.1", 8000), "query_string": b""})


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}, True),
        ({"host": "127.0.0.1:8000", "referer": "http://127.0.0.1:8000/events/x"}, True),
        ({"host": "127.0.0.1:8000", "origin": "http://evil.example"}, False),
        ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8001"}, False),
        ({"host": "127.0.0.1:8000", "origin": "null"}, False),
        ({"host": "127.0.0.1:8000", "referer": "http://127.0.0.1.evil.example/"}, False),
        ({"host": "127.0.0.1:8000"}, False),  # a form post with neither header
    ],
)
def test_same_site_check(headers: dict[str, str], allowed: bool) -> None:
    if allowed:
        check_same_site(_request(headers), require_header=True)
    else:
        with pytest.raises(WriteRefused):
            check_same_site(_request(headers), require_header=True)
