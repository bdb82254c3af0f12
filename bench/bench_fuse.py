"""Fusion cost as the corpus grows: 10k, 30k and 100k generated claims into fresh SQLite stores.

For each size the claims are written the way the pipeline writes them (one
document at a time through `Store.add_result`) and fused the way the
pipeline fuses them (`fuse_claims` every 64 documents); only the fusion
calls are timed. Then `rebuild` recomputes every event from the full store.
Two baselines from the same run: the smallest size (a per-claim time ratio
near 1.0 at 3x and 10x the claims means near-linear growth), and the time
the store took to write the same claims (fusion time / store-write time
staying flat means fusion grows like the store itself, whatever the machine
load or database size do to both).

The generator is deterministic (seeded): parties drawn with a skew (a few
suppliers and dyads dominate, as in the news), 7 event types, 10 item
families, named systems half the time, dates over 1995-2025 and a few
stance entries per claim.

Usage: .venv/bin/python bench/bench_fuse.py [--sizes 10000 30000 100000] [--out bench/results/fuse.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from armstrace.fuse import FuseReport, fuse_claims, rebuild
from armstrace.model import Document, DocumentResult, Event
from armstrace.store import open_store

REPO = Path(__file__).resolve().parents[1]
CLAIMS_PER_DOC = 4
DOCS_PER_FUSE = 64  # as armstrace.pipeline.FUSE_EVERY_DOCS

TYPES = [("transfer", 60), ("offer", 8), ("production", 8), ("training", 6), ("use", 10), ("sanction", 6),
         ("export_total", 2)]
FAMILIES = ["uav", "loitering_munition", "ballistic_missile", "cruise_missile", "anti_tank_missile",
            "air_defense", "artillery", "armored_vehicle", "combat_aircraft", "military_equipment"]
STATUSES = ["speculative", "planned", "agreed", "delivered"]
OUTLETS = [f"outlet{i}.example" for i in range(300)]


def _states(count: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [letters[i // 26 % 26] + letters[i % 26] + "X" for i in range(count)]


# sparse: many parties and designations, most claims their own event (the cost of blocking and
# bookkeeping); dense: few of each, many articles per event (the cost of growing events).
PROFILES = {
    "sparse": {"suppliers": 60, "recipients": 220, "systems": 40},
    "dense": {"suppliers": 4, "recipients": 6, "systems": 3},
}


class Generator:
    """A deterministic stream of synthetic documents, each with a few event dicts."""

    def __init__(self, seed: int = 1, profile: str = "sparse") -> None:
        shape = PROFILES[profile]
        self.rng = random.Random(seed)
        self.suppliers = _states(shape["suppliers"])
        self.recipients = _states(shape["recipients"])
        self.supplier_weights = [1 / (i + 1) for i in range(len(self.suppliers))]
        self.recipient_weights = [1 / (i + 1) ** 0.8 for i in range(len(self.recipients))]
        self.systems = {f: [f"sys:{f[:4]}-{i}" for i in range(shape["systems"])] for f in FAMILIES}

    def event(self, published: str) -> dict[str, Any]:
        rng = self.rng
        type_ = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
        supplier = rng.choices(self.suppliers, weights=self.supplier_weights)[0]
        recipient = None if type_ in ("offer", "export_total") and rng.random() < 0.6 else \
            rng.choices(self.recipients, weights=self.recipient_weights)[0]
        family = rng.choice(FAMILIES)
        system = rng.choice(self.systems[family]) if rng.random() < 0.5 else None
        year = int(published[:4])
        when = f"{year - rng.choice([0, 0, 0, 1, 2])}-{rng.randint(1, 12):02d}" if rng.random() < 0.6 else None
        stance = [{"actor": {"id": rng.choice(self.suppliers), "name": "x"}, "speaker": None,
                   "polarity": rng.choice(["asserts", "asserts", "denies"])} for _ in range(rng.randint(0, 2))]
        return {
            "type": type_,
            "supplier": {"id": supplier, "name": supplier},
            "recipient": {"id": recipient, "name": recipient} if recipient else None,
            "items": [{"category": family, "system": {"id": system, "name": system[4:]} if system else None}],
            "status": rng.choice(STATUSES) if type_ in ("transfer", "production", "training", "sanction") else None,
            "quantity": {"text": "some", "min": 10, "max": 99} if rng.random() < 0.2 else None,
            "value": None,
            "time": {"text": "then", "start": when, "end": when} if when else None,
            "place": None,
            "target": None,
            "stance": stance,
            "evidence": [{"sentence": f"Generated sentence {rng.random():.12f}.", "start": 0, "end": 30}],
        }

    def document(self, number: int) -> DocumentResult:
        published = f"{self.rng.randint(1995, 2025)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        doc = Document(text=f"generated document {number}", path=f"gen/{number}.txt", title=f"doc {number}",
                       published=published, source=self.rng.choice(OUTLETS))
        events = [Event.from_dict(self.event(published)) for _ in range(CLAIMS_PER_DOC)]
        return DocumentResult(doc, events, "bench-1")


def run_size(claims: int, workdir: Path, profile: str = "sparse") -> dict[str, Any]:
    store = open_store(str(workdir / f"fuse_{profile}_{claims}.db"))
    gen = Generator(seed=claims, profile=profile)
    docs = claims // CLAIMS_PER_DOC
    fuse_seconds = 0.0
    store_seconds = 0.0
    pending: list[str] = []
    report = FuseReport()
    stored_claims = 0
    for number in range(docs):
        start = time.perf_counter()
        new = store.add_result(gen.document(number))
        store_seconds += time.perf_counter() - start
        stored_claims += len(new)
        pending.extend(new)
        if (number + 1) % DOCS_PER_FUSE == 0 or number == docs - 1:
            start = time.perf_counter()
            fuse_claims(store, pending, report=report)
            fuse_seconds += time.perf_counter() - start
            pending = []
    start = time.perf_counter()
    rebuilt = rebuild(store)
    rebuild_seconds = time.perf_counter() - start
    events = store.count_all_events()
    store.close()
    return {
        "profile": profile,
        "claims": stored_claims,
        "documents": docs,
        "events": events,
        "incremental_fuse_seconds": round(fuse_seconds, 3),
        "rebuild_seconds": round(rebuild_seconds, 3),
        "store_write_seconds": round(store_seconds, 3),
        "incremental_ms_per_claim": round(1000 * fuse_seconds / stored_claims, 4),
        "rebuild_ms_per_claim": round(1000 * rebuild_seconds / stored_claims, 4),
        "rebuild_changed_events": len(rebuilt.created) + len(rebuilt.changed) + len(rebuilt.removed),
        # The same run's own baseline: writing these claims to the store is O(n) work on the same
        # database on the same (possibly busy) machine, so these ratios cancel machine load and
        # database-size effects that the raw per-claim times include.
        "incremental_vs_store_write": round(fuse_seconds / store_seconds, 3),
        "rebuild_vs_store_write": round(rebuild_seconds / store_seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--profiles", nargs="+", default=list(PROFILES), choices=list(PROFILES))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fuse.json")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="armstrace-bench-fuse-") as tmp:
        for profile in args.profiles:
            runs = []
            for size in args.sizes:
                result = run_size(size, Path(tmp), profile)
                runs.append(result)
                print(f"{profile:>6} {result['claims']:>7} claims -> {result['events']:>6} events: incremental "
                      f"fuse {result['incremental_fuse_seconds']:.2f} s ({result['incremental_ms_per_claim']:.3f} "
                      f"ms/claim), rebuild {result['rebuild_seconds']:.2f} s "
                      f"({result['rebuild_ms_per_claim']:.3f} ms/claim)", flush=True)
            base = runs[0]
            for result in runs:
                result["incremental_per_claim_ratio_vs_smallest"] = round(
                    result["incremental_ms_per_claim"] / base["incremental_ms_per_claim"], 3)
                result["rebuild_per_claim_ratio_vs_smallest"] = round(
                    result["rebuild_ms_per_claim"] / base["rebuild_ms_per_claim"], 3)
            results.extend(runs)
    summary = {
        "bench": "fuse",
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "docs_per_fuse_call": DOCS_PER_FUSE,
        "claims_per_document": CLAIMS_PER_DOC,
        "profiles": PROFILES,
        "results": results,
        "note": "per-claim ratio near 1.0 at 3x and 10x the claims = near-linear growth",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for result in results:
        print(f"{result['profile']:>6} {result['claims']:>7} claims: per-claim ratio vs smallest: incremental "
              f"{result['incremental_per_claim_ratio_vs_smallest']:.2f}, rebuild "
              f"{result['rebuild_per_claim_ratio_vs_smallest']:.2f}; fusion time / store-write time: "
              f"incremental {result['incremental_vs_store_write']:.2f}, rebuild {result['rebuild_vs_store_write']:.2f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
