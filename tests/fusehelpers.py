"""Small builders for fusion tests: hand-made claims as fusion's INPUT (never expected output)."""

from __future__ import annotations

from typing import Any

from armstrace.fuse.core import Claim

NAMES = {"IRN": "Iran", "RUS": "Russia", "USA": "United States", "TJK": "Tajikistan", "VEN": "Venezuela",
         "SDN": "Sudan", "TUR": "Turkey", "UKR": "Ukraine"}


def ref(entity_id: str | None, name: str | None = None) -> dict[str, Any] | None:
    if entity_id is None:
        return None
    return {"id": entity_id, "name": name or NAMES.get(entity_id, entity_id)}


def item(category: str, system: str | None = None) -> dict[str, Any]:
    return {"category": category,
            "system": {"id": system, "name": system.split(":", 1)[1].title()} if system else None}


def stance(actor: str, polarity: str, date: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"actor": ref(actor), "speaker": None, "polarity": polarity}
    if date:
        out["date"] = date
    return out


def event(
    type: str = "transfer",
    supplier: str | None = "IRN",
    recipient: str | None = "RUS",
    items: list[dict[str, Any]] | None = None,
    status: str | None = "delivered",
    time: tuple[str | None, str | None] | None = None,
    stances: list[dict[str, Any]] | None = None,
    quantity: dict[str, Any] | None = None,
    sentence: str = "An invented sentence for the test.",
) -> dict[str, Any]:
    return {
        "type": type,
        "supplier": ref(supplier),
        "recipient": ref(recipient),
        "items": items if items is not None else [item("uav")],
        "status": status,
        "quantity": quantity,
        "value": None,
        "time": {"text": "then", "start": time[0], "end": time[1]} if time else None,
        "place": None,
        "target": None,
        "stance": stances or [],
        "evidence": [{"sentence": sentence, "start": 0, "end": len(sentence)}],
    }


def claim(
    claim_id: str,
    doc_id: str,
    published: str | None = None,
    source: str | None = None,
    version: str = "1",
    **event_args: Any,
) -> Claim:
    doc = {"id": doc_id, "path": f"{doc_id}.txt", "title": doc_id, "source": source, "url": None,
           "published": published}
    return Claim(id=claim_id, doc=doc, event=event(**event_args), extractor_version=version)
