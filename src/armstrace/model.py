"""The records that flow through the pipeline: documents in, events out.

Every stage (ingest → nlp → extract → store → fuse → export/web) speaks in
these types, so that a stage can be replaced without touching the others.
Conversions to and from the SPEC's JSON shape live here and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


def content_hash(*parts: str, length: int = 16) -> str:
    """A short, stable id made from what makes a record that record.

    Ids built this way make re-ingest idempotent by construction: the same
    text, or the same fact from the same source, always gets the same id.
    """
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass
class Document:
    """One article as ingested: the text we extract from, and its metadata.

    `text` is the text as extracted (after HTML clean-up); every evidence
    offset in the project points into it.
    """

    text: str
    path: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or None
    source: str | None = None  # outlet name or domain
    url: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        # The text alone decides identity: the same article from two paths is one document.
        return content_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "published": self.published,
            "source": self.source,
            "url": self.url,
        }


@dataclass(frozen=True)
class EntityRef:
    """A resolved mention of an actor or a weapon system: its id and a display name."""

    id: str | None
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EntityRef | None:
        if not data:
            return None
        return cls(id=data.get("id"), name=data.get("name") or data.get("id") or "")


@dataclass(frozen=True)
class Item:
    category: str
    system: EntityRef | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "system": self.system.to_dict() if self.system else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        return cls(category=data["category"], system=EntityRef.from_dict(data.get("system")))


@dataclass(frozen=True)
class Stance:
    actor: EntityRef
    polarity: str  # "asserts" | "denies"
    speaker: EntityRef | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "actor": self.actor.to_dict(),
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "polarity": self.polarity,
        }
        if self.date:
            out["date"] = self.date
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stance:
        return cls(
            actor=EntityRef.from_dict(data["actor"]),  # type: ignore[arg-type]
            polarity=data["polarity"],
            speaker=EntityRef.from_dict(data.get("speaker")),
            date=data.get("date"),
        )


@dataclass(frozen=True)
class TimeSpan:
    text: str
    start: str | None
    end: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Quantity:
    text: str
    min: int | None
    max: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "min": self.min, "max": self.max}


@dataclass(frozen=True)
class Value:
    text: str
    amount: float | None
    currency: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "amount": self.amount, "currency": self.currency}


@dataclass(frozen=True)
class Evidence:
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end}


@dataclass
class Event:
    """One relation between actors about military items (SPEC section 3).

    Within a document, mentions of the same event are merged into one Event
    whose `evidence` lists every sentence that supports it.
    """

    type: str
    supplier: EntityRef | None
    recipient: EntityRef | None
    items: list[Item] = field(default_factory=list)
    status: str | None = None
    quantity: Quantity | None = None
    value: Value | None = None
    time: TimeSpan | None = None
    place: EntityRef | None = None
    target: EntityRef | None = None
    stance: list[Stance] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    negated: bool = False  # the text says it did not happen; kept for stance, never exported as an event

    def key(self) -> tuple[str, str | None, str | None]:
        return (
            self.type,
            self.supplier.id if self.supplier else None,
            self.recipient.id if self.recipient else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "supplier": self.supplier.to_dict() if self.supplier else None,
            "recipient": self.recipient.to_dict() if self.recipient else None,
            "items": [i.to_dict() for i in self.items],
            "status": self.status,
            "quantity": self.quantity.to_dict() if self.quantity else None,
            "value": self.value.to_dict() if self.value else None,
            "time": self.time.to_dict() if self.time else None,
            "place": self.place.to_dict() if self.place else None,
            "target": self.target.to_dict() if self.target else None,
            "stance": [s.to_dict() for s in self.stance],
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        def opt(kind: type, key: str) -> Any:
            value = data.get(key)
            return kind(**value) if value else None

        return cls(
            type=data["type"],
            supplier=EntityRef.from_dict(data.get("supplier")),
            recipient=EntityRef.from_dict(data.get("recipient")),
            items=[Item.from_dict(i) for i in data.get("items") or []],
            status=data.get("status"),
            quantity=opt(Quantity, "quantity"),
            value=opt(Value, "value"),
            time=opt(TimeSpan, "time"),
            place=EntityRef.from_dict(data.get("place")),
            target=EntityRef.from_dict(data.get("target")),
            stance=[Stance.from_dict(s) for s in data.get("stance") or []],
            evidence=[Evidence(**e) for e in data.get("evidence") or []],
        )


@dataclass
class DocumentResult:
    """What extraction makes of one document: SPEC section 4, one JSON line."""

    document: Document
    events: list[Event]
    extractor_version: str = ""
    error: str | None = None  # extraction failed for this document; the batch goes on without it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.document.to_dict(), "events": [e.to_dict() for e in self.events]}
        if self.error:
            out["error"] = self.error
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


__all__ = [
    "Document",
    "DocumentResult",
    "EntityRef",
    "Event",
    "Evidence",
    "Item",
    "Quantity",
    "Stance",
    "TimeSpan",
    "Value",
    "content_hash",
    "asdict",
]
