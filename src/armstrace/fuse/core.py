"""Pure fusion logic: which claims, from which documents, describe one event.

Everything here works on plain records (a `Claim` wraps the SPEC section 4
event dict of one document plus that document's metadata) and never touches
the store, so that it can be tested, benchmarked and reasoned about alone.

The algorithm, in one breath:

1. **Block.** A claim belongs to the block `(type, supplier, recipient,
   item family)`. The family is the coarse category of its items (a
   loitering munition is a `uav`); a named system lends the family of its
   catalogue category when one is known. A claim naming items of two specific
   families (drones *and* missiles) is a part of both blocks. Generic
   `military_equipment` / `components` are a family only when nothing more
   specific is named. Claims of different blocks are never compared.
2. **Time.** Within a block, each claim has a date interval (the time the
   text gives, else the document's publication date). Intervals closer than
   `window_days` chain into one time cluster (single linkage after a sort:
   O(n log n), never all pairs). Undated claims join the latest cluster.
3. **Designations.** Within a time cluster, claims naming systems that share
   a designation are one group (union-find over system ids); claims naming no
   system join the group most documents support. Different named systems of
   one family are therefore different events unless a claim names both.
4. **Id.** An event's id hashes what makes it that event: type, parties,
   family, its lead designation (the alphabetically first system id, if any)
   and the year of its earliest dated claim. It is a function of the *set* of
   claims, so the order in which documents arrive never changes it, and
   re-ingesting the same documents writes the same ids.

Offer, transfer, production and training differ in type and so are never
fused; a planned → agreed → delivered series between the same parties for
the same items is one transfer whose status history the ledger keeps.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from armstrace.model import content_hash
from armstrace.ontology import coarse_category, item_categories

# Claims of one block whose dates lie further apart than this are different
# events. 548 days (18 months) lets a deal reported as planned in one year and
# delivered the next stay one event, and keeps each time cluster's first year
# unique within its block (any window over 366 days does), which the id needs.
DEFAULT_WINDOW_DAYS = 548

# Families that say only "weapons" or "parts": a block of their own, used only
# when a claim names nothing more specific.
GENERIC_FAMILIES = ("military_equipment", "components")
NO_ITEMS = "none"
UNDATED = "undated"

# Bump when a change here would give different events from the same claims.
FUSION_VERSION = "1"

SystemFamily = Callable[[str], str | None]


@dataclass(frozen=True)
class Claim:
    """One document's account of one event: what fusion reads.

    `event` is the SPEC section 4 event dict as extracted; `doc` holds the
    document's id, path, title, source, url and published date.
    """

    id: str
    doc: dict[str, Any]
    event: dict[str, Any]
    extractor_version: str = ""

    @property
    def doc_id(self) -> str:
        return str(self.doc.get("id") or "")

    @property
    def type(self) -> str:
        return str(self.event.get("type") or "")

    @property
    def supplier_id(self) -> str | None:
        return _ref_id(self.event.get("supplier"))

    @property
    def recipient_id(self) -> str | None:
        return _ref_id(self.event.get("recipient"))

    @property
    def published(self) -> str | None:
        return self.doc.get("published") or None

    def system_ids(self) -> list[str]:
        out = []
        for item in self.event.get("items") or []:
            system_id = _ref_id(item.get("system"))
            if system_id and system_id not in out:
                out.append(system_id)
        return out


@dataclass(frozen=True, order=True)
class BlockKey:
    """What two claims must share before fusion compares them at all."""

    type: str
    supplier: str | None
    recipient: str | None
    family: str

    @property
    def dyad(self) -> tuple[str, str | None, str | None]:
        return (self.type, self.supplier, self.recipient)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "supplier": self.supplier, "recipient": self.recipient,
                "family": self.family}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockKey:
        return cls(data["type"], data.get("supplier"), data.get("recipient"), data["family"])


@dataclass
class FusedEvent:
    """A group of claims judged to be one event, before the ledger is built."""

    id: str
    key: BlockKey
    claims: list[Claim]
    lead_system: str | None = None
    first_year: str = UNDATED
    # Filled by analysts' decisions (see armstrace.fuse.decisions).
    review: dict[str, Any] | None = None
    corrections: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)

    @property
    def claim_ids(self) -> list[str]:
        return sorted({c.id for c in self.claims})

    @property
    def doc_ids(self) -> list[str]:
        return sorted({c.doc_id for c in self.claims})


def _ref_id(ref: Any) -> str | None:
    if isinstance(ref, dict):
        return ref.get("id") or None
    return None


# --- families -------------------------------------------------------------


def _family_order() -> dict[str, int]:
    specific = [c for c in item_categories() if coarse_category(c) == c and c not in GENERIC_FAMILIES]
    ordered = specific + list(GENERIC_FAMILIES)
    return {name: rank for rank, name in enumerate(ordered)}


def item_family(item: dict[str, Any], system_family: SystemFamily | None = None) -> str:
    """The coarse family of one item; a catalogued system's own category wins."""
    system_id = _ref_id(item.get("system"))
    if system_id and system_family:
        known = system_family(system_id)
        if known:
            return coarse_category(known)
    return coarse_category(str(item.get("category") or "military_equipment"))


