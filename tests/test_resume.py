"""Kill an ingest with SIGKILL midway; the database stays sound and a re-run finishes the job.

The end state after kill + resume must equal an uninterrupted run over the
same articles: the same documents, the same claims, the same events.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, cli_env, gen_articles, run_cli, summary_of

ARTICLES = 40


def ids(db: Path, table: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute(f"SELECT id FROM {table}")}


def stored_documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet, or locked for a moment


def test_sigkill_then_resume(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    gen_articles.write_articles(folder, ARTICLES, arms_share=0.5, seed=23)
    db = tmp_path / "killed.db"
    # Small extraction batches, so documents land one or two at a time and the kill falls midway.
    env = cli_env({"ARMSTRACE_BATCH_SIZE": "2"})
    process = subprocess.Popen(
        [sys.executable, "-m", "armstrace", "ingest", str(folder), "--db", str(db), "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    try:
        while stored_documents(db) < 6:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "ingest never stored a document"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        landed = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 6 <= landed < ARTICLES, f"the kill should fall midway, {landed} of {ARTICLES} were stored"

    resumed = run_cli("ingest", str(folder), "--db", str(db), "--quiet", cwd=REPO)
    assert resumed.returncode == 0, resumed.stderr
    assert summary_of(resumed.stderr) == (ARTICLES, ARTICLES - landed, landed, 0)

    reference = tmp_path / "reference.db"
    straight = run_cli("ingest", str(folder), "--db", str(reference), "--quiet", cwd=REPO)
    assert straight.returncode == 0, straight.stderr
    for table in ("documents", "claims", "events"):
        assert ids(db, table) == ids(reference, table), table
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == ARTICLES
        unlinked = conn.execute(
            "SELECT count(*) FROM claims WHERE id NOT IN (SELECT claim_id FROM event_claims)"
        ).fetchone()[0]
    assert unlinked == 0  # claims stored but not fused before the kill were fused on resume
