"""The ways news writes arms transfers (../shared/eval/CONSTRUCTIONS.md), one small article each.

Every text here is written for this test. Each case says which events a
careful analyst reads from it: (type, supplier, recipient) and, where the
construction is about it, the status or the stance.
"""

from __future__ import annotations

from typing import Any

import pytest

from armstrace.model import Document

PUBLISHED = "2023-03-15"

CASES: list[tuple[str, str, set[tuple[str, str | None, str | None]], dict[str, Any]]] = [
    ("active", "Belarus sold twelve Su-25 attack jets to Sudan last year.",
     {("transfer", "BLR", "SDN")}, {"status": "delivered", "quantity": (12, 12)}),
    ("double object", "Iran supplied Russia with Mohajer-6 drones in 2022.",
     {("transfer", "IRN", "RUS")}, {"system": "sys:mohajer-6"}),
    ("passive with agent", "The howitzers were delivered to Kyiv by Paris last month.",
     {("transfer", "FRA", "UKR")}, {"category": "artillery"}),
    ("passive without agent", "Hundreds of artillery shells were shipped to Russia in October.",
     {("transfer", None, "RUS")}, {"quantity": (100, 999)}),
    ("buyer as subject", "Algeria bought S-400 batteries from Moscow in 2021.",
     {("transfer", "RUS", "DZA")}, {"category": "air_defense"}),
    ("buyer seeking", "Cairo is seeking to acquire J-10C fighters from Beijing.",
     {("transfer", "CHN", "EGY")}, {"status": "planned"}),
    ("taking delivery", "Hanoi took delivery of two Kilo-class submarines from Russia.",
     {("transfer", "RUS", "VNM")}, {"category": "ship"}),
    ("nominal", "Turkey's sale of TB2 drones to Kenya drew criticism from Ethiopia's neighbours.",
     {("transfer", "TUR", "KEN")}, {}),
    ("origin adjective, use", "Iranian-made drones were used by Russian forces against Kyiv on Monday.",
     {("use", "IRN", "RUS")}, {}),
    ("coordination", "Baykar has sold its TB2 drones to Poland, Morocco and Nigeria.",
     {("transfer", "org:baykar", "POL"), ("transfer", "org:baykar", "MAR"), ("transfer", "org:baykar", "NGA")}, {}),
    ("relative clause", "The Shahed drones, which Tehran shipped to Moscow in August, have hit power stations.",
     {("transfer", "IRN", "RUS")}, {}),
    ("metonymy", "Pyongyang has sent artillery rockets to Moscow, the Pentagon said.",
     {("transfer", "PRK", "RUS")}, {"asserted_by": {"USA"}}),
    ("pronoun", "North Korea has denied any arms trade with Russia. But the country has sent thousands of "
                "shells to Russia since August, US officials said.",
     {("transfer", "PRK", "RUS")}, {"asserted_by": {"USA"}}),
    ("non-state", "Hezbollah received Almas anti-tank missiles from Iran, Israeli officials said.",
     {("transfer", "IRN", "org:hezbollah")}, {}),
    ("licensed production", "Russia will build Iranian-designed drones at a plant in Tatarstan with kits "
                            "supplied by Tehran.",
     {("production", "IRN", "RUS")}, {"status": "planned"}),
    ("factory abroad", "A plant assembling Ababil-2 drones opened in Dushanbe, built with Iranian help.",
     {("production", "IRN", "TJK")}, {}),
    ("training", "Iranian instructors are training Russian crews in Crimea to fly the drones.",
     {("training", "IRN", "RUS")}, {}),
    ("offer", "Seoul said it was ready to export K9 howitzers to any NATO member.",
     {("offer", "KOR", None)}, {}),
    ("use of a supplier's weapon", "Ukrainian crews used German IRIS-T missiles to down the drones.",
     {("use", "DEU", "UKR")}, {}),
    ("sanction", "Washington imposed sanctions on Shahed Aviation Industries Research Center on Tuesday.",
     {("sanction", "USA", "org:shahed-aviation-industries-research-center")}, {"status": "delivered"}),
    ("aggregate", "South Korea's arms exports reached $17 billion last year.",
     {("export_total", "KOR", None)}, {"value": 17e9}),
    ("speculative", "Egypt may sell rockets to Russia, a leaked document suggests.",
     {("transfer", "EGY", "RUS")}, {"status": "speculative"}),
    ("agreed", "Poland signed a contract to buy 180 K2 tanks from South Korea.",
     {("transfer", "KOR", "POL")}, {"status": "agreed"}),
    ("denial pointing back", "US officials said Iran had sent drones to Russia. Tehran rejected the accusation.",
     {("transfer", "IRN", "RUS")}, {"asserted_by": {"USA"}, "denied_by": {"IRN"}}),
    ("denial of own supply", "Kyiv said Belarus had shipped tanks to Russia. Minsk denied supplying any "
                             "weapons to Russia.",
     {("transfer", "BLR", "RUS")}, {"asserted_by": {"UKR"}, "denied_by": {"BLR"}}),
    ("values", "Indonesia signed a $8.1 billion deal with France for 42 Rafale fighters.",
     {("transfer", "FRA", "IDN")}, {"status": "agreed"}),
    ("raising verb", "North Korea is believed to have shipped more than a million artillery shells to Russia, "
                     "according to South Korean intelligence.",
     {("transfer", "PRK", "RUS")}, {"status": "delivered", "asserted_by": {"KOR"}}),
    ("request", "Kyiv has asked Washington for ATACMS missiles.",
     {("transfer", "USA", "UKR")}, {"status": "planned"}),
    ("offer to sell", "Iran has offered to sell Su-22 parts to any buyer.", {("offer", "IRN", None)}, {}),
    ("aid package", "The Pentagon announced a new $400 million military aid package for Ukraine that includes "
                    "Patriot interceptors.",
     {("transfer", "USA", "UKR")}, {"status": "planned", "system": "sys:patriot"}),
    ("denied report", "France denied reports that it had sold Rafale jets to Algeria.",
     {("transfer", "FRA", "DZA")}, {"denied_by": {"FRA"}}),
    ("supplied by", "Israel said Hamas fighters used rockets supplied by Iran in the attack.",
     {("use", "IRN", "org:hamas")}, {"asserted_by": {"ISR"}}),
    ("instructors sent", "Iran has also sent instructors to Crimea to help Russian troops operate the drones, "
                         "according to US intelligence.",
     {("training", "IRN", "RUS")}, {"asserted_by": {"USA"}}),
    ("sanctions agreed", "The EU on Thursday agreed new sanctions on Iranian individuals and entities.",
     {("sanction", "org:eu", "IRN")}, {}),
]