def claim_families(claim: Claim, system_family: SystemFamily | None = None) -> list[str]:
    """The families a claim bears on: every specific one it names, else the generic one."""
    items = claim.event.get("items") or []
    if not items:
        return [NO_ITEMS]
    families = {item_family(i, system_family) for i in items}
    specific = families - set(GENERIC_FAMILIES)
    chosen = specific or families
    order = _family_order()
    # A generic family only when nothing specific is named: "components for
    # drones" is about drones, and "components" alone is its own family.
    if not specific and len(chosen) > 1:
        chosen = {min(chosen, key=lambda f: order.get(f, 99))}
    return sorted(chosen, key=lambda f: (order.get(f, 99), f))


def block_keys(claim: Claim, system_family: SystemFamily | None = None) -> list[BlockKey]:
    return [
        BlockKey(claim.type, claim.supplier_id, claim.recipient_id, family)
        for family in claim_families(claim, system_family)
    ]


def systems_in_family(claim: Claim, family: str, system_family: SystemFamily | None = None) -> list[str]:
    out = []
    for item in claim.event.get("items") or []:
        system_id = _ref_id(item.get("system"))
        if system_id and item_family(item, system_family) == family and system_id not in out:
            out.append(system_id)
    return sorted(out)


# --- dates ----------------------------------------------------------------


def date_bounds(value: str | None) -> tuple[dt.date, dt.date] | None:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first and last day it covers."""
    if not value or not isinstance(value, str):
        return None
    parts = value.strip().split("-")
    try:
        year = int(parts[0])
        if not 1 <= year <= 9999:
            return None
        if len(parts) == 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        day = dt.date(year, month, int(parts[2][:2]))
        return day, day
    except (ValueError, IndexError):
        return None


def claim_interval(claim: Claim) -> tuple[dt.date, dt.date] | None:
    """When the claim places the event: the text's time, else the publication date."""
    time = claim.event.get("time") or {}
    start = date_bounds(time.get("start"))
    end = date_bounds(time.get("end"))
    if start or end:
        lo = (start or end)[0]  # type: ignore[index]
        hi = (end or start)[1]  # type: ignore[index]
        return (lo, hi) if lo <= hi else (hi, lo)
    return date_bounds(claim.published)


# --- clustering -----------------------------------------------------------


