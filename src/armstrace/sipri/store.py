"""The `sipri_deals` table: an imported SIPRI register, beside the news-derived events.

The table belongs to this module (its own MetaData), created on first use,
so that the core store schema stays about news. One row per SIPRI deal, keyed
by SIPRI's own deal id: importing the same export twice writes the same rows,
and a newer export replaces what an older one said about a deal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table, Text, delete, select
from sqlalchemy.engine import Engine

from armstrace.sipri.register import Deal

sipri_metadata = MetaData()

sipri_deals = Table(
    "sipri_deals",
    sipri_metadata,
    Column("id", String(32), primary_key=True),  # SIPRI AT Database ID
    Column("supplier", Text, nullable=False),
    Column("supplier_id", String(200), index=True),
    Column("recipient", Text, nullable=False),
    Column("recipient_id", String(200), index=True),
    Column("designation", Text, nullable=False),
    Column("system_id", String(200), index=True),
    Column("description", Text),
    Column("category", String(32)),
    Column("order_year", Integer),
    Column("number_delivered", Integer),
    Column("delivery_years", Text),  # space-joined years
    Column("status", String(16)),
    Column("local_production", Boolean),
    Column("data", JSON, nullable=False),  # the whole deal, Deal.to_dict()
    Column("source_file", Text),
    Column("imported_at", String(32), nullable=False),
    Index("ix_sipri_deals_dyad", "supplier_id", "recipient_id"),
)


def ensure_table(engine: Engine) -> None:
    sipri_metadata.create_all(engine, checkfirst=True)


def _row(deal: Deal, source_file: str | None, imported_at: str) -> dict[str, Any]:
    data = deal.to_dict()
    return {
        "id": deal.deal_id,
        "supplier": deal.supplier,
        "supplier_id": data["supplier_id"],
        "recipient": deal.recipient,
        "recipient_id": data["recipient_id"],
        "designation": data["designation"],
        "system_id": data["system_id"],
        "description": deal.description,
        "category": data["category"],
        "order_year": data["order_year"],
        "number_delivered": data["number_delivered"],
        "delivery_years": " ".join(str(y) for y in data["delivery_years"]),
        "status": data["status"],
        "local_production": deal.local_production,
        "data": data,
        "source_file": source_file,
        "imported_at": imported_at,
    }


def import_deals(store: Any, deals: Iterable[Deal], source_file: str | None = None,
                 batch: int = 1000) -> int:
    """Write deals into `sipri_deals` (replacing rows with the same deal id); returns how many."""
    ensure_table(store.engine)
    imported_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    count = 0
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if not pending:
            return
        with store.transaction() as conn:
            conn.execute(delete(sipri_deals).where(sipri_deals.c.id.in_([r["id"] for r in pending])))
            conn.execute(sipri_deals.insert(), pending)
        pending.clear()

    for deal in deals:
        pending.append(_row(deal, source_file, imported_at))
        count += 1
        if len(pending) >= batch:
            flush()
    flush()
    return count


def stored_deals(store: Any, dyads: Iterable[tuple[str | None, str | None]] | None = None) -> list[dict[str, Any]]:
    """Imported deals (as Deal.to_dict() records), all or those of some supplier/recipient pairs."""
    ensure_table(store.engine)
    query = select(sipri_deals.c.data).order_by(sipri_deals.c.id)
    with store.engine.connect() as conn:
        if dyads is None:
            return [dict(r.data) for r in conn.execute(query)]
        out = []
        for supplier, recipient in sorted(set(dyads), key=lambda d: (d[0] or "", d[1] or "")):
            if supplier is None or recipient is None:
                continue
            found = conn.execute(query.where(sipri_deals.c.supplier_id == supplier,
                                             sipri_deals.c.recipient_id == recipient))
            out.extend(dict(r.data) for r in found)
        return out


__all__ = ["ensure_table", "import_deals", "sipri_deals", "stored_deals"]
