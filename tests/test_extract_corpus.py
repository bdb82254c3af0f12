"""Extraction scored end to end, with the real model and catalogues.

The floors are set just under the scores measured when they were written;
a change that loses events on either corpus fails here. The dev articles are
read from ../shared (never copied); our own corpus lives in tests/data/articles.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from armstrace.evaluate import score_documents, score_files
from armstrace.ingest import IngestFailure, iter_documents

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "articles"


def _predict(extractor: Any, paths: list[Path], out: Path) -> dict[str, dict]:
    docs = [d for d in iter_documents([str(p) for p in paths]) if not isinstance(d, IngestFailure)]
    assert len(docs) == len(paths)
    predicted = {}
    with out.open("w", encoding="utf-8") as fh:
        for result in extractor.pipe(docs):
            line = result.to_dict()
            fh.write(json.dumps(line) + "\n")
            predicted[Path(result.document.path).name] = line
    return predicted


def _gold(path: Path) -> dict[str, dict]:
    return {g["doc"]: g for g in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if g}


def test_dev_set_scores_and_agrees_with_the_referee(extractor: Any, shared_dir: Path, tmp_path: Path) -> None:
    dev = shared_dir / "eval" / "dev"
    pred_path = tmp_path / "pred.jsonl"
    predicted = _predict(extractor, sorted(dev.glob("*.txt")), pred_path)
    ours = score_documents(_gold(dev / "gold.jsonl"), predicted)
    assert ours.f1 >= 0.85, ours.summary() + "\n" + "\n".join(ours.errors)
    for attr in ("status", "asserted_by", "denied_by"):
        assert (ours.attribute(attr) or 0) >= 0.8, (attr, ours.summary())
    # `armstrace eval` implements SPEC section 5 on its own; it must agree with the referee.
    referee = subprocess.run(
        [sys.executable, str(shared_dir / "eval" / "score.py"), str(dev / "gold.jsonl"), str(pred_path), "--json"],
        capture_output=True, text=True, check=True,
    )
    theirs = json.loads(referee.stdout)
    mine = score_files(dev / "gold.jsonl", pred_path).to_dict()
    for key in ("tp", "fp", "fn", "precision", "recall", "f1", "attributes"):
        assert mine[key] == theirs[key], key


def test_own_corpus_meets_its_floor(extractor: Any, tmp_path: Path) -> None:
    gold = _gold(OWN / "gold.jsonl")
    paths = [OWN / name for name in sorted(gold)]
    predicted = _predict(extractor, paths, tmp_path / "pred.jsonl")
    score = score_documents(gold, predicted)
    assert score.f1 >= OWN_FLOOR, score.summary() + "\n" + "\n".join(score.errors)


def test_no_event_articles_give_no_event(extractor: Any, tmp_path: Path) -> None:
    gold = _gold(OWN / "gold.jsonl")
    empty = [OWN / name for name, g in sorted(gold.items()) if not g["events"]]
    assert len(empty) >= 8
    predicted = _predict(extractor, empty, tmp_path / "pred.jsonl")
    noisy = {name: [e["type"] for e in p["events"]] for name, p in predicted.items() if p["events"]}
    # At most one of the no-event articles may yield anything.
    assert len(noisy) <= NO_EVENT_TOLERANCE, noisy


def test_baseline_is_scored_the_same_way_and_is_worse(extractor: Any, shared_dir: Path, tmp_path: Path) -> None:
    from armstrace.extract.baseline import CooccurrenceBaseline

    dev = shared_dir / "eval" / "dev"
    baseline = CooccurrenceBaseline(nlp=extractor.nlp, catalog=extractor.catalog)
    gold = _gold(dev / "gold.jsonl")
    base = score_documents(gold, _predict(baseline, sorted(dev.glob("*.txt")), tmp_path / "b.jsonl"))
    ours = score_documents(gold, _predict(extractor, sorted(dev.glob("*.txt")), tmp_path / "o.jsonl"))
    assert base.tp + base.fp > 0  # the baseline does find co-occurrences
    assert ours.f1 > base.f1 + 0.2, (ours.summary(), base.summary())


def test_extract_cli_writes_spec_jsonl(shared_dir: Path, tmp_path: Path) -> None:
    dev = sorted((shared_dir / "eval" / "dev").glob("*.txt"))
    proc = subprocess.run(
        [str(REPO / ".venv" / "bin" / "armstrace") if (REPO / ".venv" / "bin" / "armstrace").exists()
         else sys.executable, *([] if (REPO / ".venv" / "bin" / "armstrace").exists() else ["-m", "armstrace"]),
         "extract", *map(str, dev), "--format", "jsonl"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == len(dev)
    for line in lines:
        assert set(line) >= {"doc", "events"}
        for ev in line["events"]:
            for ev_ in ev["evidence"]:
                text = Path(line["doc"]["path"]).read_text(encoding="utf-8")
                assert ev_["sentence"].strip() in text[ev_["start"]: ev_["end"] + 1]


OWN_FLOOR = 0.78
NO_EVENT_TOLERANCE = 1


@pytest.mark.parametrize("workers", [2])
def test_workers_give_the_same_events(workers: int, shared_dir: Path, tmp_path: Path) -> None:
    dev = sorted((shared_dir / "eval" / "dev").glob("*.txt"))
    exe = REPO / ".venv" / "bin" / "armstrace"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "armstrace"]
    one = subprocess.run([*base, "extract", *map(str, dev), "--format", "jsonl"], capture_output=True, text=True,
                         timeout=300, check=True).stdout
    many = subprocess.run([*base, "extract", *map(str, dev), "--format", "jsonl", "--workers", str(workers)],
                          capture_output=True, text=True, timeout=300, check=True).stdout
    assert one == many


def test_dask_local_cluster_gives_the_same_events(extractor: Any, shared_dir: Path) -> None:
    """The Dask path (a real LocalCluster of two worker processes) returns the same results, in order."""
    pytest.importorskip("distributed")
    from armstrace.extract.parallel import extract_stream

    dev = sorted((shared_dir / "eval" / "dev").glob("*.txt"))
    docs = [d for d in iter_documents([str(p) for p in dev]) if not isinstance(d, IngestFailure)]
    local = [r.to_json() for r in extractor.pipe(docs)]
    distributed = [r.to_json() for r in extract_stream(docs, workers=2, scheduler="local")]
    assert distributed == local
