"""The store commands through the real CLI, in subprocesses, against real SQLite files."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import gen_articles, run_cli, summary_of


def table_count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One mixed batch, good and bad, ingested once; the tests below read what it left."""
    root = tmp_path_factory.mktemp("corpus")
    articles = root / "articles"
    paths = gen_articles.write_articles(articles, 12, arms_share=0.6, seed=11)
    shutil.copy(paths[0], root / "copy-of-first.txt")  # the same article again, by another path
    (articles / "empty.txt").write_bytes(b"")
    (articles / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (articles / "latin1.txt").write_bytes(
        "Caf\u00e9 talk in Tehran\n\nIran said it would sell drones to Venezuela next year.".encode("latin-1")
    )
    feed = root / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": "Russia has delivered S-400 missiles to Belarus, officials said.", "title": "S-400",
                    "url": "https://www.wire.example/s400", "published": "2022-03-04"}) + "\n"
        + "{not json at all\n"
        + json.dumps({"text": "Weather: rain in Minsk all week.", "source": "Minsk Daily"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    db = root / "corpus.db"
    first = run_cli("ingest", str(articles), str(root / "copy-of-first.txt"), str(feed), str(root / "missing.txt"),
                    "--db", str(db))  # fmt: skip
    second = run_cli("ingest", str(articles), str(feed), "--db", str(db), "--quiet")
    return {"root": root, "db": db, "first": first, "second": second, "articles": 12}


def test_ingest_reports_every_failure_and_lands_the_rest(corpus: dict) -> None:
    first = corpus["first"]
    no_traceback(first)
    assert first.returncode == 1
    # 12 generated + latin1 + the copy + 2 good JSONL lines read; 4 failures.
    assert summary_of(first.stderr) == (16, 15, 1, 4)
    failures = [line.strip() for line in first.stderr.splitlines() if line.strip().startswith("failed ")]
    assert len(failures) == 4
    reasons = "\n".join(failures)
    assert "empty.txt: empty file" in reasons
    assert "photo.txt: binary file" in reasons
    assert "feed.jsonl:2: malformed JSON" in reasons
    assert "missing.txt: no such file or directory" in reasons
    assert re.search(r"warning .*latin1.txt: invalid UTF-8", first.stderr)
    assert table_count(corpus["db"], "documents") == 15
    # The events table follows the summary on stdout.
    assert "event(s)" in first.stdout or "no events" in first.stdout


def test_rerun_only_finds_duplicates(corpus: dict) -> None:
    second = corpus["second"]
    no_traceback(second)
    assert summary_of(second.stderr) == (15, 0, 15, 3)
    assert second.stdout.strip() == ""  # --quiet
    with sqlite3.connect(corpus["db"]) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 15
        dup_claims = conn.execute("SELECT count(*) - count(DISTINCT id) FROM claims").fetchone()[0]
        assert dup_claims == 0


def test_stored_documents_keep_metadata(corpus: dict) -> None:
    with sqlite3.connect(corpus["db"]) as conn:
        conn.row_factory = sqlite3.Row
        s400 = conn.execute("SELECT * FROM documents WHERE title = 'S-400'").fetchone()
        assert (s400["published"], s400["source"], s400["url"]) == (
            "2022-03-04",
            "wire.example",
            "https://www.wire.example/s400",
        )
        latin = conn.execute("SELECT * FROM documents WHERE path LIKE '%latin1.txt'").fetchone()
        assert "invalid UTF-8" in json.loads(latin["warnings"])[0]
        paths = [
            row[0]
            for row in conn.execute(
                "SELECT path FROM documents WHERE path LIKE '%article_000000.txt' OR path LIKE '%copy-of-first.txt'"
            )
        ]
        assert len(paths) == 1  # the same text by two paths is stored once


def test_events_export_and_show_agree(corpus: dict, tmp_path: Path) -> None:
    db = str(corpus["db"])
    stored_events = table_count(corpus["db"], "events")
    assert stored_events > 0, "the generated arms articles should give events"
    listed = run_cli("events", "--db", db, "--format", "jsonl")
    no_traceback(listed)
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(records) == stored_events
    exported = tmp_path / "events.jsonl"
    result = run_cli("export", "--db", db, "--format", "jsonl", "-o", str(exported))
    assert result.returncode == 0 and f"exported {stored_events} event(s)" in result.stderr
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(r["id"] for r in records)
    as_csv = run_cli("export", "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert sorted(row["id"] for row in rows) == sorted(r["id"] for r in records)
    # show: by a unique prefix, with each claim's evidence, outlet and date.
    record = max(records, key=lambda r: len(r["claims"]))
    prefix = next(
        record["id"][:n]
        for n in range(4, 17)
        if sum(r["id"].startswith(record["id"][:n]) for r in records) == 1
    )
    shown = run_cli("show", prefix, "--db", db)
    no_traceback(shown)
    assert shown.returncode == 0
    assert f"event {record['id']}" in shown.stdout
    for claim in record["claims"]:
        assert claim["evidence"][0]["sentence"].strip()[:60] in " ".join(shown.stdout.split())
        assert (claim["doc"]["published"] or "undated") in shown.stdout
    as_json = run_cli("show", record["id"], "--db", db, "--format", "json")
    assert json.loads(as_json.stdout)["id"] == record["id"]
    missing = run_cli("show", "zzzz", "--db", db)
    assert missing.returncode == 1 and missing.stderr.strip() == "error: no event with id 'zzzz'"


def test_events_filters_through_the_cli(corpus: dict) -> None:
    db = str(corpus["db"])
    everything = [
        json.loads(line) for line in run_cli("events", "--db", db, "--format", "jsonl").stdout.splitlines()
    ]
    supplier = everything[0]["supplier"]["id"]
    filtered = run_cli("events", "--db", db, "--format", "jsonl", "--supplier", supplier)
    got = [json.loads(line) for line in filtered.stdout.splitlines()]
    assert got and all(r["supplier"]["id"] == supplier for r in got)
    assert len(got) == sum(1 for r in everything if (r["supplier"] or {}).get("id") == supplier)
    table = run_cli("events", "--db", db, "--supplier", supplier, "--limit", "1")
    assert table.returncode == 0 and f"{len(got)} event(s)" in table.stdout
    none = run_cli("events", "--db", db, "--text", "xylophone-never-said")
    assert none.returncode == 0 and "no events match these filters" in none.stdout
    bad = run_cli("events", "--db", db, "--format", "xml")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "unknown format 'xml'" in bad.stderr


def test_stdin_and_published_fallback(tmp_path: Path) -> None:
    db = tmp_path / "stdin.db"
    text = "Market report\n\nGrain prices in Cairo rose again this week, traders said.\n"
    result = run_cli(
        "ingest", "-", "--db", str(db), "--published", "2022-02-03", "--quiet", input=text.encode()
    )
    no_traceback(result)
    assert result.returncode == 0 and summary_of(result.stderr) == (1, 1, 0, 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT path, title, published FROM documents").fetchone() == (
            "<stdin>", "Market report", "2022-02-03",
        )  # fmt: skip
    bad_date = run_cli("ingest", "-", "--db", str(db), "--published", "soon", input=text.encode())
    assert bad_date.returncode == 1 and "--published 'soon' is not a date" in bad_date.stderr


def test_store_errors_are_one_line(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Headline\n\nBody.", encoding="utf-8")
    cases = [
        (str(tmp_path / "no" / "dir" / "x.db"), "cannot open database at"),
        ("/proc/armstrace.db", "cannot open database at /proc/armstrace.db"),
        (str(tmp_path), "is a directory"),
    ]
    for location, words in cases:
        result = run_cli("ingest", str(article), "--db", location)
        no_traceback(result)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    future = tmp_path / "future.db"
    run_cli("ingest", str(article), "--db", str(future), "--quiet")
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    for command in (["ingest", str(article)], ["events"], ["export"]):
        result = run_cli(*command, "--db", str(future))
        no_traceback(result)
        assert result.returncode == 1
        assert re.fullmatch(
            r"error: database schema version 999 is newer than this armstrace \(\d+\); upgrade armstrace\n",
            result.stderr,
        ), result.stderr
    absent = run_cli("events", "--db", str(tmp_path / "absent.db"))
    assert absent.returncode == 1 and "no database at" in absent.stderr
    assert not (tmp_path / "absent.db").exists()  # reading never creates a database
    unwritable = run_cli("export", "--db", str(future).replace("future", "x"), "-o", "/proc/out.jsonl")
    assert unwritable.returncode == 1


def test_env_var_selects_the_database(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Headline\n\nNothing about weapons here.", encoding="utf-8")
    db = tmp_path / "from-env.db"
    result = run_cli("ingest", str(article), "--quiet", env={"ARMSTRACE_DB": str(db)}, cwd=tmp_path)
    assert result.returncode == 0 and db.exists() and not (tmp_path / "armstrace.db").exists()
    default = run_cli("ingest", str(article), "--quiet", cwd=tmp_path)
    assert default.returncode == 0 and (tmp_path / "armstrace.db").exists()


@pytest.mark.parametrize("command", ["ingest", "events", "show", "export", "demo"])
def test_help_has_an_example(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout and f"armstrace {command}" in result.stdout


def test_demo_ingests_the_bundled_examples(repo: Path, tmp_path: Path) -> None:
    examples = repo / "examples" / "articles"
    if not examples.is_dir() or not any(examples.iterdir()):
        pytest.skip("examples/articles/ is not there yet")
    db = tmp_path / "demo.db"
    result = run_cli("demo", "--db", str(db), cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    read, new, _dup, failed = summary_of(result.stderr)
    assert failed == 0 and new == read > 0
    assert table_count(db, "documents") == new
    assert f"{table_count(db, 'events')} event(s)" in result.stdout


@pytest.mark.slow
def test_fifty_megabyte_file_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    # Filler with no weapon or trigger word, so that extraction's triage skips it: this checks
    # that ingest and storage cope with the size, not how fast spaCy parses 50 MB.
    sentence = "The weather in the capital stayed mild this week, and the markets were calm, traders said. "
    filler = (sentence * 10 + "\n").encode()
    with path.open("wb") as handle:
        handle.write(b"A very long market report\n\nMay 18, 2022\n\n")
        handle.write(b"Iran has delivered Shahed-136 drones to Russia, US officials said.\n")
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(filler)
    db = tmp_path / "huge.db"
    result = run_cli("ingest", str(path), "--db", str(db), "--quiet")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert summary_of(result.stderr) == (1, 1, 0, 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT length(text) FROM documents").fetchone()[0] >= 50 * 1024 * 1024
