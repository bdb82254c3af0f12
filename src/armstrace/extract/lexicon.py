"""The trigger lexicon (data/triggers.yaml) and item terms, loaded once.

The extractor never lists words in code: every trigger, modality marker and
reporting verb comes from the YAML, so an analyst can teach it a new word
without touching Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def _lemma_set(values: list[str] | None) -> frozenset[str]:
    return frozenset(v.lower() for v in values or [])


@dataclass(frozen=True)
class Lexicon:
    raw: dict[str, Any]
    item_terms: dict[str, str]
    needs_context: frozenset[str]
    # head word (last word of a term) -> True, for fast candidate checks
    item_heads: frozenset[str] = field(default_factory=frozenset)

    def words(self, section: str, key: str) -> frozenset[str]:
        return _words(self, section, key)

    @property
    def triage_words(self) -> list[str]:
        """Words that make a paragraph worth parsing: weapon words and a few signals of the domain.

        Trigger verbs alone ("exports rose") are not enough: most news that says "exports" is about
        grain or oil, and parsing is what costs.
        """
        out: set[str] = set(self.item_terms)
        out.update(self.raw.get("triage", {}).get("signals", []))
        return sorted(out)

    @property
    def stance_words(self) -> list[str]:
        """Denials and admissions: parsed when the document is about arms at all."""
        return sorted(set(self.raw["attribution"]["deny_verbs"]) | set(self.raw["attribution"]["assert_verbs"]))


_words_cache: dict[tuple[int, str, str], frozenset[str]] = {}


def _words(lex: Lexicon, section: str, key: str) -> frozenset[str]:
    k = (id(lex), section, key)
    if k not in _words_cache:
        _words_cache[k] = _lemma_set(lex.raw[section][key])
    return _words_cache[k]


def fold_phrase(text: str) -> str:
    """'Short - range  ballistic Missiles' -> 'short-range ballistic missiles'."""
    text = re.sub(r"\s*-\s*", "-", text.lower())
    return re.sub(r"\s+", " ", text).strip()


class LexiconError(ValueError):
    """A trigger lexicon entry that is not a word (YAML reads bare yes/no/on/off/true/false as booleans)."""


def _check_words(node: Any, where: str, path: str = "") -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _check_words(value, where, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for value in node:
            if not isinstance(value, str):
                raise LexiconError(f"{where}: {path}: {value!r} is not a word; quote it (\"{str(value).lower()}\")")


def load_lexicon(triggers_path: Path | None = None, item_terms: dict[str, str] | None = None,
                 needs_context: list[str] | None = None) -> Lexicon:
    if triggers_path is None:
        text = resources.files("armstrace.extract").joinpath("data/triggers.yaml").read_text(encoding="utf-8")
    else:
        text = triggers_path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    _check_words(raw, str(triggers_path or "armstrace/extract/data/triggers.yaml"))
    if item_terms is None:
        data = yaml.safe_load(
            resources.files("armstrace.knowledge").joinpath("data/item_terms.yaml").read_text(encoding="utf-8")
        )
        item_terms = data["terms"]
        needs_context = data.get("needs_context") or []
    terms = {fold_phrase(k): v for k, v in item_terms.items()}
    heads = frozenset(k.split(" ")[-1] for k in terms)
    return Lexicon(raw=raw, item_terms=terms, needs_context=_lemma_set(needs_context), item_heads=heads)


@cache
def default_lexicon() -> Lexicon:
    try:
        from armstrace.knowledge import default_catalog

        catalog = default_catalog()
        terms = getattr(catalog, "item_terms", None)
    except ImportError:  # the knowledge package is optional for the lexicon itself
        terms = None
    if terms:
        data = yaml.safe_load(
            resources.files("armstrace.knowledge").joinpath("data/item_terms.yaml").read_text(encoding="utf-8")
        )
        return load_lexicon(item_terms=dict(terms), needs_context=data.get("needs_context") or [])
    return load_lexicon()
