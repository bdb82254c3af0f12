"""The claims ledger: one fused event as the SPEC section 6 record.

The ledger keeps every claim behind an event (which document, outlet, date,
status, stance, evidence, extractor version) and derives from them what the
event's reader needs: the strongest status and its history, who asserts and
who denies it and when, corroboration by distinct outlets, and when it was
first and last reported. It is a pure function of the claims (plus analysts'
review and corrections), so rebuilding it from the store gives the same
record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from armstrace.fuse.core import FUSION_VERSION, Claim, FusedEvent, claim_interval, item_family
from armstrace.ontology import coarse_category, has_status, status_rank


def outlet_of(doc: dict[str, Any]) -> str:
    """The outlet a document counts as for corroboration.

    Outlet names and URLs are folded ("www.Reuters.com" = "reuters.com");
    a document with no known outlet counts as its own.
    """
    source = (doc.get("source") or "").strip().lower()
    if not source and doc.get("url"):
        source = urlparse(str(doc["url"])).netloc.lower()
    if source.startswith("www."):
        source = source[4:]
    return source or f"doc:{doc.get('id')}"


def _most_common_name(refs: Iterable[dict[str, Any] | None]) -> dict[str, Any] | None:
    """One entity ref from several: the most cited id, shown by its most cited name."""
    refs = [r for r in refs if r]
    if not refs:
        return None
    ids = Counter(r.get("id") for r in refs)
    best_id = min(ids, key=lambda i: (-ids[i], i is None, i or ""))
    names = Counter(r.get("name") or "" for r in refs if r.get("id") == best_id)
    best_name = min(names, key=lambda n: (-names[n], n))
    return {"id": best_id, "name": best_name or best_id}


def _claim_date(claim: Claim) -> str | None:
    return claim.published


def _claim_entry(claim: Claim) -> dict[str, Any]:
    event = claim.event
    doc = claim.doc
    return {
        "id": claim.id,
        "doc": {k: doc.get(k) for k in ("id", "path", "title", "source", "url", "published")},
        "extractor_version": claim.extractor_version,
        "status": event.get("status"),
        "items": event.get("items") or [],
        "time": event.get("time"),
        "quantity": event.get("quantity"),
        "value": event.get("value"),
        "stance": event.get("stance") or [],
        "evidence": event.get("evidence") or [],
    }


def _claim_sort_key(claim: Claim) -> tuple[bool, str, str, str]:
    published = claim.published or ""
    return (not published, published, claim.doc_id, claim.id)


def stance_timeline(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """Who asserts and who denies, in date order.

    Each entry carries the date the text gives for it, else its claim's
    publication date (`date_from` says which). Entries saying the same thing
    on the same date are one entry citing all their claims; a later change of
    mind is a new entry.
    """
    entries: dict[tuple[str, str, str], dict[str, Any]] = {}
    for claim in claims:
        for stance in claim.event.get("stance") or []:
            actor = stance.get("actor") or {}
            polarity = stance.get("polarity")
            if polarity not in ("asserts", "denies"):
                continue
            date = stance.get("date") or claim.published
            date_from = "text" if stance.get("date") else ("published" if claim.published else None)
            actor_key = actor.get("id") or (actor.get("name") or "").lower()
            key = (actor_key, polarity, date or "")
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = {
                    "actor": {"id": actor.get("id"), "name": actor.get("name") or actor.get("id")},
                    "speaker": stance.get("speaker"),
                    "polarity": polarity,
                    "date": date,
                    "date_from": date_from,
                    "claims": [],
                    "docs": [],
                }
            elif not entry["speaker"] and stance.get("speaker"):
                entry["speaker"] = stance.get("speaker")
            if date_from == "text":
                entry["date_from"] = "text"
            if claim.id not in entry["claims"]:
                entry["claims"].append(claim.id)
            if claim.doc_id not in entry["docs"]:
                entry["docs"].append(claim.doc_id)
    for entry in entries.values():
        entry["claims"].sort()
        entry["docs"].sort()
    return sorted(
        entries.values(),
        key=lambda e: (e["date"] is None, e["date"] or "", e["actor"]["id"] or "", e["polarity"]),
    )


def status_history(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """Each status the claims report, when it was first and last reported, and by which claims."""
    by_status: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        status = claim.event.get("status")
        if status:
            by_status[status].append(claim)
    history = []
    for status, group in by_status.items():
        dates = sorted(d for c in group if (d := _claim_date(c)))
        history.append({
            "status": status,
            "first_reported": dates[0] if dates else None,
            "last_reported": dates[-1] if dates else None,
            "claims": sorted(c.id for c in group),
        })
    return sorted(history, key=lambda h: (status_rank(h["status"]), h["first_reported"] or ""))


def _merged_items(claims: list[Claim], family: str, system_family: Any = None) -> list[dict[str, Any]]:
    """The union of the claims' items in this event's family, one per system or category.

    A system named as "uav" in one claim and "loitering_munition" in another
    keeps the more specific category; a bare category already implied by a
    named system or by a more specific bare category is dropped.
    """
    system_category: dict[str, str] = {}
    system_refs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    bare: set[str] = set()
    for claim in claims:
        for item in claim.event.get("items") or []:
            if family != "none" and item_family(item, system_family) != family:
                continue
            category = str(item.get("category") or "military_equipment")
            system = item.get("system")
            if system and system.get("id"):
                system_refs[system["id"]].append(system)
                known = system_category.get(system["id"])
                if known is None or (coarse_category(category) != category and coarse_category(known) == known):
                    system_category[system["id"]] = category
            else:
                bare.add(category)
    items = [{"category": system_category[s], "system": _most_common_name(system_refs[s])}
             for s in sorted(system_category)]
    implied = {c for s in system_category.values() for c in (s, coarse_category(s))}
    implied |= {coarse_category(c) for c in bare if coarse_category(c) != c}
    items += [{"category": c, "system": None} for c in sorted(bare) if c not in implied]
    return items


def _merged_time(claims: list[Claim]) -> dict[str, Any] | None:
    times = [c.event.get("time") for c in claims if c.event.get("time")]
    times = [t for t in times if t.get("start") or t.get("end")]
    if not times:
        return None
    starts = [t["start"] for t in times if t.get("start")]
    ends = [t.get("end") or t.get("start") for t in times if t.get("end") or t.get("start")]
    start = min(starts) if starts else None
    end = max(ends) if ends else None
    texts = sorted({t.get("text") or "" for t in times if (t.get("start") or "") == (start or "")} - {""})
    return {"text": "; ".join(texts) or None, "start": start, "end": end}


def _pick_by_strength(claims: list[Claim], field: str) -> dict[str, Any] | None:
    """A quantity or value: from the strongest-status claim, then the latest report."""
    candidates = [c for c in claims if c.event.get(field)]
    if not candidates:
        return None
    best = max(
        candidates,
        key=lambda c: (status_rank(c.event.get("status")), c.published or "", c.id),
    )
    return best.event[field]


def build_record(event: FusedEvent, system_family: Any = None) -> dict[str, Any]:
    """The SPEC section 6 record of one fused event, with its ledger."""
    claims = sorted(event.claims, key=_claim_sort_key)
    key = event.key
    statuses = [c.event.get("status") for c in claims if c.event.get("status")]
    status = max(statuses, key=status_rank) if statuses and has_status(key.type) else None
    published = sorted(p for c in claims if (p := c.published))
    outlets = sorted({outlet_of(c.doc) for c in claims})
    dated = [iv for c in claims if (iv := claim_interval(c))]
    record: dict[str, Any] = {
        "id": event.id,
        "type": key.type,
        "supplier": _most_common_name(c.event.get("supplier") for c in claims),
        "recipient": _most_common_name(c.event.get("recipient") for c in claims),
        "items": _merged_items(claims, key.family, system_family),
        "status": status,
        "quantity": _pick_by_strength(claims, "quantity"),
        "value": _pick_by_strength(claims, "value"),
        "time": _merged_time(claims),
        "place": _most_common_name(c.event.get("place") for c in claims),
        "target": _most_common_name(c.event.get("target") for c in claims),
        "stance": stance_timeline(claims),
        "sources": len(outlets),
        "outlets": outlets,
        "first_reported": published[0] if published else None,
        "last_reported": published[-1] if published else None,
        "status_history": status_history(claims),
        "claims": [_claim_entry(c) for c in claims],
        "fusion": {
            "version": FUSION_VERSION,
            "block": key.to_dict(),
            "lead_system": event.lead_system,
            "first_year": event.first_year,
            "span": [min(d[0] for d in dated).isoformat(), max(d[1] for d in dated).isoformat()]
            if dated else None,
        },
        "review": event.review,
        "corrections": [dict(c) for c in event.corrections],
        "decisions": list(event.decisions),
    }
    for correction in event.corrections:
        apply_correction(record, correction["field"], correction["value"])
    return record


# Fields an analyst may correct, and how a text value becomes the record's value.
CORRECTABLE = ("status", "type", "supplier", "recipient", "place", "target", "time.start", "time.end",
               "quantity", "quantity.min", "quantity.max", "value.amount", "value.currency")


def apply_correction(record: dict[str, Any], field: str, value: str | None) -> None:
    """Overwrite one field of a fused record with an analyst's value."""
    if field not in CORRECTABLE:
        raise ValueError(f"cannot correct {field!r}; correctable fields: {', '.join(CORRECTABLE)}")
    empty = value in (None, "", "null", "none")
    if field in ("status", "type"):
        record[field] = None if empty else value
    elif field in ("supplier", "recipient", "place", "target"):
        record[field] = None if empty else {"id": value, "name": value}
    elif field.startswith("time."):
        time = record.get("time") or {"text": None, "start": None, "end": None}
        time[field.split(".", 1)[1]] = None if empty else value
        record["time"] = time
    elif field == "quantity":
        if empty:
            record["quantity"] = None
        else:
            low, _, high = str(value).partition("-")
            record["quantity"] = {"text": value, "min": int(low), "max": int(high or low)}
    elif field.startswith("quantity."):
        quantity = record.get("quantity") or {"text": None, "min": None, "max": None}
        quantity[field.split(".", 1)[1]] = None if empty else int(str(value))
        record["quantity"] = quantity
    elif field.startswith("value."):
        amount = record.get("value") or {"text": None, "amount": None, "currency": None}
        part = field.split(".", 1)[1]
        amount[part] = None if empty else (float(str(value)) if part == "amount" else value)
        record["value"] = amount