def chain_intervals(
    entries: Iterable[tuple[str, dt.date | None, dt.date | None]], window_days: int = DEFAULT_WINDOW_DAYS
) -> list[list[str]]:
    """Chain (id, first day, last day) entries lying within `window_days`; undated join the latest chain.

    Single linkage after a sort: O(n log n), and a function of the set of
    entries only. Returns ids, chains in date order.
    """
    dated: list[tuple[dt.date, dt.date, str]] = []
    undated: list[str] = []
    for ident, lo, hi in entries:
        if lo is None or hi is None:
            undated.append(ident)
        else:
            dated.append((lo, hi, ident))
    dated.sort()
    clusters: list[list[str]] = []
    reach: dt.date | None = None
    window = dt.timedelta(days=window_days)
    for lo, hi, ident in dated:
        if reach is None or lo > reach + window:
            clusters.append([])
            reach = hi
        clusters[-1].append(ident)
        reach = max(reach, hi)
    if undated:
        if clusters:
            clusters[-1].extend(sorted(undated))
        else:
            clusters.append(sorted(undated))
    return clusters


def time_clusters(claims: Sequence[Claim], window_days: int = DEFAULT_WINDOW_DAYS) -> list[list[Claim]]:
    """Chain claims whose intervals lie within `window_days`; undated join the latest chain."""
    by_id = {c.id: c for c in claims}
    entries = []
    for claim in by_id.values():
        interval = claim_interval(claim)
        entries.append((claim.id, *(interval or (None, None))))
    return [[by_id[i] for i in chain] for chain in chain_intervals(entries, window_days)]


def is_series_of(series: str, system: str) -> bool:
    """Whether a system id names a series another belongs to: `sys:shahed` of `sys:shahed-136`."""
    return system.startswith(series + "-")


def designation_groups(
    claims: Sequence[Claim], family: str, system_family: SystemFamily | None = None
) -> list[tuple[str | None, list[Claim]]]:
    """Split a time cluster by named systems; returns (lead system id, claims) pairs."""
    by_id = {c.id: c for c in claims}
    entries = [(c.id, c.doc_id, systems_in_family(c, family, system_family)) for c in by_id.values()]
    return [(lead, [by_id[i] for i in ids]) for lead, ids in group_designations(entries)]


