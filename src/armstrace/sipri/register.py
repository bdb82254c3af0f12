"""Reading SIPRI's trade-register CSV export.

The export starts with lines of notes (11 in the current export), then a
header row, then one row per deal and delivery year; fields are
comma-separated and every line ends in ';'. A '?' in a value, or a "... is
estimate" column saying "Yes", marks uncertain data. Rows of one deal share
its "SIPRI AT Database ID"; `read_deals` groups them.

A bad line gives one `Problem` (line number and reason) and the rest of the
file still reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armstrace.sipri.names import clean_designation, item_category, party_id, system_id

HEADER_START = "SIPRI AT Database ID"

# Our field names for SIPRI's column titles (matched case-insensitively).
COLUMNS = {
    "sipri at database id": "deal_id",
    "supplier": "supplier",
    "recipient": "recipient",
    "designation": "designation",
    "description": "description",
    "armament category": "armament_category",
    "order date": "order_year",
    "order date is estimate": "order_year_estimate",
    "numbers delivered": "number_delivered",
    "numbers delivered is estimate": "number_delivered_estimate",
    "delivery year": "delivery_year",
    "delivery year is estimate": "delivery_year_estimate",
    "status": "status",
    "sipri estimate": "sipri_estimate",
    "tiv deal unit": "tiv_deal_unit",
    "tiv delivery values": "tiv_delivered",
    "local production": "local_production",
    # older exports
    "number ordered": "number_ordered",
    "number ordered is estimate": "number_ordered_estimate",
    "comments": "comments",
}
REQUIRED = ("deal_id", "supplier", "recipient", "designation")


class RegisterError(ValueError):
    """The file is not a SIPRI register export at all (one line of explanation)."""


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Uncertain:
    """A number or year as SIPRI gives it, and whether SIPRI marks it as estimated."""

    value: int | None
    estimate: bool = False


@dataclass
class Delivery:
    year: int | None
    number: int | None
    year_estimate: bool = False
    number_estimate: bool = False


@dataclass
class Deal:
    """One SIPRI deal (all its delivery rows), mapped to our ids and categories."""

    deal_id: str
    supplier: str
    recipient: str
    designation: str
    description: str = ""
    armament_category: str = ""
    order_year: Uncertain = field(default_factory=lambda: Uncertain(None))
    number_ordered: Uncertain = field(default_factory=lambda: Uncertain(None))
    deliveries: list[Delivery] = field(default_factory=list)
    status: str = ""  # SIPRI's "New" / "Second hand"
    local_production: bool = False
    comments: str = ""
    lines: list[int] = field(default_factory=list)

    @property
    def supplier_id(self) -> str | None:
        return party_id(self.supplier)

    @property
    def recipient_id(self) -> str | None:
        return party_id(self.recipient)

    @property
    def system_id(self) -> str | None:
        return system_id(self.designation)

    @property
    def category(self) -> str:
        return item_category(self.description, self.armament_category)

    @property
    def delivered(self) -> Uncertain:
        numbers = [d.number for d in self.deliveries if d.number is not None]
        if not numbers:
            return Uncertain(None)
        return Uncertain(sum(numbers), any(d.number_estimate for d in self.deliveries))

    @property
    def delivery_years(self) -> list[int]:
        return sorted({d.year for d in self.deliveries if d.year is not None})

    @property
    def delivery_status(self) -> str:
        """In SPEC terms: delivered once a delivery is recorded, else agreed (ordered)."""
        delivered = self.delivered.value
        return "delivered" if self.delivery_years or (delivered or 0) > 0 else "agreed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "deal_id": self.deal_id,
            "supplier": self.supplier,
            "supplier_id": self.supplier_id,
            "recipient": self.recipient,
            "recipient_id": self.recipient_id,
            "designation": clean_designation(self.designation),
            "system_id": self.system_id,
            "description": self.description,
            "armament_category": self.armament_category,
            "category": self.category,
            "order_year": self.order_year.value,
            "order_year_estimate": self.order_year.estimate,
            "number_ordered": self.number_ordered.value,
            "number_delivered": self.delivered.value,
            "number_delivered_estimate": self.delivered.estimate,
            "delivery_years": self.delivery_years,
            "deliveries": [vars(d) for d in self.deliveries],
            "status": self.delivery_status,
            "sipri_status": self.status,
            "local_production": self.local_production,
            "comments": self.comments,
        }


def _uncertain(value: str, flag: str | None = None) -> Uncertain:
    text = value.strip()
    estimate = "?" in text or (flag or "").strip().lower() in ("yes", "y", "true", "1")
    text = text.replace("?", "").strip()
    if not text:
        return Uncertain(None, estimate)
    try:
        return Uncertain(int(float(text)), estimate)
    except ValueError as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _split(line: str) -> list[str]:
    body = line.rstrip("\r\n").rstrip()
    if body.endswith(";"):
        body = body[:-1]
    return next(csv.reader([body]))


def read_rows(lines: Iterable[str], problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {our field: raw value}) for every data row; notes before the header are skipped."""
    header: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.strip() == ";":
            continue
        if header is None:
            if line.lstrip("\ufeff").startswith(HEADER_START):
                titles = _split(line.lstrip("\ufeff"))
                header = [COLUMNS.get(t.strip().lower(), t.strip().lower()) for t in titles]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise RegisterError(f"line {number}: header lacks {', '.join(missing)}")
            continue
        try:
            values = _split(line)
        except csv.Error as exc:
            problems.append(Problem(number, f"unreadable CSV ({exc})"))
            continue
        if len(values) != len(header):
            problems.append(Problem(number, f"{len(values)} fields, the header has {len(header)}"))
            continue
        yield number, dict(zip(header, values, strict=True))
    if header is None:
        raise RegisterError(f"no header row starting with {HEADER_START!r}: not a SIPRI trade-register export")


