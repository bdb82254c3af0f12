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


def _tally(tallies: dict[str, dict[str, int]], ref: dict[str, Any] | None) -> None:
    """Count one entity ref: id ("" for none) -> name -> times cited."""
    if not ref:
        return
    names = tallies.setdefault(ref.get("id") or "", {})
    name = ref.get("name") or ""
    names[name] = names.get(name, 0) + 1


def _most_cited(tallies: dict[str, dict[str, int]]) -> dict[str, Any] | None:
    """The most cited id, shown by its most cited name (ties: alphabetical, ids before none)."""
    if not tallies:
        return None
    totals = {i: sum(names.values()) for i, names in tallies.items()}
    best_id = min(totals, key=lambda i: (-totals[i], i == "", i))
    names = tallies[best_id]
    best_name = min(names, key=lambda n: (-names[n], n))
    ident = best_id or None
    return {"id": ident, "name": best_name or ident}


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


# --- the ledger as a fold ----------------------------------------------------
#
# Every field of the record is folded from the claims one at a time into a
# JSON-able state, with rules that do not depend on the order of the claims
# (minima, maxima, unions, counts, ties broken alphabetically). So the record
# of an event that gains claims can be updated from its stored state and the
# new claims alone, and equals the record rebuilt from all its claims.

_DATE_FROM_RANK = {None: 0, "published": 1, "text": 2}


def new_state() -> dict[str, Any]:
    return {
        "roles": {"supplier": {}, "recipient": {}, "place": {}, "target": {}},
        "systems": {},  # id -> {"category": ..., "names": {name: n}}
        "bare": [],
        "best": {},  # "quantity"/"value" -> [status rank, published, claim id, the value]
        "time": None,  # {"start", "end", "texts", "undated_start_texts"}
        "stance": {},  # "actor|polarity|date" -> entry
        "outlets": [],
        "published": None,  # [first, last]
        "history": {},  # status -> {"first", "last", "claims"}
        "span": None,  # [first day, last day]
        "claims": 0,
    }


def _better_category(known: str | None, new: str) -> str:
    """Of two categories for one system, the more specific (a loitering munition is a uav), else the first alphabetically."""
    if known is None:
        return new
    specific_known, specific_new = coarse_category(known) != known, coarse_category(new) != new
    if specific_known != specific_new:
        return known if specific_known else new
    return min(known, new)


def _add_sorted(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)
        values.sort()


def add_claim(state: dict[str, Any], claim: Claim, family: str, system_family: Any = None) -> None:
    """Fold one claim into a ledger state."""
    event = claim.event
    state["claims"] += 1
    for role in ("supplier", "recipient", "place", "target"):
        _tally(state["roles"][role], event.get(role))
    for item in event.get("items") or []:
        if family != "none" and item_family(item, system_family) != family:
            continue
        category = str(item.get("category") or "military_equipment")
        system = item.get("system")
        if system and system.get("id"):
            entry = state["systems"].setdefault(system["id"], {"category": None, "names": {}})
            entry["category"] = _better_category(entry["category"], category)
            name = system.get("name") or ""
            entry["names"][name] = entry["names"].get(name, 0) + 1
        else:
            _add_sorted(state["bare"], category)
    for field in ("quantity", "value"):
        if event.get(field):
            key = [status_rank(event.get("status")), claim.published or "", claim.id, event[field]]
            best = state["best"].get(field)
            if best is None or key[:3] > best[:3]:
                state["best"][field] = key
    time = event.get("time") or {}
    if time.get("start") or time.get("end"):
        folded = state["time"] or {"start": None, "end": None, "texts": [], "undated_start_texts": []}
        start, end, text = time.get("start"), time.get("end") or time.get("start"), time.get("text") or ""
        if start and (folded["start"] is None or start < folded["start"]):
            folded["start"], folded["texts"] = start, []
        if start and start == folded["start"] and text:
            _add_sorted(folded["texts"], text)
        if not start and text:
            _add_sorted(folded["undated_start_texts"], text)
        if end and (folded["end"] is None or end > folded["end"]):
            folded["end"] = end
        state["time"] = folded
    for stance in event.get("stance") or []:
        _add_stance(state["stance"], claim, stance)
    _add_sorted(state["outlets"], outlet_of(claim.doc))
    if claim.published:
        first_last = state["published"] or [claim.published, claim.published]
        state["published"] = [min(first_last[0], claim.published), max(first_last[1], claim.published)]
    status = event.get("status")
    if status:
        entry = state["history"].setdefault(status, {"first": None, "last": None, "claims": []})
        _add_sorted(entry["claims"], claim.id)
        if claim.published:
            entry["first"] = min(entry["first"] or claim.published, claim.published)
            entry["last"] = max(entry["last"] or claim.published, claim.published)
    interval = claim_interval(claim)
    if interval:
        lo, hi = interval[0].isoformat(), interval[1].isoformat()
        span = state["span"] or [lo, hi]
        state["span"] = [min(span[0], lo), max(span[1], hi)]


