"""Mention -> id cases from tests/data/mentions.yaml, through the real resolver
and the real spaCy pipeline with the gazetteer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from armstrace.knowledge import Resolver, default_catalog
from armstrace.nlp import load_pipeline

CASES = yaml.safe_load((Path(__file__).parent / "data" / "mentions.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(default_catalog())


def _case_id(case: dict[str, Any]) -> str:
    extra = f" after {case['before']}" if case.get("before") else ""
    extra += " in context" if case.get("doc") else ""
    return f"{case['mention']}{extra}"


def test_there_are_enough_cases() -> None:
    assert len(CASES["resolve"]) + len(CASES["text"]) >= 150


@pytest.mark.parametrize("case", CASES["resolve"], ids=_case_id)
def test_resolve(resolver: Resolver, case: dict[str, Any]) -> None:
    context = resolver.document_context(case.get("doc"))
    for earlier in case.get("before") or []:
        assert resolver.resolve(earlier, context=context) is not None, f"setup mention {earlier!r} unresolved"
    found = resolver.resolve(case["mention"], kind=case.get("kind"), context=context)
    if case["id"] is None:
        assert found is None, f"{case['mention']!r} should not resolve, got {found}"
        return
    assert found is not None, f"{case['mention']!r} did not resolve"
    assert found.id == case["id"]
    if case.get("kind"):
        assert found.kind == case["kind"] or (case["kind"] == "state" and found.kind == "state")
    if case.get("method"):
        assert found.method == case["method"]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


@pytest.mark.parametrize("case", CASES["text"], ids=lambda c: c["text"][:60])
def test_gazetteer(nlp, case: dict[str, Any]) -> None:
    doc = nlp(case["text"])
    got = [(e.text, e.label_, e.kb_id_) for e in doc.ents]
    for text, label, kb_id in case.get("expect") or []:
        assert (text, label, kb_id) in got, f"missing {(text, label, kb_id)} in {got}"
    for unwanted in case.get("absent") or []:
        if ":" in unwanted and unwanted.split(":", 1)[0].isupper():
            label, text = unwanted.split(":", 1)
            assert not any(t == text and lab == label for t, lab, _ in got), f"{unwanted} in {got}"
        else:
            assert not any(kb == unwanted for _, _, kb in got), f"{unwanted} in {got}"
    for system_id, category in (case.get("categories") or {}).items():
        assert doc._.armstrace_categories.get(system_id) == category