def read_deals(lines: Iterable[str], problems: list[Problem] | None = None) -> list[Deal]:
    """Deals of a register export, in file order, each with all its delivery rows."""
    problems = problems if problems is not None else []
    deals: dict[str, Deal] = {}
    for number, row in read_rows(lines, problems):
        deal_id = row["deal_id"].strip()
        if not deal_id or not row["supplier"].strip() or not row["designation"].strip():
            problems.append(Problem(number, "a deal id, a supplier and a designation are required"))
            continue
        try:
            order = _uncertain(row.get("order_year", ""), row.get("order_year_estimate"))
            ordered = _uncertain(row.get("number_ordered", ""), row.get("number_ordered_estimate"))
            number_delivered = _uncertain(row.get("number_delivered", ""), row.get("number_delivered_estimate"))
            year = _uncertain(row.get("delivery_year", ""), row.get("delivery_year_estimate"))
        except ValueError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        deal = deals.get(deal_id)
        if deal is None:
            deal = deals[deal_id] = Deal(
                deal_id=deal_id,
                supplier=row["supplier"].strip(),
                recipient=row["recipient"].strip(),
                designation=row["designation"].strip(),
                description=row.get("description", "").strip(),
                armament_category=row.get("armament_category", "").strip(),
                order_year=order,
                number_ordered=ordered,
                status=row.get("status", "").strip(),
                local_production=row.get("local_production", "").strip().lower() == "yes",
                comments=row.get("comments", "").strip(),
            )
        elif (deal.supplier, deal.recipient) != (row["supplier"].strip(), row["recipient"].strip()):
            problems.append(Problem(number, f"deal {deal_id} changes parties between rows"))
            continue
        deal.lines.append(number)
        if year.value is not None or number_delivered.value is not None:
            deal.deliveries.append(Delivery(year.value, number_delivered.value, year.estimate,
                                            number_delivered.estimate))
    return list(deals.values())


def read_register(path: str | Path, problems: list[Problem] | None = None) -> list[Deal]:
    """Read a register export file (UTF-8, else Latin-1: older exports are not UTF-8)."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return read_deals(io.StringIO(text), problems)


__all__ = ["Deal", "Delivery", "Problem", "RegisterError", "Uncertain", "read_deals", "read_register",
           "read_rows"]