NO_EVENT = [
    ("domestic unveiling", "Iran unveiled a new hypersonic missile at a ceremony in Tehran on Tuesday."),
    ("parade", "North Korea paraded its largest ballistic missiles through Pyongyang at night."),
    ("refusal", "Israel will not supply Iron Dome batteries to Ukraine, its defence minister said."),
    ("grain", "Russia shipped 200,000 tonnes of wheat to Egypt and Turkey in March."),
    ("cooperation", "The two presidents pledged to deepen military cooperation during talks in Beijing."),
    ("civil aviation", "Air India agreed to buy 470 passenger jets from Airbus and Boeing."),
    ("exercise", "Chinese and Russian warships held joint drills in the Sea of Japan."),
    ("oil deal", "Saudi Arabia and Russia agreed to extend oil production cuts, energy ministers said on Sunday."),
    ("airliners", "The Boeing 737 MAX jets were delivered to Ryanair in Dublin last week."),
    ("own deployment", "The United States deployed two aircraft carriers to the eastern Mediterranean."),
    ("missile test", "North Korea launched a ballistic missile into the sea east of the Korean peninsula."),
]


def _events(extractor: Any, text: str) -> list[Any]:
    return extractor.extract(Document(text=text, published=PUBLISHED)).events


def _key(ev: Any) -> tuple[str, str | None, str | None]:
    return (ev.type, ev.supplier.id if ev.supplier else None, ev.recipient.id if ev.recipient else None)


@pytest.mark.parametrize(("name", "text", "expected", "checks"), CASES, ids=[c[0] for c in CASES])
def test_construction(extractor: Any, name: str, text: str, expected: set, checks: dict[str, Any]) -> None:
    events = _events(extractor, text)
    got = {_key(e) for e in events}
    assert expected <= got, f"{name}: expected {expected}, got {got}"
    main = next(e for e in events if _key(e) in expected)
    if "status" in checks:
        assert main.status == checks["status"]
    if "quantity" in checks:
        assert main.quantity is not None and (main.quantity.min, main.quantity.max) == checks["quantity"]
    if "system" in checks:
        assert checks["system"] in {i.system.id for i in main.items if i.system}
    if "category" in checks:
        assert checks["category"] in {i.category for i in main.items}
    if "value" in checks:
        assert main.value is not None and main.value.amount == pytest.approx(checks["value"])
    if "asserted_by" in checks:
        assert {s.actor.id for s in main.stance if s.polarity == "asserts"} >= checks["asserted_by"]
    if "denied_by" in checks:
        assert {s.actor.id for s in main.stance if s.polarity == "denies"} == checks["denied_by"]
    for ev in main.evidence:
        assert text[ev.start: ev.end] == ev.sentence


@pytest.mark.parametrize(("name", "text"), NO_EVENT, ids=[c[0] for c in NO_EVENT])
def test_not_an_event(extractor: Any, name: str, text: str) -> None:
    assert _events(extractor, text) == []
