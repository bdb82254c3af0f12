"""The catalogues as data: what they hold, how a bad file is reported, how an
analyst extends them (files, folders, $ARMSTRACE_CATALOG), and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pycountry
import pytest

from armstrace.knowledge import Catalog, CatalogError, Entity, Resolver, default_catalog
from armstrace.ontology import item_categories

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).parent / "armstrace")]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


# ---------------------------------------------------------------- what the bundled catalogues hold


def test_sizes(catalog: Catalog) -> None:
    counts = catalog.count()
    assert counts["org"] >= 150
    assert counts["person"] >= 150
    assert counts["system"] >= 400


def test_every_iso_state_is_there_with_alpha3_ids(catalog: Catalog) -> None:
    for country in pycountry.countries:
        entity = catalog.get(country.alpha_3)
        assert entity is not None and entity.kind == "state" and entity.state == country.alpha_3


def test_ids_have_the_spec_form(catalog: Catalog) -> None:
    import re

    forms = {"state": r"[A-Z]{3}", "org": r"org:[a-z0-9]+(-[a-z0-9]+)*", "person": r"person:[a-z0-9]+(-[a-z0-9]+)*",
             "system": r"sys:[a-z0-9]+(-[a-z0-9]+)*"}
    for entity in catalog:
        assert re.fullmatch(forms[entity.kind], entity.id), entity.id


def test_spec_example_ids_exist(catalog: Catalog) -> None:
    for entity_id in ("IRN", "RUS", "TJK", "USA", "UKR", "VEN", "SDN", "ETH", "TUR", "PRK", "org:irgc",
                      "org:houthis", "org:hezbollah", "org:shahed-aviation-industries-research-center",
                      "org:us-treasury", "org:eu", "org:nato", "person:kioumars-heydari",
                      "person:hossein-amir-abdollahian", "person:jake-sullivan", "person:nasser-kanaani",
                      "person:dmitry-peskov", "person:mohammad-bagheri", "person:mehdi-farahi",
                      "person:josep-borrell", "person:john-kirby", "person:vladimir-putin", "person:ali-khamenei",
                      "sys:shahed-136", "sys:mohajer-6", "sys:ababil-2", "sys:fateh-110", "sys:bayraktar-tb2"):
        assert catalog.get(entity_id) is not None, entity_id


def test_categories_follow_the_spec(catalog: Catalog) -> None:
    allowed = set(item_categories())
    for entity in catalog.entities("system"):
        assert entity.category in allowed, entity.id
    for system_id in ("sys:shahed-131", "sys:shahed-136", "sys:lancet", "sys:switchblade-600", "sys:iai-harop"):
        assert catalog.get(system_id).category == "loitering_munition", system_id
    for system_id in ("sys:mohajer-6", "sys:ababil-2", "sys:bayraktar-tb2", "sys:shahed-129", "sys:orlan-10"):
        assert catalog.get(system_id).category == "uav", system_id


def test_entity_fields(catalog: Catalog) -> None:
    iran = catalog.get("IRN")
    assert isinstance(iran, Entity) and iran.name == "Iran" and iran.state == "IRN"
    assert "Iranian" in iran.demonyms and "Tehran" in iran.capitals
    shahed = catalog.get("sys:shahed-136")
    assert shahed.state == "IRN" and shahed.maker == "org:shahed-aviation-industries-research-center"
    assert "Geran-2" in shahed.aliases
    kanaani = catalog.get("person:nasser-kanaani")
    assert kanaani.office and kanaani.state == "IRN" and kanaani.start
    assert catalog.get("org:irgc").state == "IRN"


def test_item_terms_are_loaded(catalog: Catalog) -> None:
    assert catalog.item_terms["drone"] == "uav"
    assert catalog.item_terms["kamikaze drone"] == "loitering_munition"


def test_search_ranks_exact_names_first(catalog: Catalog) -> None:
    assert catalog.search("shahed-136")[0].id == "sys:shahed-136"
    assert catalog.search("Kremlin")[0].id == "RUS"
    found = [e.id for e in catalog.search("bagheri", kind="person")]
    assert {"person:mohammad-bagheri", "person:ali-bagheri-kani"} <= set(found)
    assert all(e.kind == "system" for e in catalog.search("mohajer", kind="system"))


def test_resolver_api(catalog: Catalog) -> None:
    resolver = Resolver(catalog)
    found = resolver.resolve("Shahed 136")
    assert (found.id, found.kind, found.state, found.category) == (
        "sys:shahed-136", "system", "IRN", "loitering_munition")
    assert resolver.new_id("Xyz-5", kind="system") == "sys:xyz-5"
    assert resolver.new_id("Shahed 136", kind="system") == "sys:shahed-136"
    assert resolver.new_id("the Fatemiyoun Division's", kind="org") == "org:fatemiyoun-brigade"
    assert resolver.new_id("Harakat al-Sabireen", kind="org") == "org:harakat-al-sabireen"
    assert resolver.state_of("person:nasser-kanaani") == "IRN"
    assert resolver.state_of("org:irgc") == "IRN"
    assert resolver.state_of("IRN") == "IRN"
    assert resolver.state_of("org:quds-force") == "IRN"
    assert resolver.state_of("org:iranian-drone-makers-union") == "IRN"  # not catalogued: read from its name
    assert resolver.state_of("org:nato") is None
    with pytest.raises(ValueError):
        resolver.new_id("Atlantis", kind="state")


# ---------------------------------------------------------------- a bad file is one clear line


BAD_FILES = {
    "unknown field": ("systems:\n  - {name: Xyz-5, category: uav}\n  - {name: Xyz-6, categry: uav}\n", 3,
                      "did you mean 'category'"),
    "bad category": ("systems:\n  - name: Xyz-5\n    category: drone\n", 3, "unknown category"),
    "unknown origin": ("systems:\n  - {name: Xyz-5, category: uav, origin: XXX}\n", 2, "not a known state"),
    "unknown maker": ("systems:\n  - {name: Xyz-5, category: uav, maker: org:nobody}\n", 2,
                      "not a known organisation"),
    "missing name": ("orgs:\n  - {aliases: [Foo]}\n", 2, "missing required field 'name'"),
    "bad id": ("orgs:\n  - {id: ORG:Foo Bar, name: Foo}\n", 2, "id must look like"),
    "duplicate": ("people:\n  - {name: Jan Novak}\n  - {name: Jan Novak}\n", 3, "defined twice"),
    "not yaml": ("systems:\n  - {name: Xyz-5, category: uav\n  - {name: Xyz-6}\n", 3, "not valid YAML"),
    "unknown section": ("weapons:\n  - {name: Xyz-5}\n", 1, "unknown section 'weapons'"),
    "alias taken": ("systems:\n  - {name: Xyz-5, category: uav}\n  - {name: Xyz-7, aliases: [Geran-2], "
                    "category: uav}\n", 3, "also a name of sys:shahed-136"),
    "bad date": ("people:\n  - {name: Jan Novak, start: last year}\n", 2, "must be a date"),
    "bad state id": ("states:\n  - {id: Iran, name: Iran}\n", 2, "three upper-case letters"),
    "not a mapping": ("orgs:\n  - Foo Corp\n", 2, "must be a mapping"),
    "bad item term": ("item_terms:\n  laser cannon: laser\n", 2, "unknown category"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_entries_name_file_and_line(tmp_path: Path, case: str) -> None:
    text, line, message = BAD_FILES[case]
    path = tmp_path / "extra.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        Catalog.load(extra=[path], use_env=False)
    shown = str(caught.value)
    assert "\n" not in shown
    assert shown.startswith(f"{path}:{line}: "), shown
    assert message in shown
    assert isinstance(caught.value, ValueError)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such catalogue file"):
        Catalog.load(extra=[tmp_path / "nope.yaml"], use_env=False)


# ---------------------------------------------------------------- extending the catalogues


EXTRA = """
orgs:
  - {name: Zagros Drone Works, aliases: [ZDW], type: manufacturer, state: IRN}