# --- presenting the ledger -------------------------------------------------


def _ref(ref: dict[str, Any] | None) -> str:
    if not ref:
        return "-"
    name, ident = ref.get("name"), ref.get("id")
    return f"{name} ({ident})" if name and ident and name != ident else str(ident or name)


def render_ledger(record: dict[str, Any]) -> list[str]:
    """The ledger of a fused event as plain text lines (for `show` and the CLI).

    Lines carry no markup, so that any console or template can print them.
    """
    lines = []
    items = ", ".join(
        (i["system"]["name"] + f" [{i['category']}]") if i.get("system") else i["category"]
        for i in record.get("items") or []
    ) or "-"
    lines.append(f"event {record.get('id')}: {record.get('type')} "
                 f"{_ref(record.get('supplier'))} -> {_ref(record.get('recipient'))}")
    lines.append(f"  items: {items}")
    lines.append(f"  status: {record.get('status') or '-'}")
    time = record.get("time") or {}
    if time.get("start") or time.get("end"):
        lines.append(f"  time: {time.get('start') or '?'} .. {time.get('end') or '?'}")
    quantity = record.get("quantity")
    if quantity:
        lines.append(f"  quantity: {quantity.get('text') or ''} ({quantity.get('min')}-{quantity.get('max')})")
    lines.append(f"  reported: {record.get('first_reported') or '?'} .. {record.get('last_reported') or '?'}; "
                 f"{record.get('sources', 0)} source(s), {len(record.get('claims') or [])} claim(s)")
    review = record.get("review")
    if review:
        lines.append(f"  review: {review.get('status')} by {review.get('author') or '?'}"
                     + (f" ({review['note']})" if review.get("note") else ""))
    if record.get("status_history"):
        lines.append("  status history:")
        for entry in record["status_history"]:
            lines.append(f"    {entry['first_reported'] or '????-??-??':<10}  {entry['status']:<11} "
                         f"{len(entry['claims'])} claim(s)")
    if record.get("stance"):
        lines.append("  stance:")
        for entry in record["stance"]:
            speaker = f" via {_ref(entry['speaker'])}" if entry.get("speaker") else ""
            lines.append(f"    {entry.get('date') or '????-??-??':<10}  {_ref(entry['actor'])} "
                         f"{entry['polarity']}{speaker}")
    lines.append("  claims:")
    for claim in record.get("claims") or []:
        doc = claim.get("doc") or {}
        where = doc.get("source") or doc.get("path") or doc.get("id")
        lines.append(f"    {doc.get('published') or '????-??-??':<10}  {claim.get('status') or '-':<11} "
                     f"{where}  [claim {claim['id']}, extractor {claim.get('extractor_version') or '?'}]")
        for evidence in claim.get("evidence") or []:
            lines.append(f"        \"{evidence.get('sentence', '').strip()}\"")
    for correction in record.get("corrections") or []:
        lines.append(f"  corrected: {correction['field']} = {correction['value']} "
                     f"(by {correction.get('author') or '?'})")
    return lines


__all__ = [
    "CORRECTABLE",
    "apply_correction",
    "build_record",
    "outlet_of",
    "render_ledger",
    "stance_timeline",
    "status_history",
]
