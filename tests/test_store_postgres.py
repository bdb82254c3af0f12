"""The Store on a real PostgreSQL server (a throwaway cluster started for this module).

Skipped when the PostgreSQL server binaries (initdb, pg_ctl) are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from armstrace.model import Event, Evidence, Item
from armstrace.store import StoreError, open_store
from conftest import make_result, ref

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not installed")
    prefix: list[str] = []
    root = tmp_path_factory.mktemp("pg")
    if os.geteuid() == 0:  # initdb refuses to run as root
        if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
            pytest.skip("running as root and there is no postgres user")
        prefix = ["runuser", "-u", "postgres", "--"]
        os.chmod(root, 0o777)
        for parent in root.parents:
            if parent == Path("/tmp") or parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o711)
    data, port = root / "data", _free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True, capture_output=True
    )
    options = f"-k {root} -p {port} -c listen_addresses=''"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        subprocess.run(
            [*prefix, "psql", "-h", str(root), "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE armstrace"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql+psycopg2://postgres@/armstrace?host={root}&port={port}"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)


def test_store_round_trip_on_postgres(pg_url: str) -> None:
    with open_store(pg_url) as store:
        text = "Turkey sold Bayraktar TB2 drones to Ukraine, officials in Kyiv said."
        event = Event(
            type="transfer", supplier=ref("TUR", "Turkey"), recipient=ref("UKR", "Ukraine"),
            items=[Item("uav", ref("sys:bayraktar-tb2", "Bayraktar TB2"))], status="delivered",
            evidence=[Evidence(text, 0, len(text))],
        )  # fmt: skip
        result = make_result(text=text, events=[event], source="kyiv.example")
        claim_ids = store.add_result(result)
        assert len(claim_ids) == 1 and store.add_result(result) == []
        store.upsert_event({"id": "pg-event", **event.to_dict()}, claim_ids)
        assert [e["id"] for e in store.events(supplier="Turkey", system="Bayraktar TB2", text="kyiv")] == [
            "pg-event"
        ]
        assert store.count_events(text="nothing like this") == 0
        assert store.event("pg-event")["claims"][0]["doc"]["source"] == "kyiv.example"
        assert store.resolve_event_id("pg-") == ["pg-event"]
        decision = store.add_decision("pg-event", "confirm", {"note": "checked"}, "analyst")
        assert [d["id"] for d in store.decisions("pg-event")] == [decision]
    with open_store(pg_url) as again:  # migrations are not re-applied
        assert again.count_documents() == 1


def test_postgres_errors_are_store_errors(pg_url: str) -> None:
    with pytest.raises(
        StoreError, match=r"^cannot open database at postgresql\+psycopg2://postgres@/nosuchdb"
    ):
        open_store(pg_url.replace("/armstrace?", "/nosuchdb?"))


def test_cli_ingest_into_postgres(pg_url: str, tmp_path: Path) -> None:
    from conftest import gen_articles, run_cli, summary_of

    gen_articles.write_articles(tmp_path / "a", 6, arms_share=1.0, seed=31)
    result = run_cli("ingest", str(tmp_path / "a"), "--db", pg_url, "--quiet")
    assert result.returncode == 0, result.stderr
    assert summary_of(result.stderr)[:2] == (6, 6)
    exported = run_cli("export", "--db", pg_url, "--format", "csv")
    assert exported.returncode == 0 and len(exported.stdout.splitlines()) > 1
