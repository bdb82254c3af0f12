"""News-derived events against the SIPRI register.

Three answers:
- **covered**: register deals that some news event describes, with the
  differences per deal (numbers, years, status);
- **missing from register**: news transfers and production deals (licence,
  factory) between two known parties that no register deal matches;
- **register only**: deals between parties the news talks about that no
  news event matches (what the corpus has not seen).

A news event matches a deal when the parties agree, the type fits (a
transfer any deal; a production event a deal SIPRI marks as local
production), the items agree (a named designation must be the deal's; an
event naming none matches on the item family) and the years are within
`slack` of each other (undated news matches any year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from armstrace.fuse.core import is_series_of
from armstrace.ontology import coarse_category, status_rank

COMPARED_TYPES = ("transfer", "production")
BASIS_ORDER = ("system", "series", "family")
DEFAULT_SLACK_YEARS = 2


@dataclass
class Comparison:
    covered: list[dict[str, Any]] = field(default_factory=list)
    missing_from_register: list[dict[str, Any]] = field(default_factory=list)
    register_only: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-able row per finding, for `--format jsonl`."""
        out = [{"kind": "covered", **row} for row in self.covered]
        out += [{"kind": "missing_from_register", **row} for row in self.missing_from_register]
        out += [{"kind": "register_only", **row} for row in self.register_only]
        return out


def _year(value: str | None) -> int | None:
    if not value or not isinstance(value, str) or len(value) < 4 or not value[:4].isdigit():
        return None
    return int(value[:4])


def event_years(event: dict[str, Any]) -> tuple[int, int] | None:
    """The years a news event covers: its time, else when it was reported."""
    time = event.get("time") or {}
    years = [y for y in (_year(time.get("start")), _year(time.get("end"))) if y]
    if not years:
        years = [y for y in (_year(event.get("first_reported")), _year(event.get("last_reported"))) if y]
    return (min(years), max(years)) if years else None


def deal_years(deal: dict[str, Any]) -> tuple[int, int] | None:
    years = [y for y in [deal.get("order_year"), *(deal.get("delivery_years") or [])] if y]
    return (min(years), max(years)) if years else None


def event_family(event: dict[str, Any]) -> str | None:
    block = (event.get("fusion") or {}).get("block") or {}
    if block.get("family"):
        return str(block["family"])
    if event.get("item_family"):
        return str(event["item_family"])
    categories = [coarse_category(i["category"]) for i in event.get("items") or [] if i.get("category")]
    return categories[0] if categories else None


def event_systems(event: dict[str, Any]) -> set[str]:
    return {i["system"]["id"] for i in event.get("items") or [] if i.get("system") and i["system"].get("id")}


def match_basis(event: dict[str, Any], deal: dict[str, Any], slack: int = DEFAULT_SLACK_YEARS) -> str | None:
    """"system", "series" or "family" when the event describes the deal, else None."""
    if event.get("type") not in COMPARED_TYPES:
        return None
    if event.get("type") == "production" and not deal.get("local_production"):
        return None
    supplier = (event.get("supplier") or {}).get("id")
    recipient = (event.get("recipient") or {}).get("id")
    if not supplier or supplier != deal.get("supplier_id") or recipient != deal.get("recipient_id"):
        return None
    news_years, register_years = event_years(event), deal_years(deal)
    if news_years and register_years and (
        news_years[0] > register_years[1] + slack or news_years[1] < register_years[0] - slack
    ):
        return None
    systems = event_systems(event)
    deal_system = str(deal.get("system_id") or "")
    if systems:
        if deal_system in systems:
            return "system"
        # "Shahed" drones in the news, the Shahed-136 in the register
        return "series" if any(is_series_of(s, deal_system) for s in systems) else None
    category = str(deal.get("category") or "")
    if event_family(event) != coarse_category(category):
        return None
    # News more specific than the deal does not match it ("kamikaze drones"
    # are not the register's reconnaissance UAV); news as or less specific does.
    named = {i.get("category") for i in event.get("items") or [] if i.get("category")}
    if named and category not in named and coarse_category(category) not in named:
        return None
    return "family"


def _quantity_text(quantity: dict[str, Any] | None) -> str | None:
    if not quantity:
        return None
    low, high = quantity.get("min"), quantity.get("max")
    if low is None and high is None:
        return quantity.get("text")
    return str(low) if low == high else f"{low}-{high}"