def group_designations(
    entries: Sequence[tuple[str, str, Sequence[str]]],
) -> list[tuple[str | None, list[str]]]:
    """Group (claim id, document id, system ids) entries by designation; (lead, claim ids) pairs.

    Claims sharing a designation are one group (union-find; the lead is the
    group's alphabetically first id). A claim naming only a series ("Shahed
    drones") when a member of it is named elsewhere ("Shahed-136"), or naming
    nothing, joins the group that most documents support among those it fits.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    present = {s for _, _, systems in entries for s in systems}
    # A series counts as a designation only while no member of it is named.
    vague = {s for s in present if any(is_series_of(s, other) for other in present)}
    named: list[tuple[str, str, list[str]]] = []
    soft: list[tuple[str, str, list[str]]] = []
    for claim_id, doc_id, systems in entries:
        specific = [s for s in systems if s not in vague]
        if specific:
            named.append((claim_id, doc_id, specific))
        else:
            soft.append((claim_id, doc_id, list(systems)))
    for _, _, systems in named:
        for s in systems:
            parent.setdefault(s, s)
        for s in systems[1:]:
            a, b = find(systems[0]), find(s)
            if a != b:
                parent[max(a, b)] = min(a, b)
    if not named:
        return [(None, sorted(e[0] for e in entries))]
    groups: dict[str, list[str]] = defaultdict(list)
    docs: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    for claim_id, doc_id, systems in named:
        root = find(systems[0])
        groups[root].append(claim_id)
        docs[root].add(doc_id)
        members[root].update(systems)
    support = {root: len(docs[root]) for root in groups}
    for claim_id, _, systems in soft:
        fitting = [root for root in groups
                   if not systems or any(is_series_of(s, m) for s in systems for m in members[root])]
        # Roots are the smallest id of each group (union keeps the min), so the
        # choice is alphabetical on ties and independent of arrival order.
        groups[min(fitting or list(groups), key=lambda r: (-support[r], r))].append(claim_id)
    return [(root, sorted(groups[root])) for root in sorted(groups)]


def event_id(key: BlockKey, lead_system: str | None, first_year: str) -> str:
    return content_hash(
        "event", key.type, key.supplier or "", key.recipient or "", key.family, lead_system or "", first_year
    )


def _first_year(claims: Iterable[Claim]) -> str:
    years = [iv[0].year for c in claims if (iv := claim_interval(c))]
    return f"{min(years):04d}" if years else UNDATED


def cluster_block(
    key: BlockKey,
    claims: Sequence[Claim],
    window_days: int = DEFAULT_WINDOW_DAYS,
    system_family: SystemFamily | None = None,
) -> list[FusedEvent]:
    """All events of one block, as a pure function of its set of claims."""
    unique = {c.id: c for c in claims}
    ordered = [unique[i] for i in sorted(unique)]
    events: list[FusedEvent] = []
    for cluster in time_clusters(ordered, window_days):
        year = _first_year(cluster)
        for lead, members in designation_groups(cluster, key.family, system_family):
            members = sorted(members, key=lambda c: c.id)
            events.append(FusedEvent(event_id(key, lead, year), key, members, lead, year))
    return events


def fuse(
    claims: Iterable[Claim],
    window_days: int = DEFAULT_WINDOW_DAYS,
    system_family: SystemFamily | None = None,
) -> list[FusedEvent]:
    """Group claims into events: block, then cluster each block (no decisions)."""
    blocks: dict[BlockKey, list[Claim]] = defaultdict(list)
    for claim in claims:
        for key in block_keys(claim, system_family):
            blocks[key].append(claim)
    events: list[FusedEvent] = []
    for key in sorted(blocks, key=_key_sort):
        events.extend(cluster_block(key, blocks[key], window_days, system_family))
    return events


def _key_sort(key: BlockKey) -> tuple[str, str, str, str]:
    return (key.type, key.supplier or "", key.recipient or "", key.family)


# --- which extraction of a document is current ------------------------------


def version_key(version: str | None) -> tuple[tuple[int, Any], ...]:
    """Natural order of extractor versions: "0.10" is newer than "0.9"."""
    out: list[tuple[int, Any]] = []
    chunk = ""
    for ch in (version or "") + "\0":
        if chunk and (ch.isdigit() != chunk[-1].isdigit() or ch in ".+-_\0"):
            out.append((1, int(chunk)) if chunk.isdigit() else (0, chunk))
            chunk = ""
        if ch not in ".+-_\0":
            chunk += ch
    return tuple(out)


def newest_version(versions: Iterable[str | None]) -> str | None:
    present = [v for v in versions if v is not None]
    return max(present, key=version_key) if present else None


def current_version(recorded: str | None, versions: Iterable[str | None]) -> str | None:
    """Which extraction of a document is current: the one the store records as its latest.

    Versions are fingerprints ("armstrace-0.1.0-rules-3fa9c1"), which have no
    order of their own; the document row names the extraction written last.
    Only when no version is recorded does the natural order of the claims'
    versions decide.
    """
    if recorded:
        return recorded
    return newest_version(versions)


def current_claims(claims: Iterable[Claim], doc_versions: dict[str, str | None] | None = None) -> list[Claim]:
    """Keep, per document, only the claims of its current extraction (see `current_version`).

    A recorded version with no claims (a newer extraction that found nothing)
    retires all of the document's older claims.
    """
    by_doc: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_doc[claim.doc_id].append(claim)
    kept: list[Claim] = []
    for doc_id, group in by_doc.items():
        recorded = (doc_versions or {}).get(doc_id)
        current = current_version(recorded, [c.extractor_version for c in group])
        kept.extend(c for c in group if c.extractor_version == current)
    return kept


__all__ = [
    "BlockKey",
    "Claim",
    "DEFAULT_WINDOW_DAYS",
    "FUSION_VERSION",
    "FusedEvent",
    "block_keys",
    "claim_families",
    "claim_interval",
    "cluster_block",
    "current_claims",
    "current_version",
    "date_bounds",
    "designation_groups",
    "event_id",
    "fuse",
    "group_designations",
    "is_series_of",
    "item_family",
    "newest_version",
    "chain_intervals",
    "time_clusters",
    "version_key",
]
