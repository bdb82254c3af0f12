"""A SIPRI-style register: one row per deal the news reports, for readers used to SIPRI's.

Only transfers and production deals (licences, factories) are register
entries; analysts' rejected events are left out. An event naming several
designations gives one row per designation, as SIPRI lists one weapon a
row. Years are what the news supports: the agreement year is when a deal was
first reported agreed (else, marked '?', the event's first year), the
delivery years span the reports of delivery. A '?' marks an estimate, as in
SIPRI's own export.
"""

from __future__ import annotations

import csv
from typing import Any

from armstrace.export.base import Exporter, ref_id, ref_name, spreadsheet_safe, stance_actors

COLUMNS = [
    "supplier",
    "recipient",
    "designation",
    "category",
    "number",
    "agreement_year",
    "delivery_years",
    "status",
    "comments",
    "sources",
    "supplier_id",
    "recipient_id",
    "system_id",
    "event_id",
]
REGISTER_TYPES = ("transfer", "production")


def _year(value: str | None) -> str | None:
    return value[:4] if value and len(value) >= 4 and value[:4].isdigit() else None


def _history(event: dict[str, Any], status: str) -> dict[str, Any] | None:
    for entry in event.get("status_history") or []:
        if entry.get("status") == status:
            return entry  # type: ignore[no-any-return]
    return None


def agreement_year(event: dict[str, Any]) -> str:
    agreed = _history(event, "agreed")
    if agreed and _year(agreed.get("first_reported")):
        return _year(agreed["first_reported"]) or ""
    time = event.get("time") or {}
    first = _year(time.get("start")) or _year(event.get("first_reported"))
    if event.get("status") in ("agreed", "delivered") and first:
        return f"{first}?"
    return ""


def delivery_years(event: dict[str, Any]) -> str:
    delivered = _history(event, "delivered")
    if not delivered:
        return ""
    first, last = _year(delivered.get("first_reported")), _year(delivered.get("last_reported"))
    if not first:
        time = event.get("time") or {}
        first, last = _year(time.get("start")), _year(time.get("end"))
    if not first:
        return "?"
    return first if not last or last == first else f"{first}-{last}"


def number(event: dict[str, Any]) -> str:
    quantity = event.get("quantity") or {}
    low, high = quantity.get("min"), quantity.get("max")
    if low is None and high is None:
        return ""
    if low == high or high is None:
        return str(low)
    return f"{low}-{high}?"


def register_rows(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The register rows of one fused event (none for other types or rejected events)."""
    if event.get("type") not in REGISTER_TYPES or (event.get("review") or {}).get("status") == "rejected":
        return []
    comments = []
    if event.get("type") == "production":
        comments.append("production (licence, factory or assembly)")
    if event.get("place"):
        comments.append(f"at {ref_name(event['place'])}")
    asserted, denied = stance_actors(event, "asserts"), stance_actors(event, "denies")
    if asserted:
        comments.append("asserted by " + ", ".join(asserted))
    if denied:
        comments.append("denied by " + ", ".join(denied))
    outlets = event.get("outlets") or []
    sources = str(event.get("sources") or 0) + (f" ({'; '.join(outlets)})" if outlets else "")
    common = {
        "supplier": ref_name(event.get("supplier")),
        "recipient": ref_name(event.get("recipient")) or "unknown recipient(s)",
        "number": number(event),
        "agreement_year": agreement_year(event),
        "delivery_years": delivery_years(event),
        "status": event.get("status") or "",
        "comments": "; ".join(comments),
        "sources": sources,
        "supplier_id": ref_id(event.get("supplier")),
        "recipient_id": ref_id(event.get("recipient")),
        "event_id": event.get("id") or "",
    }
    items = event.get("items") or []
    named = [i for i in items if i.get("system")]
    if named:
        return [{**common, "designation": ref_name(i["system"]), "category": i.get("category") or "",
                 "system_id": ref_id(i["system"])} for i in named]
    categories = ", ".join(i.get("category") or "" for i in items)
    return [{**common, "designation": "", "category": categories, "system_id": ""}]


class RegisterExporter(Exporter):
    format = "register"
    suffix = ".csv"
    description = "SIPRI-style register CSV: one row per transfer or production deal and designation"

    def start(self) -> None:
        self.writer = csv.DictWriter(self.stream, fieldnames=COLUMNS, lineterminator="\n")
        self.writer.writeheader()
        self.rows = 0

    def write(self, event: dict[str, Any]) -> None:
        for row in register_rows(event):
            self.writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
            self.rows += 1


__all__ = ["COLUMNS", "RegisterExporter", "register_rows"]