def differences(deal: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Numbers, years and status: what the register says, what the news says, whether they agree."""
    out = []
    number = deal.get("number_delivered")
    quantities = [e["quantity"] for e in events if e.get("quantity")]
    if number is not None or quantities:
        agrees = None
        if number is not None and quantities:
            agrees = any((q.get("min") or 0) <= number <= (q.get("max") or q.get("min") or 0) for q in quantities)
        out.append({
            "field": "number",
            "register": (f"{number}?" if deal.get("number_delivered_estimate") else str(number))
            if number is not None else None,
            "news": ", ".join(sorted({t for q in quantities if (t := _quantity_text(q))})) or None,
            "agrees": agrees,
        })
    register_years = deal_years(deal)
    news_spans = [s for e in events if (s := event_years(e))]
    news_years = (min(s[0] for s in news_spans), max(s[1] for s in news_spans)) if news_spans else None
    agrees = None
    if register_years and news_years:
        agrees = news_years[0] <= register_years[1] and news_years[1] >= register_years[0]
    order = deal.get("order_year")
    delivered = deal.get("delivery_years") or []
    out.append({
        "field": "years",
        "register": (f"ordered {order}{'?' if deal.get('order_year_estimate') else ''}" if order else "ordered ?")
        + (f", delivered {delivered[0]}" + (f"-{delivered[-1]}" if len(delivered) > 1 else "") if delivered else ""),
        "news": (str(news_years[0]) if news_years[0] == news_years[1] else f"{news_years[0]}-{news_years[1]}")
        if news_years else None,
        "agrees": agrees,
    })
    statuses = [e.get("status") for e in events if e.get("status")]
    news_status = max(statuses, key=status_rank) if statuses else None
    out.append({
        "field": "status",
        "register": deal.get("status"),
        "news": news_status,
        "agrees": None if news_status is None else news_status == deal.get("status"),
    })
    return out


def _event_summary(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event.get("id"),
        "type": event.get("type"),
        "supplier": event.get("supplier"),
        "recipient": event.get("recipient"),
        "items": event.get("items") or [],
        "status": event.get("status"),
        "time": event.get("time"),
        "first_reported": event.get("first_reported"),
        "sources": event.get("sources"),
    }


def _deal_summary(deal: dict[str, Any]) -> dict[str, Any]:
    keep = ("deal_id", "supplier", "supplier_id", "recipient", "recipient_id", "designation", "system_id",
            "description", "category", "order_year", "number_delivered", "delivery_years", "status",
            "local_production")
    return {k: deal.get(k) for k in keep}


def compare(
    deals: Iterable[dict[str, Any]],
    news_events: Iterable[dict[str, Any]],
    slack: int = DEFAULT_SLACK_YEARS,
) -> Comparison:
    """Compare register deals (Deal.to_dict() records) with fused news events (SPEC section 6)."""
    events = [
        e for e in news_events
        if e.get("type") in COMPARED_TYPES and ((e.get("review") or {}).get("status") != "rejected")
    ]
    dyads = {((e.get("supplier") or {}).get("id"), (e.get("recipient") or {}).get("id")) for e in events}
    relevant = [d for d in deals if (d.get("supplier_id"), d.get("recipient_id")) in dyads]
    by_dyad: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for deal in relevant:
        by_dyad[(deal.get("supplier_id"), deal.get("recipient_id"))].append(deal)

    matched_events: set[str] = set()
    result = Comparison()
    for deal in sorted(relevant, key=lambda d: (d.get("supplier_id") or "", d.get("recipient_id") or "",
                                                d.get("designation") or "", str(d.get("deal_id")))):
        matches = []
        for event in events:
            basis = match_basis(event, deal, slack)
            if basis:
                matches.append((basis, event))
        if not matches:
            result.register_only.append({"deal": _deal_summary(deal)})
            continue
        # Matches on the designation itself outrank series, then family-level ones.
        best = min((b for b, _ in matches), key=BASIS_ORDER.index)
        chosen = [e for b, e in matches if b == best]
        matched_events.update(str(e.get("id")) for e in chosen)
        result.covered.append({
            "deal": _deal_summary(deal),
            "basis": best,
            "events": sorted(str(e.get("id")) for e in chosen),
            "differences": differences(deal, chosen),
        })
    for event in sorted(events, key=lambda e: str(e.get("id"))):
        if str(event.get("id")) in matched_events:
            continue
        supplier = (event.get("supplier") or {}).get("id")
        recipient = (event.get("recipient") or {}).get("id")
        if not supplier or not recipient:
            continue  # a register deal always has two parties
        result.missing_from_register.append({"event": _event_summary(event)})
    return result


__all__ = ["Comparison", "compare", "differences", "match_basis"]
