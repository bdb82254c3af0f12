"""Shared fixtures: the repository layout, a CLI runner (real subprocesses),
a loaded Extractor shared by the whole session, generated articles, and
builders for hand-made DocumentResults (store INPUT, never expected output).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from armstrace.model import Document, DocumentResult, EntityRef, Event, Evidence, Item, Stance, TimeSpan

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"


def _load_gen_articles() -> Any:
    spec = importlib.util.spec_from_file_location("gen_articles", REPO / "bench" / "gen_articles.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_articles = _load_gen_articles()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "SPEC.md").exists():
        pytest.skip("../shared is not present")
    return SHARED.resolve()


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ARMSTRACE_DB", None)
    env["COLUMNS"] = "200"  # wide tables, so that ids and names are not folded
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def run_cli(
    *args: str,
    cwd: Path | None = None,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m armstrace ARGS…` in a real subprocess; returns text stdout/stderr."""
    completed = subprocess.run(
        [sys.executable, "-m", "armstrace", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        env=cli_env(env),
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
    )


SUMMARY = re.compile(r"read (\d+), new (\d+), duplicate (\d+), failed (\d+)")


def summary_of(stderr: str) -> tuple[int, int, int, int]:
    """(read, new, duplicate, failed) from the summary line `armstrace ingest` prints."""
    match = SUMMARY.search(stderr)
    assert match, stderr
    return tuple(int(n) for n in match.groups())  # type: ignore[return-value]


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


@pytest.fixture(scope="session")
def extractor() -> Any:
    """One loaded Extractor (spaCy pipeline) for the whole session."""
    from armstrace.extract import Extractor

    return Extractor()


@pytest.fixture
def make_articles(tmp_path: Path) -> Callable[..., list[Path]]:
    """Write generated articles (bench/gen_articles.py) into a fresh folder."""
    counter = iter(range(1000))

    def make(count: int, arms_share: float = 0.5, seed: int = 7, jsonl: bool = False) -> list[Path]:
        folder = tmp_path / f"articles{next(counter)}"
        return gen_articles.write_articles(folder, count, arms_share=arms_share, seed=seed, jsonl=jsonl)

    return make


def ref(entity_id: str, name: str | None = None) -> EntityRef:
    return EntityRef(entity_id, name or entity_id)


def make_result(
    text: str = "Iran delivered Shahed-136 drones to Russia in August, US officials said.",
    events: list[Event] | None = None,
    version: str = "test-1",
    published: str | None = "2022-10-01",
    source: str | None = "example.org",
    path: str = "a.txt",
    title: str | None = "Drones",
) -> DocumentResult:
    """A DocumentResult built by hand, as store INPUT."""
    doc = Document(text=text, path=path, title=title, published=published, source=source)
    if events is None:
        events = [
            Event(
                type="transfer",
                supplier=ref("IRN", "Iran"),
                recipient=ref("RUS", "Russia"),
                items=[Item("loitering_munition", ref("sys:shahed-136", "Shahed-136"))],
                status="delivered",
                time=TimeSpan("in August", "2022-08", "2022-08"),
                stance=[Stance(ref("USA", "United States"), "asserts")],
                evidence=[Evidence(text, 0, len(text))],
            )
        ]
    return DocumentResult(document=doc, events=events, extractor_version=version)


@pytest.fixture
def result_factory() -> Callable[..., DocumentResult]:
    return make_result


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """One throwaway PostgreSQL server for the whole session (tests/pg_server.py), always stopped at the
    end; tests that need it are skipped with the reason when no PostgreSQL binaries are installed."""
    from pg_server import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()