def _add_stance(entries: dict[str, Any], claim: Claim, stance: dict[str, Any]) -> None:
    actor = stance.get("actor") or {}
    polarity = stance.get("polarity")
    if polarity not in ("asserts", "denies"):
        return
    date = stance.get("date") or claim.published
    date_from = "text" if stance.get("date") else ("published" if claim.published else None)
    actor_key = actor.get("id") or (actor.get("name") or "").lower()
    key = f"{actor_key}|{polarity}|{date or ''}"
    name = actor.get("name") or actor.get("id")
    entry = entries.get(key)
    if entry is None:
        entry = entries[key] = {"actor": {"id": actor.get("id"), "name": name}, "speaker": None,
                                "polarity": polarity, "date": date, "date_from": date_from,
                                "claims": [], "docs": []}
    elif name and (not entry["actor"]["name"] or name < entry["actor"]["name"]):
        entry["actor"]["name"] = name
    speaker = stance.get("speaker")
    if speaker and (entry["speaker"] is None or _ref_key(speaker) < _ref_key(entry["speaker"])):
        entry["speaker"] = speaker
    if _DATE_FROM_RANK[date_from] > _DATE_FROM_RANK[entry["date_from"]]:
        entry["date_from"] = date_from
    _add_sorted(entry["claims"], claim.id)
    _add_sorted(entry["docs"], claim.doc_id)


def _ref_key(ref: dict[str, Any]) -> tuple[str, str]:
    return (ref.get("id") or "", ref.get("name") or "")


def stance_timeline(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """Who asserts and who denies, in date order.

    Each entry carries the date the text gives for it, else its claim's
    publication date (`date_from` says which). Entries saying the same thing
    on the same date are one entry citing all their claims; a later change of
    mind is a new entry.
    """
    entries: dict[str, Any] = {}
    for claim in claims:
        for stance in claim.event.get("stance") or []:
            _add_stance(entries, claim, stance)
    return _timeline(entries)


def _timeline(entries: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (dict(e) for e in entries.values()),
        key=lambda e: (e["date"] is None, e["date"] or "", e["actor"]["id"] or "", e["polarity"]),
    )


def _history(folded: dict[str, Any]) -> list[dict[str, Any]]:
    history = [{"status": status, "first_reported": entry["first"], "last_reported": entry["last"],
                "claims": list(entry["claims"])} for status, entry in folded.items()]
    return sorted(history, key=lambda h: (status_rank(h["status"]), h["first_reported"] or ""))


def status_history(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """Each status the claims report, when it was first and last reported, and by which claims."""
    state = new_state()
    for claim in claims:
        status = claim.event.get("status")
        if status:
            entry = state["history"].setdefault(status, {"first": None, "last": None, "claims": []})
            _add_sorted(entry["claims"], claim.id)
            if claim.published:
                entry["first"] = min(entry["first"] or claim.published, claim.published)
                entry["last"] = max(entry["last"] or claim.published, claim.published)
    return _history(state["history"])


def _items(state: dict[str, Any]) -> list[dict[str, Any]]:
    """One item per named system, then bare categories no named system or more specific category implies."""
    systems = state["systems"]
    items = [{"category": systems[s]["category"], "system": _most_cited({s: systems[s]["names"]})}
             for s in sorted(systems)]
    implied = {c for entry in systems.values() for c in (entry["category"], coarse_category(entry["category"]))}
    implied |= {coarse_category(c) for c in state["bare"] if coarse_category(c) != c}
    items += [{"category": c, "system": None} for c in state["bare"] if c not in implied]
    return items


def _time(state: dict[str, Any]) -> dict[str, Any] | None:
    folded = state["time"]
    if not folded:
        return None
    texts = folded["texts"] if folded["start"] else folded["undated_start_texts"]
    return {"text": "; ".join(texts) or None, "start": folded["start"], "end": folded["end"]}


def finish(event: FusedEvent, state: dict[str, Any]) -> dict[str, Any]:
    """The SPEC section 6 record of an event from its folded ledger state (claims not listed)."""
    key = event.key
    statuses = list(state["history"])
    status = max(statuses, key=status_rank) if statuses and has_status(key.type) else None
    published = state["published"] or [None, None]
    record: dict[str, Any] = {
        "id": event.id,
        "type": key.type,
        "supplier": _most_cited(state["roles"]["supplier"]),
        "recipient": _most_cited(state["roles"]["recipient"]),
        "items": _items(state),
        "status": status,
        "quantity": state["best"]["quantity"][3] if "quantity" in state["best"] else None,
        "value": state["best"]["value"][3] if "value" in state["best"] else None,
        "time": _time(state),
        "place": _most_cited(state["roles"]["place"]),
        "target": _most_cited(state["roles"]["target"]),
        "stance": _timeline(state["stance"]),
        "sources": len(state["outlets"]),
        "outlets": list(state["outlets"]),
        "first_reported": published[0],
        "last_reported": published[1],
        "status_history": _history(state["history"]),
        "fusion": {
            "version": FUSION_VERSION,
            "block": key.to_dict(),
            "lead_system": event.lead_system,
            "first_year": event.first_year,
            "span": list(state["span"]) if state["span"] else None,
        },
        "review": event.review,
        "corrections": [dict(c) for c in event.corrections],
        "decisions": list(event.decisions),
    }
    for correction in event.corrections:
        apply_correction(record, correction["field"], correction["value"])
    return record


def fold(event: FusedEvent, system_family: Any = None) -> dict[str, Any]:
    state = new_state()
    for claim in event.claims:
        add_claim(state, claim, event.key.family, system_family)
    return state


def build_record(event: FusedEvent, system_family: Any = None, with_claims: bool = True) -> dict[str, Any]:
    """The SPEC section 6 record of one fused event, with its ledger (and its claims, unless told not)."""
    record = finish(event, fold(event, system_family))
    if with_claims:
        record["claims"] = [_claim_entry(c) for c in sorted(event.claims, key=_claim_sort_key)]
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
