"""Output shapes, validated against the JSON Schemas in schemas/ (extract output and export output)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, gen_articles, run_cli

SCHEMAS = REPO / "schemas"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(check: jsonschema.Draft202012Validator, record: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(record)]


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("schema-articles")
    gen_articles.write_articles(folder, 16, arms_share=0.8, seed=5)
    return folder


def test_extract_output_matches_the_document_schema(articles: Path, shared_dir: Path) -> None:
    check = validator("document_output.schema.json")
    dev = sorted((shared_dir / "eval" / "dev").glob("*.txt"))
    result = run_cli("extract", str(articles), *map(str, dev), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 16 + len(dev)
    assert sum(len(line["events"]) for line in lines) > 0
    for line in lines:
        assert errors(check, line) == [], line["doc"]["path"]


def test_export_matches_the_event_schema(articles: Path, tmp_path: Path) -> None:
    check = validator("event_export.schema.json")
    db = tmp_path / "schema.db"
    assert run_cli("ingest", str(articles), "--db", str(db), "--quiet").returncode == 0
    result = run_cli("export", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records, "the generated arms articles should give events"
    for record in records:
        assert errors(check, record) == [], record["id"]
    # The schema is not vacuous: dropping a required field, or breaking a value, is caught.
    broken = copy.deepcopy(records[0])
    del broken["claims"][0]["evidence"]
    broken["type"] = "gift"
    assert len(errors(check, broken)) == 2


def test_schemas_reject_what_the_spec_forbids() -> None:
    check = validator("document_output.schema.json")
    good = {
        "doc": {"id": "abc", "path": "a.txt", "title": None, "published": "2022-11-21", "source": None},
        "events": [
            {
                "type": "transfer",
                "supplier": {"id": "IRN", "name": "Iran"},
                "recipient": {"id": "org:houthis", "name": "Houthis"},
                "items": [{"category": "uav", "system": {"id": "sys:shahed-136", "name": "Shahed-136"}}],
                "status": "delivered",
                "quantity": {"text": "hundreds", "min": 100, "max": 999},
                "value": None,
                "time": {"text": "in August", "start": "2022-08", "end": "2022-08"},
                "place": None,
                "target": None,
                "stance": [
                    {"actor": {"id": "USA", "name": "United States"}, "speaker": None, "polarity": "asserts"}
                ],
                "evidence": [{"sentence": "Iran sent drones.", "start": 0, "end": 17}],
            }
        ],
    }
    assert errors(check, good) == []
    for path, value in [
        (("supplier", "id"), "Iran"),  # not an id form of SPEC section 1
        (("items", 0, "category"), "drones"),
        (("status",), "done"),
        (("time", "start"), "August 2022"),
        (("stance", 0, "polarity"), "maybe"),
        (("evidence",), []),
    ]:
        bad = copy.deepcopy(good)
        target = bad["events"][0]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert errors(check, bad), path