systems:
  - {name: Xyz-5, aliases: [Xyz 5 Hunter], category: loitering_munition, origin: IRN, maker: org:zagros-drone-works}
  - {id: sys:shahed-136, aliases: [Shahed-136M]}
people:
  - {name: Parviz Example, office: Drone programme director, state: IRN, start: 2024}
"""


def test_extra_file_adds_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(EXTRA, encoding="utf-8")
    catalog = Catalog.load(extra=[path], use_env=False)
    resolver = Resolver(catalog)
    found = resolver.resolve("Xyz 5")
    assert found is not None and found.id == "sys:xyz-5" and found.category == "loitering_munition"
    assert resolver.state_of("sys:xyz-5") == "IRN"
    assert resolver.resolve("Shahed-136M").id == "sys:shahed-136"
    assert resolver.resolve("Geran-2").id == "sys:shahed-136"  # the bundled aliases stay
    assert resolver.resolve("Example", kind="person").id == "person:parviz-example"
    assert catalog.get("sys:shahed-136").source.startswith(("armstrace/", "pycountry"))
    assert catalog.get("sys:xyz-5").source == f"{path}:5"


def test_extra_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yaml").write_text("orgs:\n  - {name: Zagros Drone Works, state: IRN}\n", encoding="utf-8")
    (folder / "sub" / "b.yml").write_text(
        "systems:\n  - {name: Xyz-5, category: uav, maker: org:zagros-drone-works}\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a catalogue", encoding="utf-8")
    catalog = Catalog.load(extra=[folder], use_env=False)
    assert catalog.get("sys:xyz-5").maker == "org:zagros-drone-works"


def test_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(EXTRA, encoding="utf-8")
    monkeypatch.setenv("ARMSTRACE_CATALOG", str(path))
    assert default_catalog().get("sys:xyz-5") is not None
    monkeypatch.delenv("ARMSTRACE_CATALOG")
    assert default_catalog().get("sys:xyz-5") is None


def test_gazetteer_uses_the_extended_catalogue(tmp_path: Path) -> None:
    from armstrace.nlp import load_pipeline

    path = tmp_path / "extra.yaml"
    path.write_text(EXTRA, encoding="utf-8")
    nlp = load_pipeline(Catalog.load(extra=[path], use_env=False))
    doc = nlp("Zagros Drone Works delivered Xyz-5 munitions, Parviz Example said.")
    got = {(e.text, e.label_, e.kb_id_) for e in doc.ents}
    assert ("Zagros Drone Works", "ORG", "org:zagros-drone-works") in got
    assert ("Xyz-5", "SYSTEM", "sys:xyz-5") in got
    assert ("Parviz Example", "PERSON", "person:parviz-example") in got
    assert doc._.armstrace_categories == {}  # known systems carry their category in the catalogue


# ---------------------------------------------------------------- the CLI, in a real subprocess


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("ARMSTRACE_CATALOG", None) if env is None else None
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=full_env, timeout=120,
                          cwd=ROOT)


def test_cli_entities_search() -> None:
    done = _run("entities", "shahed", "--kind", "system", "--limit", "5")
    assert done.returncode == 0, done.stderr
    assert "sys:shahed-136" in done.stdout and "Geran-2" in done.stdout
    assert "org:" not in done.stdout


def test_cli_entity_resolves_a_name(tmp_path: Path) -> None:
    done = _run("entity", "Amir-Abdolhian", "--db", str(tmp_path / "none.db"))
    assert done.returncode == 0, done.stderr
    assert "person:hossein-amir-abdollahian" in done.stdout and "Foreign Minister" in done.stdout
    assert "events: not shown" in done.stderr
    assert not (tmp_path / "none.db").exists()  # looking does not create a database


def test_cli_catalog_option_and_env(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(EXTRA, encoding="utf-8")
    done = _run("entity", "sys:xyz-5", "--catalog", str(path), "--db", str(tmp_path / "none.db"))
    assert done.returncode == 0, done.stderr
    assert "Zagros Drone Works" in done.stdout and "loitering_munition" in done.stdout
    done = _run("entities", "xyz", env={"ARMSTRACE_CATALOG": str(path)})
    assert done.returncode == 0 and "sys:xyz-5" in done.stdout


def test_cli_bad_catalog_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("systems:\n  - {name: Xyz-5, categry: uav}\n", encoding="utf-8")
    done = _run("entities", "--catalog", str(path))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"{path}:2:" in lines[0] and "Traceback" not in done.stderr


def test_cli_unknown_entity(tmp_path: Path) -> None:
    done = _run("entity", "Atlantis Drone Corps", "--db", str(tmp_path / "none.db"))
    assert done.returncode == 1 and "no entity" in done.stderr


def test_cli_help_has_examples() -> None:
    for command in ("entities", "entity"):
        done = _run(command, "--help")
        assert done.returncode == 0 and "armstrace " + command in done.stdout


def test_cli_entity_lists_its_events(tmp_path: Path) -> None:
    store_module = pytest.importorskip("armstrace.store")
    db = tmp_path / "news.db"
    try:
        store = store_module.open_store(str(db))
        store.upsert_event({"id": "ev-test-1", "type": "transfer", "supplier": {"id": "IRN", "name": "Iran"},
                            "recipient": {"id": "RUS", "name": "Russia"},
                            "items": [{"category": "loitering_munition",
                                       "system": {"id": "sys:shahed-136", "name": "Shahed-136"}}],
                            "status": "delivered", "stance": [], "sources": 1})
        store.close()
    except Exception as exc:  # the store is another engineer's, still moving
        pytest.skip(f"store API not usable here: {exc}")
    done = _run("entity", "Tehran", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "events" in done.stdout and "ev-test-1" in done.stdout and "Russia" in done.stdout
    done = _run("entity", "Geran-2", "--db", str(db))
    assert "ev-test-1" in done.stdout
    done = _run("entity", "UKR", "--db", str(db))
    assert "events: none" in done.stdout
