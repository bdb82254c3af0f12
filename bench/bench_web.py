"""Web latency over a large store: p50/p95 of the list page, the detail page and the API.

1. Writes a store of N fused events (default 100,000) straight through the
   store's tables (deterministic generator, no spaCy): documents with FTS
   rows, one claim per event, the events and their claim links.
2. Starts `armstrace serve` over it in a subprocess on a free loopback port.
3. Sends a bounded number of sequential requests per endpoint group from one
   client and reports p50/p95/max in milliseconds, and each p95 as a ratio to
   the p95 of a static file fetched from the same server in the same run
   (the floor: HTTP, middleware, no database).

Target: p95 < 150 ms for every group. Full-text search is measured as a group
of its own: its total needs `Store.count_events(text=...)`, which visits every
event (see docs/web.md).

The web server creates the indexes it needs at start (armstrace.web.indexes);
`--no-web-indexes` measures the store's schema alone, for comparison.

Usage: .venv/bin/python bench/bench_web.py [--events 100000] [--requests 300]
       [--db /tmp/armstrace-web-bench.db] [--out bench/results/web.json]
The store file is reused when it already holds the requested number of events
(pass --rebuild to write it again).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text as sql_text

from armstrace.model import content_hash
from armstrace.store import open_store
from armstrace.store.rows import claim_row, event_row
from armstrace.store.schema import claims, documents, entities, event_claims, events

REPO = Path(__file__).resolve().parents[1]

STATES = [("IRN", "Iran"), ("RUS", "Russia"), ("USA", "United States"), ("CHN", "China"), ("FRA", "France"),
          ("DEU", "Germany"), ("TUR", "Turkey"), ("ISR", "Israel"), ("UKR", "Ukraine"), ("IND", "India"),
          ("PAK", "Pakistan"), ("SAU", "Saudi Arabia"), ("EGY", "Egypt"), ("POL", "Poland"), ("KOR", "South Korea"),
          ("PRK", "North Korea"), ("BLR", "Belarus"), ("SYR", "Syria"), ("VEN", "Venezuela"), ("ARE", "United Arab Emirates"),
          ("QAT", "Qatar"), ("BRA", "Brazil"), ("GBR", "United Kingdom"), ("ITA", "Italy"), ("ESP", "Spain"),
          ("JPN", "Japan"), ("AUS", "Australia"), ("DZA", "Algeria"), ("ETH", "Ethiopia"), ("SDN", "Sudan")]
ORGS = [("org:houthis", "Houthis"), ("org:hezbollah", "Hezbollah"), ("org:wagner-group", "Wagner Group"),
        ("org:rsf", "Rapid Support Forces"), ("org:hamas", "Hamas")]
SYSTEMS = [("sys:shahed-136", "Shahed-136", "loitering_munition"), ("sys:mohajer-6", "Mohajer-6", "uav"),
           ("sys:bayraktar-tb2", "Bayraktar TB2", "uav"), ("sys:fateh-110", "Fateh-110", "ballistic_missile"),
           ("sys:iris-t", "IRIS-T", "air_defense"), ("sys:k2", "K2", "armored_vehicle"),
           ("sys:f-16", "F-16", "combat_aircraft"), ("sys:leopard-2", "Leopard 2", "armored_vehicle"),
           (None, None, "ammunition"), (None, None, "artillery"), (None, None, "small_arms")]
TYPES = ["transfer"] * 6 + ["production", "training", "offer", "use", "sanction"]
STATUSES = ["delivered", "delivered", "agreed", "planned", "speculative"]
VERBS = {"delivered": "delivered", "agreed": "agreed to sell", "planned": "plans to send",
         "speculative": "may supply"}
OUTLETS = ["reuters.com", "apnews.com", "aljazeera.com", "bbc.co.uk", "kyivindependent.com", "tass.com", None]
CLAIMS_PER_DOC = 4


def _ref(pair: tuple[str, str]) -> dict[str, str]:
    return {"id": pair[0], "name": pair[1]}


def generate(store: Any, count: int, seed: int = 11, batch: int = 2000) -> None:
    """Write `count` events (and their documents and claims) with plain INSERTs, deterministically."""
    rng = random.Random(seed)
    now = "2026-01-01T00:00:00+00:00"
    actors = STATES + ORGS
    entity_rows: dict[str, dict[str, Any]] = {}
    doc_rows: list[dict[str, Any]] = []
    claim_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    doc_num = 0
    sentences: list[tuple[int, dict[str, Any]]] = []

    def flush(conn: Any) -> None:
        for table, values in ((documents, doc_rows), (claims, claim_rows), (events, event_rows),
                              (event_claims, link_rows)):
            if values:
                conn.execute(table.insert(), values)
        for row in doc_rows:
            conn.execute(sql_text("INSERT INTO documents_fts(rowid, title, text) VALUES (:num, :title, :text)"),
                         {"num": row["num"], "title": row["title"], "text": row["text"]})
        for values in (doc_rows, claim_rows, event_rows, link_rows):
            values.clear()

    with store.transaction() as conn:
        for index in range(count):
            supplier = rng.choice(STATES) if rng.random() < 0.9 else rng.choice(ORGS)
            recipient = rng.choice([a for a in actors if a != supplier])
            system_id, system_name, category = rng.choice(SYSTEMS)
            type_ = rng.choice(TYPES)
            status = rng.choice(STATUSES) if type_ in ("transfer", "production", "training", "sanction") else None
            year = rng.randint(1995, 2025)
            month = rng.randint(1, 12)
            published = f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
            item: dict[str, Any] = {"category": category}
            if system_id:
                item["system"] = {"id": system_id, "name": system_name}
                entity_rows.setdefault(system_id, {"id": system_id, "kind": "system", "name": system_name,
                                                   "state": None, "category": category, "data": {}})
            for ref in (supplier, recipient):
                kind = "organisation" if ref[0].startswith("org:") else "state"
                entity_rows.setdefault(ref[0], {"id": ref[0], "kind": kind, "name": ref[1],
                                                "state": ref[0] if kind == "state" else None,
                                                "category": None, "data": {}})
            sentence = (f"{supplier[1]} {VERBS.get(status or '', 'supplied')} "
                        f"{system_name or category.replace('_', ' ')} to {recipient[1]} in {year}.")
            event = {
                "type": type_, "supplier": _ref(supplier), "recipient": _ref(recipient), "items": [item],
                "status": status, "quantity": None, "value": None,
                "time": {"text": f"in {year}", "start": str(year), "end": str(year)},
                "place": None, "target": None,
                "stance": [{"actor": _ref(rng.choice(STATES)), "speaker": None,
                            "polarity": rng.choice(["asserts", "asserts", "denies"])}],
            }
            sentences.append((index, event | {"_sentence": sentence, "_published": published}))
            if len(sentences) == CLAIMS_PER_DOC or index == count - 1:
                doc_num += 1
                parts = [f"Report {doc_num}", ""]
                offset = len("\n".join(parts)) + 1
                texts = []
                for _i, ev in sentences:
                    filler = "Officials and analysts commented on the reports at length. " * rng.randint(1, 4)
                    start = offset + len(filler)
                    ev["evidence"] = [{"sentence": ev["_sentence"], "start": start, "end": start + len(ev["_sentence"])}]
                    texts.append(filler + ev["_sentence"])
                    offset += len(filler) + len(ev["_sentence"]) + 2
                text = "\n".join(parts) + "\n" + "\n\n".join(texts)
                doc_id = content_hash("bench-doc", str(doc_num))
                first_published = sentences[0][1]["_published"]
                doc_rows.append({"id": doc_id, "num": doc_num, "path": f"bench/{doc_num}.txt",
                                 "title": f"Report {doc_num}", "published": first_published,
                                 "source": rng.choice(OUTLETS), "url": None, "text": text, "warnings": [],
                                 "ingested_at": now, "extractor_version": "bench-1"})
                for event_index, ev in sentences:
                    clean = {k: v for k, v in ev.items() if not k.startswith("_")}
                    claim = claim_row(doc_id, first_published, "bench-1", clean)
                    claim["created_at"] = now
                    claim_rows.append(claim)
                    record = dict(clean)
                    record.pop("evidence")
                    record["id"] = content_hash("bench-event", str(event_index))
                    record["sources"] = 1
                    record["stance"] = [dict(s, date=first_published) for s in clean["stance"]]
                    row = event_row(record, first_published, first_published)
                    row["updated_at"] = now
                    event_rows.append(row)
                    link_rows.append({"event_id": record["id"], "claim_id": claim["id"]})
                sentences = []
            if len(event_rows) >= batch:
                flush(conn)
        flush(conn)
        conn.execute(entities.insert(), list(entity_rows.values()))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def measure(client: httpx.Client, urls: list[str]) -> dict[str, float]:
    timings = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        timings.append(elapsed)
    return {"requests": len(timings), "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2), "max_ms": round(max(timings), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint group (bounded)")
    parser.add_argument("--db", default="/tmp/armstrace-web-bench.db")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-web-indexes", action="store_true",
                        help="drop the web indexes and keep the server from creating them (baseline)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "web.json"))
    args = parser.parse_args()
    requests = max(20, min(args.requests, 2000))

    db = Path(args.db)
    url = f"sqlite:///{db}"
    store = open_store(url)
    if args.rebuild or store.count_all_events() != args.events:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store = open_store(url)
        started = time.perf_counter()
        generate(store, args.events)
        print(f"generated {args.events} events in {time.perf_counter() - started:.1f} s -> {db}", file=sys.stderr)
    if args.no_web_indexes:
        from armstrace.web.indexes import WEB_INDEXES

        with store.transaction() as conn:
            for name in WEB_INDEXES:
                conn.execute(sql_text(f"DROP INDEX IF EXISTS {name}"))
            conn.execute(sql_text("DROP TABLE IF EXISTS sqlite_stat1"))
    event_ids = [e["id"] for e in store.events(limit=5000, offset=0)]
    total = store.count_all_events()
    store.close()

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("ARMSTRACE_TOKEN", None)
    env["ARMSTRACE_WEB_INDEXES"] = "0" if args.no_web_indexes else "1"
    server = subprocess.Popen([sys.executable, "-m", "armstrace", "serve", "--db", url, "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"server exited: {server.stderr.read().decode(errors='replace') if server.stderr else ''}")
            try:
                if httpx.get(f"{base}/static/style.css", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start within 60 s")
            time.sleep(0.2)

        rng = random.Random(5)
        state_ids = [s[0] for s in STATES]

        def list_url() -> str:
            choice = rng.random()
            if choice < 0.3:
                return f"/events?offset={rng.randrange(0, 2000) * 50}"
            if choice < 0.55:
                return f"/events?supplier={rng.choice(state_ids)}&offset={rng.randrange(0, 5) * 50}"
            if choice < 0.75:
                return f"/events?recipient={rng.choice(state_ids)}&type=transfer&status=delivered"
            return f"/events?system={rng.choice([s[0] for s in SYSTEMS if s[0]])}&since={rng.randint(1995, 2024)}"

        def text_url() -> str:
            return f"/events?q={rng.choice(['Iran', 'drones', 'Leopard', 'Houthis', 'Fateh-110'])}"

        def api_url() -> str:
            choice = rng.random()
            if choice < 0.4:
                return f"/api/events/{rng.choice(event_ids)}"
            if choice < 0.7:
                return f"/api/events?supplier={rng.choice(state_ids)}&limit=50&offset={rng.randrange(0, 10) * 50}"
            if choice < 0.85:
                return f"/api/events?type=transfer&limit=100&offset={rng.randrange(0, 500) * 100}"
            return f"/api/documents?limit=50&offset={rng.randrange(0, 400) * 50}"

        groups: dict[str, Callable[[], str]] = {
            "static file (floor)": lambda: "/static/style.css",
            "events list page": list_url,
            "event detail page": lambda: f"/events/{rng.choice(event_ids)}",
            "JSON API": api_url,
        }
        results: dict[str, Any] = {}
        with httpx.Client(base_url=base, timeout=60) as client:
            for name, make in groups.items():
                urls = [make() for _ in range(requests)]
                measure(client, urls[:10])  # warm-up: caches, first-use imports
                results[name] = measure(client, urls)
                print(f"  measured {name}", file=sys.stderr)
            # Full-text search is counted apart: its cost is the store's text
            # filter (see docs/web.md), so fewer requests.
            name = "events list page, text search"
            urls = [text_url() for _ in range(max(10, requests // 6))]
            results[name] = measure(client, urls)
            print(f"  measured {name}", file=sys.stderr)
            extras = {name: measure(client, [path] * 20) for name, path in
                      (("network page", "/network"), ("timeline page", "/timeline"),
                       ("entity page", "/entities/IRN"))}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    floor = results["static file (floor)"]["p95_ms"] or 1.0
    for row in results.values():
        row["p95_vs_floor"] = round(row["p95_ms"] / floor, 1)
    report = {
        "events": total,
        "requests_per_group": requests,
        "target_p95_ms": 150,
        "groups": results,
        "other_pages_20_requests": extras,
        "meets_target": {k: r["p95_ms"] < 150 for k, r in results.items() if k != "static file (floor)"},
        "web_indexes": not args.no_web_indexes,
        "python": sys.version.split()[0],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"\nweb latency over {total:,} events, {requests} sequential requests per group (loopback)")
    print(f"{'group':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/floor':>10}")
    for name, row in results.items():
        print(f"{name:28} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} {row['p95_vs_floor']:10.1f}")
    for name, row in extras.items():
        print(f"{name:28} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} {'':>10}")
    missed = [k for k, met in report["meets_target"].items() if not met]
    print(f"target p95 < 150 ms: {'met by every group' if not missed else 'NOT met by ' + ', '.join(missed)}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
