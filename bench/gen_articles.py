"""Deterministic synthetic news articles for benchmarks and tests.

    python bench/gen_articles.py OUT_DIR --count 1000 --arms-share 0.1 [--jsonl]

Each article has a title line, a dateline ("May 18, 2022") and a few
paragraphs. An "arms" article reports a transfer, offer, production deal,
sanction or use between two states with a named system; a "non-arms"
article is about trade, weather, sport or culture and names no weapon, so
extraction's triage can skip parsing it. The same seed and count always give
the same files, byte for byte; every article's text is distinct.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

STATES = [
    ("Iran", "Iranian", "Tehran", "Isfahan"), ("Russia", "Russian", "Moscow", "Kazan"),
    ("Belarus", "Belarusian", "Minsk", "Gomel"), ("Venezuela", "Venezuelan", "Caracas", "Maracaibo"),
    ("Ethiopia", "Ethiopian", "Addis Ababa", "Dire Dawa"), ("Tajikistan", "Tajik", "Dushanbe", "Khujand"),
    ("Turkey", "Turkish", "Ankara", "Izmir"), ("Ukraine", "Ukrainian", "Kyiv", "Lviv"),
    ("Sudan", "Sudanese", "Khartoum", "Port Sudan"), ("Armenia", "Armenian", "Yerevan", "Gyumri"),
    ("Serbia", "Serbian", "Belgrade", "Novi Sad"), ("Algeria", "Algerian", "Algiers", "Oran"),
]  # fmt: skip
SYSTEMS = [
    ("Shahed-136", "loitering munitions"), ("Mohajer-6", "drones"), ("Ababil-2", "drones"),
    ("Fateh-110", "ballistic missiles"), ("Bayraktar TB2", "drones"), ("Zolfaghar", "ballistic missiles"),
    ("Kornet", "anti-tank missiles"), ("Pantsir-S1", "air defence systems"),
]  # fmt: skip
ARMS_SENTENCES = [
    "{s} has delivered {n} {sys} {kind} to {r}, officials in {rcap} confirmed on {day}.",
    "{s} plans to supply {r} with {sys} {kind} next year, according to a defence ministry statement.",
    "{r} signed a deal with {s} to buy {n} {sys} {kind}, the {sadj} state news agency reported.",
    "The United States said {s} had shipped {sys} {kind} to {r}; {scap} denied the report.",
    "{s} opened a factory in {r} to produce {sys} {kind} under licence, state television showed.",
    "{radj} forces used {sadj}-made {sys} {kind} in attacks last month, a military spokesman said.",
    "{s} said it was ready to export {sys} {kind} to friendly countries such as {r}.",
    "The European Union imposed sanctions on {sadj} companies over the supply of {kind} to {r}.",
]
FILLER_SENTENCES = [
    "Trade between {a} and {b} rose by {pct} percent in the first quarter, customs data showed.",
    "Heavy rain flooded several districts of {acity} on {weekday}, and many roads were shut for two days.",
    "The national football team of {a} beat {b} {g1}-{g2} in a friendly match in {bcity}.",
    "A new exhibition of {aadj} carpets in {bcity} drew thousands of visitors.",
    "The central bank of {a} kept its main interest rate at {pct} percent, citing stable prices.",
    "Farmers in {a} hope for a record wheat harvest after a mild winter, the agriculture ministry said.",
    "Officials from {a} and {b} discussed new flight routes and tourism visas at a meeting in {acity}.",
    "The price of bread in {acity} has doubled since last year, according to a consumer group.",
    "A regional summit on water management is due in {bcity} in the autumn.",
    "Students in {a} staged a protest over tuition fees outside the parliament in {acity}.",
]
TOPICS = ["Trade", "Weather", "Sport", "Culture", "Economy", "Farming", "Travel", "Education"]


def _fill(template: str, rng: random.Random, day: date) -> str:
    a, b = rng.sample(STATES, 2)
    system, kind = rng.choice(SYSTEMS)
    return template.format(
        s=a[0], sadj=a[1], scap=a[2], r=b[0], radj=b[1], rcap=b[2],
        a=a[0], aadj=a[1], acity=a[3], b=b[0], bcity=b[3],
        sys=system, kind=kind, n=rng.choice(["dozens of", "several hundred", "12", "40", "about 100"]),
        pct=rng.randint(2, 30), g1=rng.randint(0, 4), g2=rng.randint(0, 4),
        day=day.strftime("%B %d").replace(" 0", " "), weekday=day.strftime("%A"),
    )  # fmt: skip


def _headline(paragraph: str) -> str:
    """The first clause of the first sentence, as a headline."""
    return re.split(r"[,;.]", paragraph, maxsplit=1)[0].strip()


def article(index: int, arms: bool, seed: int = 7, paragraphs: int = 4) -> dict[str, str]:
    """The article number `index`: {"title", "published", "text"} (text includes title and dateline)."""
    rng = random.Random(f"{seed}:{index}")
    day = date(2021, 1, 1) + timedelta(days=rng.randint(0, 900))
    body = []
    for p in range(paragraphs):
        sentences = [_fill(rng.choice(FILLER_SENTENCES), rng, day) for _ in range(rng.randint(2, 4))]
        if arms and p == 0:
            sentences.insert(0, _fill(rng.choice(ARMS_SENTENCES), rng, day))
        elif arms and rng.random() < 0.3:
            sentences.append(_fill(rng.choice(ARMS_SENTENCES), rng, day))
        body.append(" ".join(sentences))
    # The serial number keeps every article's text, and so its id, distinct.
    body.append(f"Report {index:06d} ends here.")
    title = _headline(body[0]) if arms else f"{rng.choice(TOPICS)} news: {_headline(body[0])}"
    dateline = day.strftime("%B %d, %Y").replace(" 0", " ")
    text = f"{title}\n\n{dateline}\n\n" + "\n\n".join(body) + "\n"
    return {"title": title, "published": day.isoformat(), "text": text}


def is_arms(index: int, arms_share: float, seed: int = 7) -> bool:
    return random.Random(f"{seed}:mix:{index}").random() < arms_share


def generate(
    count: int, arms_share: float = 0.5, seed: int = 7
) -> Iterator[tuple[int, bool, dict[str, str]]]:
    for index in range(count):
        arms = is_arms(index, arms_share, seed)
        yield index, arms, article(index, arms, seed)


def write_articles(
    out_dir: Path, count: int, arms_share: float = 0.5, seed: int = 7, jsonl: bool = False
) -> list[Path]:
    """Write `count` articles as .txt files (or one articles.jsonl); returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if jsonl:
        path = out_dir / "articles.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for index, _arms, art in generate(count, arms_share, seed):
                record = {
                    "text": art["text"],
                    "title": art["title"],
                    "url": f"https://news{index % 7}.example.org/a/{index}",
                    "published": art["published"],
                    "source": f"Example News {index % 7}",
                }
                handle.write(json.dumps(record) + "\n")
        return [path]
    paths = []
    for index, _arms, art in generate(count, arms_share, seed):
        path = out_dir / f"article_{index:06d}.txt"
        path.write_text(art["text"], encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--arms-share", type=float, default=0.5, help="share of articles about arms (0..1)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jsonl", action="store_true", help="write one articles.jsonl instead of .txt files")
    args = parser.parse_args()
    written = write_articles(args.out_dir, args.count, args.arms_share, args.seed, args.jsonl)
    print(f"wrote {args.count} articles to {written[0].parent}")


if __name__ == "__main__":
    main()
