"""Knowledge-base speed: catalogue load, resolver throughput, pipeline start-up.

    .venv/bin/python bench/bench_resolver.py            # prints a table, writes bench/results/resolver.json

Measured in one run, so that ratios compare like with like:
- catalogue load: Catalog.load() of the bundled files (+ pycountry), median of runs;
- resolver: mentions per second for known names (every alias of a sample of
  entities, in their written forms) and for unknown names (which go through
  the fuzzy paths), plus the time to build the resolver;
- start-up, each in a fresh process: plain `spacy.load(config.SPACY_MODEL)`
  and `armstrace.nlp.load_pipeline()` (spacy.load + catalogue + gazetteer);
  target under 3 s, and the ratio of the two;
- the component's share of parsing: the five dev articles (if mounted) or the
  test sentences, parsed by the rest of the pipeline, then the gazetteer run
  alone on copies of those documents (CPU time, which other load on the
  machine disturbs less than wall time).
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from armstrace import config  # noqa: E402
from armstrace.knowledge import Catalog, Resolver  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "resolver.json"
DEV = ROOT / ".." / "shared" / "eval" / "dev"
RUNS = 5


def _median_seconds(func, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fresh_process(code: str, runs: int = 3) -> tuple[float, float]:
    """Median wall and CPU seconds of `code` in new interpreters; the code prints
    "wall cpu" itself, so interpreter start-up is not counted."""
    walls, cpus = [], []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        wall, cpu = done.stdout.strip().splitlines()[-1].split()
        walls.append(float(wall))
        cpus.append(float(cpu))
    return statistics.median(walls), statistics.median(cpus)


def bench_catalogue() -> tuple[dict[str, float], Catalog]:
    load = _median_seconds(lambda: Catalog.load(use_env=False))
    cpu = []
    for _ in range(RUNS):
        start = time.process_time()
        Catalog.load(use_env=False)
        cpu.append(time.process_time() - start)
    catalog = Catalog.load(use_env=False)
    build = _median_seconds(lambda: Resolver(catalog))
    return {"catalog_load_s": load, "catalog_load_cpu_s": statistics.median(cpu), "resolver_build_s": build, **{f"n_{k}": v for k, v in catalog.count().items()}}, catalog


def bench_resolver(catalog: Catalog) -> dict[str, float]:
    rng = random.Random(7)
    entities = list(catalog)
    known: list[str] = []
    for entity in rng.sample(entities, 600):
        known.extend(entity.names()[:4] + entity.demonyms[:1] + entity.capitals[:1])
    # Variants an article would write: spacing and case changes of designations.
    known += [n.replace("-", " ") for n in known if "-" in n][:500]
    unknown = [f"{rng.choice(['Kamal', 'Sergei', 'Li', 'Ahmad', 'John'])} "
               f"{rng.choice(['Rezaei', 'Orlov', 'Wen', 'Nouri', 'Doe'])}{i}" for i in range(300)]
    unknown += [f"Zz-{i} Hunter" for i in range(300)]

    def run(mentions: list[str], fresh: bool) -> float:
        resolver = Resolver(catalog)
        if not fresh:
            for mention in mentions:
                resolver.resolve(mention)
        start = time.perf_counter()
        for mention in mentions:
            resolver.resolve(mention, context=resolver.document_context())
        return len(mentions) / (time.perf_counter() - start)

    return {
        "known_mentions": len(known),
        "known_per_s": statistics.median(run(known, fresh=True) for _ in range(3)),
        "unknown_mentions": len(unknown),
        "unknown_per_s": statistics.median(run(unknown, fresh=True) for _ in range(3)),
    }


_TIMED = ("import time; w=time.perf_counter(); c=time.process_time(); {body}; "
          "print(time.perf_counter()-w, time.process_time()-c)")


def bench_startup() -> dict[str, float]:
    plain_wall, plain_cpu = _fresh_process(_TIMED.format(
        body="import spacy; from armstrace import config; spacy.load(config.SPACY_MODEL)"))
    full_wall, full_cpu = _fresh_process(_TIMED.format(
        body="from armstrace.nlp import load_pipeline; load_pipeline()"))
    return {"spacy_load_s": plain_wall, "pipeline_startup_s": full_wall, "startup_ratio": full_wall / plain_wall,
            "spacy_load_cpu_s": plain_cpu, "pipeline_startup_cpu_s": full_cpu,
            "startup_ratio_cpu": full_cpu / plain_cpu, "target_s": 3.0, "under_target": full_wall < 3.0,
            "under_target_cpu": full_cpu < 3.0, "load_average": _load_average()}


def _load_average() -> float | None:
    """Other work on the machine stretches wall times; recorded so readers can tell."""
    try:
        import os

        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def bench_component() -> dict[str, float | str]:
    """The gazetteer alone, on documents the rest of the pipeline has parsed."""
    from armstrace.nlp import load_pipeline
    from armstrace.nlp.gazetteer import COMPONENT

    nlp = load_pipeline()
    if DEV.exists():
        texts = [p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt"))]
        source = "dev articles"
    else:
        import yaml

        cases = yaml.safe_load((ROOT / "tests" / "data" / "mentions.yaml").read_text(encoding="utf-8"))
        texts = [c["text"] for c in cases["text"]]
        source = "test sentences"
    texts = texts * 4
    gazetteer = nlp.get_pipe(COMPONENT)
    with nlp.select_pipes(disable=[COMPONENT]):
        start = time.process_time()
        parsed = list(nlp.pipe(texts, batch_size=config.BATCH_SIZE))
        rest_cpu = time.process_time() - start
    sentences = sum(len(list(d.sents)) for d in parsed)
    runs = []
    for _ in range(5):
        copies = [d.copy() for d in parsed]
        start = time.process_time()
        for doc in copies:
            gazetteer(doc)
        runs.append(time.process_time() - start)
    component_cpu = statistics.median(runs)
    # One long document (the same texts joined) must cost what its pieces cost:
    # nothing in the component may grow with the square of a document's length.
    long_text = "\n\n".join(texts * 3)
    nlp.max_length = max(nlp.max_length, len(long_text) + 1)
    with nlp.select_pipes(disable=[COMPONENT]):
        long_doc = nlp(long_text)
    long_sentences = len(list(long_doc.sents))
    copy = long_doc.copy()
    start = time.process_time()
    gazetteer(copy)
    long_cpu = time.process_time() - start
    return {
        "long_doc_tokens": len(long_doc), "long_doc_ms_per_sentence": 1000 * long_cpu / long_sentences,"parse_source": source, "parse_docs": len(texts), "parse_sentences": sentences,
            "rest_of_pipeline_cpu_s": rest_cpu, "gazetteer_cpu_s": component_cpu,
            "gazetteer_share_of_parse": component_cpu / (component_cpu + rest_cpu),
            "gazetteer_ms_per_sentence": 1000 * component_cpu / sentences}


def main() -> None:
    catalogue, catalog = bench_catalogue()
    results = {"python": platform.python_version(), "machine": platform.machine(),
               "spacy_model": config.SPACY_MODEL, **catalogue, **bench_resolver(catalog), **bench_startup(),
               **bench_component()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    rows = [
        ("catalogue load (bundled + ISO 3166)",
         f"{results['catalog_load_s'] * 1000:.0f} ms wall, {results['catalog_load_cpu_s'] * 1000:.0f} ms CPU"),
        ("entities (state/org/person/system)",
         f"{results['n_state']}/{results['n_org']}/{results['n_person']}/{results['n_system']}"),
        ("resolver build", f"{results['resolver_build_s'] * 1000:.0f} ms"),
        (f"resolve known names ({results['known_mentions']})", f"{results['known_per_s']:,.0f} /s"),
        (f"resolve unknown names, fuzzy ({results['unknown_mentions']})", f"{results['unknown_per_s']:,.0f} /s"),
        ("spacy.load alone (fresh process)",
         f"{results['spacy_load_s']:.2f} s wall, {results['spacy_load_cpu_s']:.2f} s CPU"),
        ("load_pipeline: spacy.load + gazetteer",
         f"{results['pipeline_startup_s']:.2f} s wall, {results['pipeline_startup_cpu_s']:.2f} s CPU (target < 3 s)"),
        ("machine load average (1 min)", f"{results['load_average']}"),
        ("start-up ratio pipeline / spacy.load",
         f"{results['startup_ratio']:.2f}x wall, {results['startup_ratio_cpu']:.2f}x CPU"),
        (f"rest of pipeline on {results['parse_docs']} {results['parse_source']}",
         f"{results['rest_of_pipeline_cpu_s']:.2f} s CPU ({results['parse_sentences']} sentences)"),
        ("gazetteer on the same documents", f"{results['gazetteer_cpu_s']:.3f} s CPU"),
        ("gazetteer share of parsing", f"{100 * results['gazetteer_share_of_parse']:.1f} %"
                                       f" ({results['gazetteer_ms_per_sentence']:.2f} ms/sentence)"),
        (f"gazetteer on one {results['long_doc_tokens']:,}-token document",
         f"{results['long_doc_ms_per_sentence']:.2f} ms/sentence (linear if close to the line above)"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
