"""CSV: one flat row per fused event, for spreadsheets.

Lists (items, systems, stance) are joined with "; " so that one event
stays one row. The `evidence` column holds the distinct evidence sentences
of the event's claims, joined with " | "; their offsets, documents and
stance stay in the JSON lines export.

Every text cell goes through `spreadsheet_safe`: article text that begins
like a formula ("=HYPERLINK(...)") is written with a leading single quote
so that a spreadsheet opening the file shows it instead of running it.
"""

from __future__ import annotations

import csv
from typing import Any

from armstrace.export.base import Exporter, ref_id, ref_name, spreadsheet_safe, stance_actors

COLUMNS = [
    "id",
    "type",
    "supplier_id",
    "supplier_name",
    "recipient_id",
    "recipient_name",
    "item_categories",
    "system_ids",
    "system_names",
    "status",
    "time_text",
    "time_start",
    "time_end",
    "quantity_text",
    "quantity_min",
    "quantity_max",
    "value_text",
    "value_amount",
    "value_currency",
    "place_id",
    "target_id",
    "asserted_by",
    "denied_by",
    "sources",
    "claims",
    "first_reported",
    "last_reported",
    "documents",
    "evidence",
]

# Between the evidence sentences of one event (a sentence may itself contain "; ").
EVIDENCE_SEPARATOR = " | "


def _unique(values: list[str]) -> list[str]:
    return [value for value in dict.fromkeys(values) if value]


def flat_row(event: dict[str, Any]) -> dict[str, Any]:
    """One event as a flat dict of COLUMNS (empty string for nothing)."""
    items = event.get("items") or []
    time = event.get("time") or {}
    quantity = event.get("quantity") or {}
    value = event.get("value") or {}
    claims = event.get("claims") or []
    row = {
        "id": event.get("id"),
        "type": event.get("type"),
        "supplier_id": ref_id(event.get("supplier")),
        "supplier_name": ref_name(event.get("supplier")),
        "recipient_id": ref_id(event.get("recipient")),
        "recipient_name": ref_name(event.get("recipient")),
        "item_categories": "; ".join(_unique([item.get("category") or "" for item in items])),
        "system_ids": "; ".join(_unique([ref_id(item.get("system")) for item in items])),
        "system_names": "; ".join(_unique([ref_name(item.get("system")) for item in items])),
        "status": event.get("status"),
        "time_text": time.get("text"),
        "time_start": time.get("start"),
        "time_end": time.get("end"),
        "quantity_text": quantity.get("text"),
        "quantity_min": quantity.get("min"),
        "quantity_max": quantity.get("max"),
        "value_text": value.get("text"),
        "value_amount": value.get("amount"),
        "value_currency": value.get("currency"),
        "place_id": ref_id(event.get("place")),
        "target_id": ref_id(event.get("target")),
        "asserted_by": "; ".join(stance_actors(event, "asserts")),
        "denied_by": "; ".join(stance_actors(event, "denies")),
        "sources": event.get("sources"),
        "claims": len(claims),
        "first_reported": event.get("first_reported"),
        "last_reported": event.get("last_reported"),
        "documents": "; ".join(_unique([(claim.get("doc") or {}).get("id") or "" for claim in claims])),
        "evidence": EVIDENCE_SEPARATOR.join(
            _unique(
                [
                    (evidence.get("sentence") or "").strip()
                    for claim in claims
                    for evidence in claim.get("evidence") or []
                ]
            )
        ),
    }
    return {key: "" if row[key] is None else row[key] for key in COLUMNS}


class CsvExporter(Exporter):
    format = "csv"
    suffix = ".csv"
    description = "one flat row per fused event (lists joined with '; ')"

    def start(self) -> None:
        self.writer = csv.DictWriter(self.stream, fieldnames=COLUMNS, lineterminator="\n")
        self.writer.writeheader()

    def write(self, event: dict[str, Any]) -> None:
        self.writer.writerow({key: spreadsheet_safe(value) for key, value in flat_row(event).items()})
