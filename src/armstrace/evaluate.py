"""Scoring document output against a gold file (SPEC section 5).

An event is matched when type, supplier and recipient agree (a gold actor may
list acceptable ids; organisation ids agree when most of their slug words
do; a loitering munition counts as a uav). Optional gold events cost nothing
either way. Over matched pairs we report how often items, systems, status
and the stance sets agree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armstrace.ontology import coarse_category

ATTRIBUTES = ("items", "systems", "status", "asserted_by", "denied_by")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def normalize_actor(value: Any) -> str | None:
    """Predicted actors are {"id", "name"} objects; gold actors are id strings."""
    if value is None:
        return None
    if isinstance(value, dict):
        raw = value.get("id") or ("org:" + _slug(value["name"]) if value.get("name") else None)
        if raw is None:
            return None
        value = raw
    text = str(value).strip()
    if re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()
    if ":" in text:
        prefix, rest = text.split(":", 1)
        return f"{prefix.lower()}:{_slug(rest)}"
    return "org:" + _slug(text)


def actors_agree(predicted: str | None, gold: Any) -> bool:
    if isinstance(gold, (list, tuple)):
        return any(actors_agree(predicted, g) for g in gold) if gold else predicted is None
    if predicted is None or gold is None:
        return predicted is None and gold is None
    if predicted == gold:
        return True
    if predicted.startswith("org:") and gold.startswith("org:"):
        a, b = set(predicted[4:].split("-")), set(gold[4:].split("-"))
        return len(a & b) / max(1, len(a | b)) >= 0.6
    return False


def system_key(text: str) -> str:
    if text.startswith("sys:"):
        text = text[4:]
    return re.sub(r"[^a-z0-9]", "", text.lower())


def systems_agree(gold: str, predicted: str) -> bool:
    """Variants and fuller names agree (Iskander-M ~ Iskander), other numbers do not (Shahed-131 != 136)."""
    if gold == predicted:
        return True
    short, longer = sorted((gold, predicted), key=len)
    if not (len(short) >= 4 or (len(short) >= 2 and any(ch.isdigit() for ch in short))):
        return False
    if longer.startswith(short):
        return not longer[len(short)].isdigit()
    if longer.endswith(short):
        return short[0].isalpha() and len(short) >= 3
    return False


@dataclass
class Comparable:
    type: str
    supplier: Any
    recipient: Any
    items: set[str]
    systems: set[str]
    status: str | None
    asserted_by: set[str]
    denied_by: set[str]
    optional: bool = False


def from_prediction(event: dict[str, Any]) -> Comparable:
    items = {coarse_category(i["category"]) for i in event.get("items") or [] if i.get("category")}
    systems = {system_key((i.get("system") or {}).get("id") or (i.get("system") or {}).get("name") or "")
               for i in event.get("items") or [] if i.get("system")}
    stance: dict[str, set[str]] = {"asserts": set(), "denies": set()}
    for s in event.get("stance") or []:
        actor = normalize_actor(s.get("actor"))
        if actor and s.get("polarity") in stance:
            stance[s["polarity"]].add(actor)
    return Comparable(event.get("type", ""), normalize_actor(event.get("supplier")),
                      normalize_actor(event.get("recipient")), items, systems, event.get("status"),
                      stance["asserts"], stance["denies"])


def _gold_actor(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(normalize_actor(v) for v in value)
    return normalize_actor(value)


def from_gold(event: dict[str, Any]) -> Comparable:
    return Comparable(
        event["type"], _gold_actor(event.get("supplier")), _gold_actor(event.get("recipient")),
        {coarse_category(i) for i in event.get("items") or []},
        {system_key(s) for s in event.get("systems") or []},
        event.get("status"),
        {normalize_actor(a) for a in event.get("asserted_by") or []},
        {normalize_actor(a) for a in event.get("denied_by") or []},
        bool(event.get("optional")),
    )


def _key_match(p: Comparable, g: Comparable) -> bool:
    return p.type == g.type and actors_agree(p.supplier, g.supplier) and actors_agree(p.recipient, g.recipient)


def _affinity(p: Comparable, g: Comparable) -> float:
    union = len(p.items | g.items) or 1
    return len(p.items & g.items) / union + 0.5 * len(p.systems & g.systems)


@dataclass
class Score:
    documents: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    agreement: dict[str, list[int]] = field(default_factory=lambda: {a: [0, 0] for a in ATTRIBUTES})
    errors: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def attribute(self, name: str) -> float | None:
        ok, n = self.agreement[name]
        return ok / n if n else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
            "attributes": {a: (round(v, 3) if (v := self.attribute(a)) is not None else None) for a in ATTRIBUTES},
            "missing_documents": self.missing_documents,
        }

    def summary(self) -> str:
        attrs = "  ".join(f"{a}={self.to_dict()['attributes'][a]}" for a in ATTRIBUTES)
        lines = [
            f"documents {self.documents}  events tp={self.tp} fp={self.fp} fn={self.fn}  "
            f"P={round(self.precision, 3)} R={round(self.recall, 3)} F1={round(self.f1, 3)}",
            f"agreement on matched events: {attrs}",
        ]
        if self.missing_documents:
            lines.append("no prediction for: " + ", ".join(self.missing_documents))
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    return "|".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def score_documents(gold_docs: dict[str, dict], predicted_docs: dict[str, dict]) -> Score:
    score = Score(documents=len(gold_docs))
    for name, gold in gold_docs.items():
        golds = [from_gold(e) for e in gold.get("events", [])]
        preds = [from_prediction(e) for e in (predicted_docs.get(name) or {}).get("events", [])]
        candidates = sorted(
            ((_affinity(p, g), i, j) for i, p in enumerate(preds) for j, g in enumerate(golds) if _key_match(p, g)),
            reverse=True,
        )
        used_p: set[int] = set()
        used_g: set[int] = set()
        for _aff, i, j in candidates:
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            p, g = preds[i], golds[j]
            if g.optional:
                continue
            score.tp += 1
            checks = {
                "items": (bool(g.items), p.items == g.items),
                "systems": (bool(g.systems), all(any(systems_agree(x, y) for y in p.systems) for x in g.systems)),
                "status": (g.status is not None, p.status == g.status),
                "asserted_by": (bool(g.asserted_by), p.asserted_by == g.asserted_by),
                "denied_by": (bool(g.denied_by or p.denied_by), p.denied_by == g.denied_by),
            }
            for attr, (counted, ok) in checks.items():
                if counted:
                    score.agreement[attr][1] += 1
                    score.agreement[attr][0] += int(ok)
                    if not ok:
                        score.errors.append(f"{name}: {g.type} {_fmt(g.supplier)}->{_fmt(g.recipient)}: {attr} "
                                            f"gold={_show(getattr(g, attr))} got={_show(getattr(p, attr))}")
        for j, g in enumerate(golds):
            if j not in used_g and not g.optional:
                score.fn += 1
                score.errors.append(f"{name}: MISSED {g.type} {_fmt(g.supplier)}->{_fmt(g.recipient)} "
                                    f"{sorted(g.items)}")
        for i, p in enumerate(preds):
            if i not in used_p and not any(g.optional and _key_match(p, g) for g in golds):
                score.fp += 1
                score.errors.append(f"{name}: SPURIOUS {p.type} {p.supplier}->{p.recipient} {sorted(p.items)}")
    score.missing_documents = sorted(set(gold_docs) - set(predicted_docs))
    return score


def _show(value: Any) -> Any:
    return sorted(value) if isinstance(value, set) else value


def document_name(prediction: dict[str, Any]) -> str | None:
    doc = prediction.get("doc") or {}
    for key in ("path", "id"):
        if doc.get(key):
            return Path(str(doc[key])).name
    return None


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
    return out


def score_files(gold_path: str | Path, predicted_path: str | Path) -> Score:
    gold = {g["doc"]: g for g in read_jsonl(gold_path)}
    predicted: dict[str, dict] = {}
    for p in read_jsonl(predicted_path):
        name = document_name(p)
        if name:
            predicted[name] = p
    return score_documents(gold, predicted)
