"""Conversions between records (model types, SPEC dicts) and table rows, in one place."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from armstrace.model import DocumentResult, Event, content_hash
from armstrace.ontology import coarse_category

_STATE_ID = re.compile(r"[A-Z]{3}")
_KIND_PREFIXES = {"org:": "organisation", "person:": "person", "sys:": "system"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def entity_kind(entity_id: str) -> str:
    """The kind of an entity from the form of its id (SPEC section 1)."""
    if _STATE_ID.fullmatch(entity_id):
        return "state"
    for prefix, kind in _KIND_PREFIXES.items():
        if entity_id.startswith(prefix):
            return kind
    return "unknown"


def pad_start(value: str | None) -> str | None:
    """The first day a partial ISO date can mean: "2022" → "2022-01-01"."""
    if not value:
        return None
    if len(value) == 4:
        return f"{value}-01-01"
    if len(value) == 7:
        return f"{value}-01"
    return value[:10]


def pad_end(value: str | None) -> str | None:
    """The last day a partial ISO date can mean, for string comparison: "2022-02" → "2022-02-31"."""
    if not value:
        return None
    if len(value) == 4:
        return f"{value}-12-31"
    if len(value) == 7:
        return f"{value}-31"
    return value[:10]


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def event_dict_of(event: Event | dict[str, Any]) -> dict[str, Any]:
    return event.to_dict() if isinstance(event, Event) else dict(event)


def claim_id(doc_id: str, extractor_version: str, event: dict[str, Any]) -> str:
    """A claim's id: what makes it that claim (document, extractor, the event as extracted)."""
    return content_hash(
        doc_id, extractor_version or "", json.dumps(event, sort_keys=True, ensure_ascii=False)
    )


def _ref_id(ref: dict[str, Any] | None) -> str | None:
    return ref.get("id") if ref else None


def _ref_name(ref: dict[str, Any] | None) -> str | None:
    return (ref.get("name") or ref.get("id")) if ref else None


def categories_of(event: dict[str, Any]) -> list[str]:
    """Coarse item categories of an event, in order of first appearance, no repeats."""
    seen: dict[str, None] = {}
    for item in event.get("items") or []:
        if item.get("category"):
            seen[coarse_category(item["category"])] = None
    return list(seen)


def systems_of(event: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for item in event.get("items") or []:
        system_id = _ref_id(item.get("system"))
        if system_id:
            seen[system_id] = None
    return list(seen)


def document_row(result: DocumentResult) -> dict[str, Any]:
    doc = result.document
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "published": doc.published,
        "source": doc.source,
        "url": doc.url,
        "text": doc.text,
        "warnings": list(doc.warnings),
        "ingested_at": now(),
        "extractor_version": result.extractor_version or "",
    }


def claim_row(
    doc_id: str, published: str | None, extractor_version: str, event: dict[str, Any]
) -> dict[str, Any]:
    time = event.get("time") or {}
    return {
        "id": claim_id(doc_id, extractor_version, event),
        "doc_id": doc_id,
        "extractor_version": extractor_version or "",
        "type": event["type"],
        "supplier_id": _ref_id(event.get("supplier")),
        "supplier_name": _ref_name(event.get("supplier")),
        "recipient_id": _ref_id(event.get("recipient")),
        "recipient_name": _ref_name(event.get("recipient")),
        "status": event.get("status"),
        "item_categories": " ".join(categories_of(event)),
        "system_ids": " ".join(systems_of(event)),
        "time_start": time.get("start"),
        "time_end": time.get("end"),
        "published": published,
        "data": event,
        "created_at": now(),
    }


def entity_rows(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Every actor and weapon system an event names, as entity rows."""
    rows: dict[str, dict[str, Any]] = {}

    def add(ref: dict[str, Any] | None, category: str | None = None) -> None:
        if not ref or not ref.get("id") or ref["id"] in rows:
            return
        kind = entity_kind(ref["id"])
        rows[ref["id"]] = {
            "id": ref["id"],
            "kind": kind,
            "name": ref.get("name") or ref["id"],
            "state": ref["id"] if kind == "state" else None,
            "category": category,
            "data": {},
        }

    for role in ("supplier", "recipient", "place", "target"):
        add(event.get(role))
    for item in event.get("items") or []:
        add(item.get("system"), item.get("category"))
    for stance in event.get("stance") or []:
        add(stance.get("actor"))
        add(stance.get("speaker"))
    return list(rows.values())


def event_row(
    record: dict[str, Any], first_reported: str | None, last_reported: str | None
) -> dict[str, Any]:
    """An events row from a fused SPEC section 6 record (its "claims" are stored as links)."""
    data = {key: value for key, value in record.items() if key != "claims"}
    time = data.get("time") or {}
    categories = categories_of(data)
    start, end = time.get("start"), time.get("end")
    return {
        "id": data["id"],
        "type": data["type"],
        "supplier_id": _ref_id(data.get("supplier")),
        "supplier_name": _ref_name(data.get("supplier")),
        "recipient_id": _ref_id(data.get("recipient")),
        "recipient_name": _ref_name(data.get("recipient")),
        "item_family": data.get("item_family") or (categories[0] if categories else None),
        "item_categories": " ".join(categories),
        "system_ids": " ".join(systems_of(data)),
        "status": data.get("status"),
        "time_start": start,
        "time_end": end,
        "first_reported": first_reported,
        "last_reported": last_reported,
        "span_start": pad_start(start or end or first_reported),
        "span_end": pad_end(end or start or last_reported),
        "sources": int(data.get("sources") or 0),
        "data": data,
        "updated_at": now(),
    }


def doc_ref(row: Any) -> dict[str, Any]:
    """The short document reference a claim carries (SPEC section 6)."""
    return {"id": row.doc_id, "path": row.doc_path, "source": row.doc_source, "published": row.doc_published}


def claim_dict(row: Any) -> dict[str, Any]:
    """A stored claim, for readers: its id, document and the extracted event."""
    event = row.data
    return {
        "id": row.id,
        "doc": doc_ref(row) | {"title": row.doc_title, "url": row.doc_url},
        "extractor_version": row.extractor_version,
        "type": row.type,
        "status": row.status,
        "published": row.published,
        "event": event,
        "stance": event.get("stance") or [],
        "evidence": event.get("evidence") or [],
    }


def claim_in_event(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim as it appears inside a fused event (SPEC section 6)."""
    doc = claim["doc"]
    return {
        "id": claim["id"],
        "doc": {"id": doc["id"], "path": doc["path"], "source": doc["source"], "published": doc["published"]},
        "status": claim["status"],
        "stance": claim["stance"],
        "evidence": claim["evidence"],
    }


def document_dict(row: Any, with_text: bool = True) -> dict[str, Any]:
    out = {
        "id": row.id,
        "path": row.path,
        "title": row.title,
        "published": row.published,
        "source": row.source,
        "url": row.url,
        "warnings": row.warnings or [],
        "ingested_at": row.ingested_at,
        "extractor_version": row.extractor_version,
    }
    if with_text:
        out["text"] = row.text
    return out


def event_dict(row: Any) -> dict[str, Any]:
    """A stored event as its SPEC section 6 record (claims added by the caller)."""
    data = dict(row.data)
    data["id"] = row.id
    data.setdefault("sources", row.sources)
    data.setdefault("first_reported", row.first_reported)
    data.setdefault("last_reported", row.last_reported)
    return data
