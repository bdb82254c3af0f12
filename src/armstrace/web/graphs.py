"""The network and timeline views: aggregates over the events table, laid out as SVG.

The store API returns events one by one; these views need counts per
supplier→recipient pair and per year, so they ask the database to group
(SQLAlchemy Core over the store's own tables, parameters bound, read-only).
The layout is computed here and drawn by templates, which escape every name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from armstrace.store.rows import pad_end, pad_start
from armstrace.store.schema import events


def _conditions(
    type: str | None = None,
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
) -> list[Any]:
    conditions: list[Any] = []
    if type:
        conditions.append(events.c.type == type)
    if status:
        conditions.append(events.c.status == status)
    if since:
        conditions.append(events.c.span_end >= pad_start(since))
    if until:
        conditions.append(events.c.span_start <= pad_end(until))
    if actor:
        conditions.append((events.c.supplier_id == actor) | (events.c.recipient_id == actor))
    return conditions


LABEL_CHARS = 24


@dataclass
class Edge:
    supplier_id: str
    supplier_name: str
    recipient_id: str
    recipient_name: str
    count: int
    # Layout, filled by `layout_network`.
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0
    width: float = 1.0


@dataclass
class Node:
    id: str
    name: str
    out_count: int = 0
    in_count: int = 0
    x: float = 0.0
    y: float = 0.0
    r: float = 6.0
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"
    rotation: float = 0.0  # labels run along the radius, so neighbours never overlap
    label: str = ""


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    size: int = 900
    total_pairs: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [
                {"id": n.id, "name": n.name, "as_supplier": n.out_count, "as_recipient": n.in_count}
                for n in self.nodes
            ],
            "edges": [
                {"supplier": {"id": e.supplier_id, "name": e.supplier_name},
                 "recipient": {"id": e.recipient_id, "name": e.recipient_name}, "events": e.count}
                for e in self.edges
            ],
            "pairs_total": self.total_pairs,
        }


def network(store: Any, limit: int = 60, **filters: Any) -> Network:
    """The `limit` busiest supplier→recipient pairs (both named), with their event counts."""
    conditions = [events.c.supplier_id.is_not(None), events.c.recipient_id.is_not(None),
                  events.c.supplier_id != events.c.recipient_id, *_conditions(**filters)]
    count = func.count().label("n")
    query = (
        select(events.c.supplier_id, func.max(events.c.supplier_name), events.c.recipient_id,
               func.max(events.c.recipient_name), count)
        .where(*conditions)
        .group_by(events.c.supplier_id, events.c.recipient_id)
        .order_by(count.desc(), events.c.supplier_id, events.c.recipient_id)
    )
    pairs_query = select(func.count()).select_from(
        select(events.c.supplier_id, events.c.recipient_id).where(*conditions)
        .group_by(events.c.supplier_id, events.c.recipient_id).subquery()
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).all()
        total = int(conn.execute(pairs_query).scalar() or 0)
    edges = [Edge(r[0], r[1] or r[0], r[2], r[3] or r[2], int(r[4])) for r in rows]
    result = Network(edges=edges, total_pairs=total)
    layout_network(result)
    return result


def layout_network(net: Network) -> None:
    """Nodes on a circle, busiest first; edge width grows with the log of its count."""
    nodes: dict[str, Node] = {}
    for edge in net.edges:
        supplier = nodes.setdefault(edge.supplier_id, Node(edge.supplier_id, edge.supplier_name))
        recipient = nodes.setdefault(edge.recipient_id, Node(edge.recipient_id, edge.recipient_name))
        supplier.out_count += edge.count
        recipient.in_count += edge.count
    ordered = sorted(nodes.values(), key=lambda n: (-(n.out_count + n.in_count), n.id))
    centre = net.size / 2
    radius = net.size / 2 - 200  # room for radial labels  # room for labels outside the circle
    busiest = max((n.out_count + n.in_count for n in ordered), default=1)
    slots = len(ordered)
    stride = _spreading_stride(slots)
    for index, node in enumerate(ordered):
        # Busiest nodes are spread round the circle rather than side by side,
        # so that their labels and edge bundles do not pile up in one place.
        slot = (index * stride) % max(slots, 1)
        angle = 2 * math.pi * slot / max(slots, 1) - math.pi / 2
        node.x = round(centre + radius * math.cos(angle), 1)
        node.y = round(centre + radius * math.sin(angle), 1)
        node.r = round(5 + 13 * math.sqrt((node.out_count + node.in_count) / busiest), 1)
        node.label_x = round(centre + (radius + node.r + 6) * math.cos(angle), 1)
        node.label_y = round(centre + (radius + node.r + 6) * math.sin(angle), 1)
        right = math.cos(angle) >= -1e-9
        node.anchor = "start" if right else "end"
        degrees = math.degrees(angle)
        node.rotation = round(degrees if right else degrees + 180, 1)
        node.label = node.name if len(node.name) <= LABEL_CHARS else node.name[: LABEL_CHARS - 1] + "…"
    most = max((e.count for e in net.edges), default=1)
    for edge in net.edges:
        a, b = nodes[edge.supplier_id], nodes[edge.recipient_id]
        # Stop the line at the recipient's rim so that the arrow head shows.
        dx, dy = b.x - a.x, b.y - a.y
        distance = math.hypot(dx, dy) or 1.0
        edge.x1, edge.y1 = round(a.x + dx * a.r / distance, 1), round(a.y + dy * a.r / distance, 1)
        edge.x2 = round(b.x - dx * (b.r + 3) / distance, 1)
        edge.y2 = round(b.y - dy * (b.r + 3) / distance, 1)
        edge.width = round(1 + 5 * math.log1p(edge.count) / math.log1p(most), 2)
    net.nodes = ordered


def _spreading_stride(count: int) -> int:
    """A step near count/golden ratio² that visits every slot once (coprime with count)."""
    if count <= 3:
        return 1
    start = max(1, round(count * 0.382))
    for step in [*range(start, count), *range(1, start)]:
        if math.gcd(step, count) == 1:
            return step
    return 1


@dataclass
class YearBar:
    year: str
    total: int
    by_type: dict[str, int]
    x: float = 0.0
    height: float = 0.0
    y: float = 0.0
    segments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Timeline:
    bars: list[YearBar]
    types: list[str]
    width: int = 900
    height: int = 320
    bar_width: float = 10.0
    most: int = 0
    undated: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"years": [{"year": b.year, "events": b.total, "by_type": b.by_type} for b in self.bars],
                "undated": self.undated}


def timeline(store: Any, **filters: Any) -> Timeline:
    """Events per year of their span's start (the reporting date when the text gives none), by type."""
    year = func.substr(events.c.span_start, 1, 4).label("year")
    query = (
        select(year, events.c.type, func.count())
        .where(*_conditions(**filters))
        .group_by(year, events.c.type)
        .order_by(year)
    )
    by_year: dict[str, dict[str, int]] = {}
    undated = 0
    with store.engine.connect() as conn:
        for row_year, row_type, count in conn.execute(query):
            if not row_year:
                undated += int(count)
                continue
            by_year.setdefault(row_year, {})[row_type] = int(count)
    types = sorted({t for counts in by_year.values() for t in counts})
    bars = [YearBar(y, sum(c.values()), c) for y, c in sorted(by_year.items())]
    result = Timeline(bars=bars, types=types, undated=undated)
    layout_timeline(result)
    return result


def layout_timeline(timeline_: Timeline) -> None:
    """One bar per year, stacked by event type, on a shared scale."""
    left, bottom, top = 40.0, 30.0, 20.0
    usable = timeline_.width - left - 10
    count = max(len(timeline_.bars), 1)
    slot = usable / count
    timeline_.bar_width = round(max(2.0, slot * 0.7), 1)
    timeline_.most = max((b.total for b in timeline_.bars), default=0)
    scale = (timeline_.height - bottom - top) / max(timeline_.most, 1)
    for index, bar in enumerate(timeline_.bars):
        bar.x = round(left + index * slot + (slot - timeline_.bar_width) / 2, 1)
        bar.height = round(bar.total * scale, 1)
        bar.y = round(timeline_.height - bottom - bar.height, 1)
        y = timeline_.height - bottom
        for type_ in timeline_.types:
            n = bar.by_type.get(type_, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            bar.segments.append({"type": type_, "count": n, "y": round(y, 1), "height": round(h, 1)})


__all__ = ["Edge", "Network", "Node", "Timeline", "YearBar", "network", "timeline"]
