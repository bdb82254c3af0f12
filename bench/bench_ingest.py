"""Ingest benchmark: time and peak memory of `armstrace ingest` at 1,000 and 10,000 articles.

    python bench/bench_ingest.py [--counts 1000 10000] [--arms-share 0.1] [--keep DIR]

Each run is a fresh subprocess ingesting generated articles (bench/gen_articles.py,
.txt files in one folder) into a fresh SQLite file, exactly as the CLI does.
The child reports its own peak RSS (VmHWM from /proc/self/status) when the
command ends. A one-article run in the same session is the baseline: its
time is the fixed cost (interpreter, spaCy load), its RSS the floor; the
throughput reported is net of that start-up.

Memory must stay flat in the number of articles: the ratio of peak RSS at
10,000 to peak RSS at 1,000 should be close to 1, and both under 1 GB.
Results go to bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import gen_articles  # noqa: E402

GB = 1024**3


def peak_rss_bytes() -> int:
    """This process's peak resident set size (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(folder: str, db: str, report: str) -> None:
    """Run `armstrace ingest FOLDER --db DB --quiet` in this process; write time and peak RSS."""
    from armstrace.cli import main

    sys.argv = ["armstrace", "ingest", folder, "--db", db, "--quiet"]
    started = time.perf_counter()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    elapsed = time.perf_counter() - started
    Path(report).write_text(json.dumps({"exit_code": code, "seconds": elapsed, "peak_rss": peak_rss_bytes()}))


def run_one(count: int, arms_share: float, workdir: Path, seed: int) -> dict:
    folder = workdir / f"articles_{count}"
    started = time.perf_counter()
    gen_articles.write_articles(folder, count, arms_share=arms_share, seed=seed)
    generated = time.perf_counter() - started
    db = workdir / f"ingest_{count}.db"
    report = workdir / f"report_{count}.json"
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("ARMSTRACE_DB", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--child", str(folder), str(db), str(report)],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wall = time.perf_counter() - started
    measured = json.loads(report.read_text())
    with sqlite3.connect(db) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "claims", "events")
        }
    return {
        "articles": count,
        "arms_articles": sum(gen_articles.is_arms(i, arms_share, seed) for i in range(count)),
        "exit_code": measured["exit_code"],
        "seconds_in_command": round(measured["seconds"], 2),
        "seconds_wall": round(wall, 2),
        "peak_rss_mb": round(measured["peak_rss"] / 2**20, 1),
        "db_mb": round(db.stat().st_size / 2**20, 1),
        "generate_seconds": round(generated, 2),
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--arms-share", type=float, default=0.1, help="share of generated articles about arms"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp folder)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ingest.json")
    parser.add_argument("--child", nargs=3, metavar=("FOLDER", "DB", "REPORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    with tempfile.TemporaryDirectory(prefix="armstrace-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        baseline = run_one(1, args.arms_share, workdir, args.seed)
        print(
            f"baseline (1 article): {baseline['seconds_in_command']} s, peak RSS {baseline['peak_rss_mb']} MB",
            flush=True,
        )
        runs = []
        for count in args.counts:
            result = run_one(count, args.arms_share, workdir, args.seed)
            net = max(result["seconds_in_command"] - baseline["seconds_in_command"], 1e-9)
            result["articles_per_second_net"] = round(count / net, 1)
            result["articles_per_second_wall"] = round(count / result["seconds_wall"], 1)
            result["peak_rss_over_baseline"] = round(result["peak_rss_mb"] / baseline["peak_rss_mb"], 3)
            runs.append(result)
            print(
                f"{count} articles ({result['arms_articles']} about arms): {result['seconds_in_command']} s, "
                f"{result['articles_per_second_net']} articles/s net of start-up, peak RSS {result['peak_rss_mb']} MB, "
                f"{result['documents']} documents, {result['claims']} claims, {result['events']} events",
                flush=True,
            )
    summary: dict = {
        "benchmark": "armstrace ingest, fresh SQLite, one subprocess per run",
        "arms_share": args.arms_share,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "baseline": baseline,
        "runs": runs,
    }
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        summary["peak_rss_ratio_largest_vs_smallest"] = round(large["peak_rss_mb"] / small["peak_rss_mb"], 3)
        summary["under_1_gb"] = all(r["peak_rss_mb"] * 2**20 < GB for r in runs)
        print(
            f"peak RSS {large['articles']} vs {small['articles']}: {summary['peak_rss_ratio_largest_vs_smallest']}x; "
            f"all under 1 GB: {summary['under_1_gb']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
