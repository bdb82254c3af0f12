"""The five dev articles: every state, organisation, person and weapon
designation in them comes out of the real pipeline with the right id.

The expected lists were written by reading the articles; the articles
themselves are read from ../shared/eval/dev/ and never copied here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from armstrace.nlp import load_pipeline

DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "dev"
OUR_LABELS = {"STATE", "CAPITAL", "INSTITUTION", "DEMONYM", "ORG", "PERSON", "SYSTEM"}

# (mention as written, label, id) that must each appear at least once.
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "000_974f63aa8ebe519c.txt": [
        ("Iran", "STATE", "IRN"), ("the US", "STATE", "USA"), ("US", "STATE", "USA"),
        ("Yemen", "STATE", "YEM"), ("Venezuela", "STATE", "VEN"), ("Sudan", "STATE", "SDN"),
        ("Russia", "STATE", "RUS"), ("Ukraine", "STATE", "UKR"), ("Iraq", "STATE", "IRQ"),
        ("Turkey", "STATE", "TUR"), ("Azerbaijan", "STATE", "AZE"), ("Pakistan", "STATE", "PAK"),
        ("Ethiopia", "STATE", "ETH"),
        ("Washington", "CAPITAL", "USA"), ("Moscow", "CAPITAL", "RUS"), ("Tehran", "CAPITAL", "IRN"),
        ("American", "DEMONYM", "USA"), ("Iranian", "DEMONYM", "IRN"), ("Italian", "DEMONYM", "ITA"),
        ("Iran’s Foreign Ministry", "ORG", "org:iranian-foreign-ministry"),
        ("Iran’s army", "ORG", "org:iranian-army"),
        ("the Revolutionary Guards", "ORG", "org:irgc"),
        ("The New York Times", "ORG", "org:the-new-york-times"),
        ("La Repubblica", "ORG", "org:la-repubblica"),
        ("Tasnim", "ORG", "org:tasnim-news-agency"),
        ("Hossein Amir-Abdolhian", "PERSON", "person:hossein-amir-abdollahian"),
        ("Qumars Heydari", "PERSON", "person:kioumars-heydari"),
        ("Heydari", "PERSON", "person:kioumars-heydari"),
        ("Vladimir Putin", "PERSON", "person:vladimir-putin"),
        ("Ali Khamenei", "PERSON", "person:ali-khamenei"),
    ],
    "001_1ab948d8af93fdf9.txt": [
        ("Iran", "STATE", "IRN"), ("US", "STATE", "USA"), ("Russia", "STATE", "RUS"),
        ("Ukraine", "STATE", "UKR"), ("the Islamic Republic", "STATE", "IRN"),
        ("occupied Palestinian territories", "STATE", "PSE"),
        ("Tehran", "CAPITAL", "IRN"), ("Kremlin", "INSTITUTION", "RUS"),
        ("Iranian", "DEMONYM", "IRN"), ("Russian", "DEMONYM", "RUS"), ("Ukrainian", "DEMONYM", "UKR"),
        ("Iranian army ground forces", "ORG", "org:iranian-army-ground-forces"),
        ("Tasnim news agency", "ORG", "org:tasnim-news-agency"),
        ("Iran’s Foreign Ministry", "ORG", "org:iranian-foreign-ministry"),
        ("Iranian Foreign Ministry", "ORG", "org:iranian-foreign-ministry"),
        ("Kioumars Heydari", "PERSON", "person:kioumars-heydari"),
        ("Heydari", "PERSON", "person:kioumars-heydari"),
        ("Jake Sullivan", "PERSON", "person:jake-sullivan"), ("Sullivan", "PERSON", "person:jake-sullivan"),
        ("Hossein Amir-Abdollahian", "PERSON", "person:hossein-amir-abdollahian"),
        ("Amir-Abdollahian", "PERSON", "person:hossein-amir-abdollahian"),
        ("Dmytro Kuleba", "PERSON", "person:dmytro-kuleba"),
        ("Nasser Kanaani", "PERSON", "person:nasser-kanaani"),
        ("Dmitry Peskov", "PERSON", "person:dmitry-peskov"),
        ("Vladimir Putin", "PERSON", "person:vladimir-putin"),
        ("Ali Khamenei", "PERSON", "person:ali-khamenei"), ("Khamenei", "PERSON", "person:ali-khamenei"),
    ],
    "002_369236c584cd2fbd.txt": [
        ("Iran", "STATE", "IRN"), ("Tajikistan", "STATE", "TJK"), ("the U.S.", "STATE", "USA"),
        ("TEHRAN", "CAPITAL", "IRN"), ("Tehran", "CAPITAL", "IRN"), ("Dushanbe", "CAPITAL", "TJK"),
        ("Tajik", "DEMONYM", "TJK"), ("Iranian", "DEMONYM", "IRN"),
        ("Iran's Armed Forces", "ORG", "org:iranian-armed-forces"),
        ("Iranian Ministry of Defense", "ORG", "org:iranian-defense-ministry"),
        ("Fars News", "ORG", "org:fars-news-agency"),
        ("Mohammad Bagheri", "PERSON", "person:mohammad-bagheri"),
        ("Bagheri", "PERSON", "person:mohammad-bagheri"),
        ("Shirali Mirzo", "PERSON", "person:sherali-mirzo"),
        ("Ababil 2", "SYSTEM", "sys:ababil-2"),
    ],
    "003_4ed8cf4aa936dee3.txt": [
        ("Iran", "STATE", "IRN"), ("the United States", "STATE", "USA"),
        ("the United Kingdom", "STATE", "GBR"), ("France", "STATE", "FRA"), ("Germany", "STATE", "DEU"),
        ("Russia", "STATE", "RUS"), ("Ukraine", "STATE", "UKR"),
        ("Tehran", "CAPITAL", "IRN"), ("Moscow", "CAPITAL", "RUS"),
        ("Iranian", "DEMONYM", "IRN"), ("Iranian-made", "DEMONYM", "IRN"), ("Russian", "DEMONYM", "RUS"),
        ("Ukrainian", "DEMONYM", "UKR"),
        ("United Nations Security Council", "ORG", "org:un-security-council"),
        ("the EU", "ORG", "org:eu"),
        ("Defense Department", "ORG", "org:us-defense-department"),
        ("U.S. State Department", "ORG", "org:us-state-department"),
        ("Congress", "ORG", "org:us-congress"),
        ("Mehdi Farahi", "PERSON", "person:mehdi-farahi"), ("Farahi", "PERSON", "person:mehdi-farahi"),
        ("Josep Borrell", "PERSON", "person:josep-borrell"),
        ("Hossein Amir-Abdollahian", "PERSON", "person:hossein-amir-abdollahian"),
    ],
    "004_eb2700df027e5371.txt": [
        ("Iran", "STATE", "IRN"), ("Russia", "STATE", "RUS"), ("Ukraine", "STATE", "UKR"),
        ("U.S.", "STATE", "USA"), ("The United States", "STATE", "USA"),
        ("Moscow", "CAPITAL", "RUS"), ("Tehran", "CAPITAL", "IRN"),
        ("Iranian-designed", "DEMONYM", "IRN"), ("Iranian-made", "DEMONYM", "IRN"),
        ("Iranian", "DEMONYM", "IRN"), ("Russian", "DEMONYM", "RUS"), ("Ukrainian", "DEMONYM", "UKR"),
        ("Iranian Islamic Revolutionary Guard Corps", "ORG", "org:irgc"), ("IRGC", "ORG", "org:irgc"),
        ("Sepah News", "ORG", "org:sepah-news"),
        ("Radio Free Europe/Radio Liberty", "ORG", "org:radio-free-europe-radio-liberty"),
        ("The Washington Post", "ORG", "org:the-washington-post"),
        ("U.S. Treasury Department", "ORG", "org:us-treasury"),
        ("Shahed Aviation Industries Research Center", "ORG", "org:shahed-aviation-industries-research-center"),
        ("Shahed-series", "SYSTEM", "sys:shahed"),
        ("Fateh-110", "SYSTEM", "sys:fateh-110"), ("Zolfaghar", "SYSTEM", "sys:zolfaghar"),
    ],
}

# Ids the pipeline may also give, with why. Anything else with one of our
# labels is a wrong resolution and fails the test.
TOLERATED: dict[str, dict[str, str]] = {
    "002_369236c584cd2fbd.txt": {},
    "003_4ed8cf4aa936dee3.txt": {
        # "the Ministry of Defense" / "Defense Ministry" are Iran's here, which only
        # coreference could tell; they get slug ids of their own.
        "org:ministry-of-defense": "no coreference", "org:defense-ministry": "no coreference",
    },
    "004_eb2700df027e5371.txt": {"org:amn": "the outlet's name in the page header"},
    "001_1ab948d8af93fdf9.txt": {"person:joe-biden": "'[US President Joe] Biden'"},
}


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dev_article_entities(nlp, name: str) -> None:
    path = DEV / name
    if not path.exists():
        pytest.skip(f"{path} not found (the shared dev set is not mounted)")
    doc = nlp(path.read_text(encoding="utf-8"))
    got = {(e.text, e.label_, e.kb_id_) for e in doc.ents}
    missing = [item for item in EXPECTED[name] if item not in got]
    assert not missing, f"missing in {name}: {missing}"
    allowed = {kb for _, _, kb in EXPECTED[name]} | set(TOLERATED.get(name, {}))
    wrong = sorted({(t, label, kb) for t, label, kb in got if label in OUR_LABELS and kb not in allowed})
    assert not wrong, f"unexpected ids in {name}: {wrong}"


def test_dev_surnames_follow_full_names(nlp) -> None:
    """'Heydari' after 'Qumars Heydari', 'Bagheri' after 'Mohammad Bagheri': every surname-only mention."""
    for name, person_id, surname in (("000_974f63aa8ebe519c.txt", "person:kioumars-heydari", "Heydari"),
                                     ("002_369236c584cd2fbd.txt", "person:mohammad-bagheri", "Bagheri"),
                                     ("003_4ed8cf4aa936dee3.txt", "person:mehdi-farahi", "Farahi")):
        path = DEV / name
        if not path.exists():
            pytest.skip("shared dev set not mounted")
        doc = nlp(path.read_text(encoding="utf-8"))
        surname_spans = [e for e in doc.ents if e.text == surname]
        assert surname_spans, f"no {surname} in {name}"
        assert all(e.label_ == "PERSON" and e.kb_id_ == person_id for e in surname_spans)
