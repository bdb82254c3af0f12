"""The catalogues: states, organisations, people and weapon systems, as data.

    from armstrace.knowledge import Catalog, default_catalog
    cat = default_catalog()                       # bundled files + $ARMSTRACE_CATALOG
    cat = Catalog.load(extra=[Path("mine.yaml")])  # bundled files + yours
    cat.get("sys:shahed-136").aliases

The bundled files live in `armstrace/knowledge/data/*.yaml`; the format is
described in docs/knowledge.md. States start from pycountry (every ISO
3166-1 entry, ids alpha-3) and `states.yaml` adds what pycountry lacks:
everyday names, demonyms, capitals and the institutions that stand for a
state in the news ("the Kremlin").

A file may hold any of the sections `states`, `orgs`, `org_templates`,
`people`, `systems`, `item_terms`, `needs_context`. An entry whose id is
already known from an earlier file extends that entity (its aliases are
added, the fields it gives replace the old ones), so that an analyst can
add a spelling without copying the entry. Everything is checked on load;
a bad entry raises `CatalogError` naming the file and line.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from armstrace.knowledge.text import fold, slug
from armstrace.ontology import item_categories

KINDS = ("state", "org", "person", "system")
ID_PREFIX = {"org": "org:", "person": "person:", "system": "sys:"}
ENV_VAR = "ARMSTRACE_CATALOG"

# Bundled files, in load order: states first (everything else may point at
# a state), then organisations (people and systems point at makers and
# employers).
BUNDLED_FILES = (
    "states.yaml",
    "org_templates.yaml",
    "orgs.yaml",
    "media.yaml",
    "people.yaml",
    "systems_uav.yaml",
    "systems_missiles.yaml",
    "systems_land.yaml",
    "systems_air_sea.yaml",
    "item_terms.yaml",
)

SECTIONS = ("states", "orgs", "org_templates", "people", "systems", "item_terms", "terms", "needs_context")
SECTION_KIND = {"states": "state", "orgs": "org", "people": "person", "systems": "system"}

# Fields each kind of entry may carry: name -> list field?
FIELDS: dict[str, dict[str, bool]] = {
    "state": {
        "id": False, "name": False, "aliases": True, "demonyms": True, "capitals": True,
        "institutions": True, "ambiguous": True, "not_near": True, "note": False,
    },
    "org": {
        "id": False, "name": False, "aliases": True, "type": False, "state": False, "parent": False,
        "ambiguous": True, "note": False,
    },
    "person": {
        "id": False, "name": False, "aliases": True, "surname": True, "office": False, "state": False,
        "org": False, "start": False, "end": False, "note": False,
    },
    "system": {
        "id": False, "name": False, "aliases": True, "category": False, "origin": False, "maker": False,
        "ambiguous": True, "note": False,
    },
}
TEMPLATE_FIELDS = {"name": False, "aliases": True, "type": False, "states": True, "note": False}

_STATE_ID = re.compile(r"^[A-Z]{3}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class CatalogError(ValueError):
    """A catalogue file that cannot be used; str() is one line: 'file:line: what is wrong'."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}".replace("\n", " "))
        self.path = str(path) if path is not None else None
        self.line = line


@dataclass
class Entity:
    """One catalogue entry. `state` is the ISO3 the entity belongs to or speaks
    for: a state's own id, an organisation's or a person's state, a system's
    origin. Fields that do not apply to a kind stay None or empty."""

    id: str
    kind: str
    name: str
    aliases: list[str] = field(default_factory=list)  # other names; `names()` gives the name and these
    state: str | None = None
    category: str | None = None
    maker: str | None = None
    office: str | None = None
    start: str | None = None
    end: str | None = None
    demonyms: list[str] = field(default_factory=list)
    capitals: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    subtype: str | None = None  # organisations: armed_forces, ministry, manufacturer, armed_group, bloc, media…
    org: str | None = None  # people: the organisation they hold office in
    surnames: list[str] = field(default_factory=list)  # people: what a surname-only mention looks like
    ambiguous: list[str] = field(default_factory=list)  # aliases that need context (see docs/knowledge.md)
    not_near: list[str] = field(default_factory=list)  # states: words that mean another place of this name
    source: str = ""  # "file:line" of the entry that defined it

    def names(self) -> list[str]:
        """The canonical name first, then the aliases."""
        return [self.name, *[a for a in self.aliases if a != self.name]]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "name": self.name, "aliases": self.aliases}
        for key in ("state", "category", "maker", "office", "start", "end", "subtype", "org"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        for key in ("demonyms", "capitals", "institutions", "surnames"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass
class _Raw:
    """An entry as read from a file, with where it came from (for errors)."""

    kind: str
    data: dict[str, Any]
    path: str
    line: int
    field_lines: dict[str, int]

    def error(self, message: str, key: str | None = None) -> CatalogError:
        return CatalogError(message, self.path, self.field_lines.get(key or "", self.line))


# ---------------------------------------------------------------- reading YAML with line numbers


def _compose(path: str, text: str) -> yaml.Node | None:
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CatalogError(f"not valid YAML: {exc.problem or exc.context}", path, line) from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {exc}", path) from None


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


_STR_TAG = "tag:yaml.org,2002:str"


def _value(node: yaml.Node) -> Any:
    """A node as plain Python (scalars typed the YAML way)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR_TAG:  # nearly every scalar: skip the constructor, it is the slow part
            return node.value
        return _CONSTRUCTOR.construct_object(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return {_value(k): _value(v) for k, v in node.value}
    return [_value(v) for v in node.value]


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _entries(path: str, node: yaml.Node, section: str) -> Iterator[_Raw]:
    if not isinstance(node, yaml.SequenceNode):
        raise CatalogError(f"section '{section}' must be a list of entries", path, _line(node))
    kind = SECTION_KIND.get(section, "template")
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            raise CatalogError(f"an entry of '{section}' must be a mapping (name: ..., aliases: [...])",
                               path, _line(item))
        data: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in item.value:
            key = _value(key_node)
            if not isinstance(key, str):
                raise CatalogError(f"field names must be text, got {key!r}", path, _line(key_node))
            if key in data:
                raise CatalogError(f"field '{key}' given twice", path, _line(key_node))
            data[key] = _value(value_node)
            lines[key] = _line(key_node)
        yield _Raw(kind=kind, data=data, path=path, line=_line(item), field_lines=lines)


def _read_file(path: str, text: str) -> tuple[list[_Raw], dict[str, tuple[str, int]], list[str]]:
    """Entries, item terms (term -> (category, line)) and needs-context words of one file."""
    root = _compose(path, text)
    _CONSTRUCTOR.constructed_objects.clear()  # it remembers every node it built; keep it from growing
    raws: list[_Raw] = []
    terms: dict[str, tuple[str, int]] = {}
    needs_context: list[str] = []
    if root is None:
        return raws, terms, needs_context
    if not isinstance(root, yaml.MappingNode):
        raise CatalogError(f"a catalogue file is a mapping of sections ({', '.join(SECTIONS[:5])}, ...)",
                           path, _line(root))
    for key_node, value_node in root.value:
        section = _value(key_node)
        if section not in SECTIONS:
            hint = difflib.get_close_matches(str(section), SECTIONS, n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else f"; known sections: {', '.join(SECTIONS)}"
            raise CatalogError(f"unknown section '{section}'{tip}", path, _line(key_node))
        if value_node.tag.endswith(":null"):
            continue
        if section in ("item_terms", "terms"):
            if not isinstance(value_node, yaml.MappingNode):
                raise CatalogError(f"section '{section}' must map a phrase to a category", path, _line(value_node))
            for term_node, category_node in value_node.value:
                term, category = _value(term_node), _value(category_node)
                if not isinstance(term, str) or not isinstance(category, str):
                    raise CatalogError("an item term maps a phrase to a category name", path, _line(term_node))
                terms[term] = (category, _line(term_node))
        elif section == "needs_context":
            words = _value(value_node)
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise CatalogError("needs_context must be a list of words", path, _line(value_node))
            needs_context.extend(words)
        else:
            raws.extend(_entries(path, value_node, section))
    return raws, terms, needs_context


# ---------------------------------------------------------------- checking entries


def _text(raw: _Raw, key: str, required: bool = False) -> str | None:
    value = raw.data.get(key)
    if value is None:
        if required:
            raise raw.error(f"missing required field '{key}'")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # "name: 2000" is a designation, not a number
    if not isinstance(value, str) or not value.strip():
        raise raw.error(f"field '{key}' must be non-empty text, got {value!r}", key)
    return value.strip()


def _texts(raw: _Raw, key: str) -> list[str]:
    value = raw.data.get(key)
    if value is None:
        return []
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        raise raw.error(f"field '{key}' must be a list of names, got {value!r}", key)
    out: list[str] = []
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise raw.error(f"field '{key}' must list non-empty names, got {item!r}", key)
        if not fold(item):
            raise raw.error(f"name {item!r} in '{key}' has no letters or digits", key)
        out.append(item.strip())
    return out


def _check_fields(raw: _Raw, allowed: dict[str, bool]) -> None:
    for key in raw.data:
        if key not in allowed:
            hint = difflib.get_close_matches(key, list(allowed), n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else f"; allowed: {', '.join(allowed)}"
            raise raw.error(f"unknown field '{key}' for a {raw.kind} entry{tip}", key)


def _date(raw: _Raw, key: str) -> str | None:
    value = raw.data.get(key)
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if not _DATE.match(text):
        raise raw.error(f"field '{key}' must be a date YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}", key)
    return text


def _entity_id(raw: _Raw, kind: str, name: str) -> str:
    given = _text(raw, "id")
    if kind == "state":
        if given is None:
            raise raw.error("a state entry needs its ISO 3166-1 alpha-3 'id' (e.g. IRN)")
        if not _STATE_ID.match(given):
            raise raw.error(f"state id must be three upper-case letters (ISO 3166-1 alpha-3), got {given!r}", "id")
        return given
    prefix = ID_PREFIX[kind]
    if given is None:
        made = slug(name)
        if not made:
            raise raw.error(f"cannot make an id from name {name!r}", "name")
        return prefix + made
    if not given.startswith(prefix) or given[len(prefix):] != slug(given[len(prefix):]):
        raise raw.error(f"{kind} id must look like '{prefix}lower-case-slug', got {given!r}", "id")
    return given


# ---------------------------------------------------------------- the catalogue


class Catalog:
    """All entities, indexed by id and by folded name. Build with `Catalog.load()`."""

    def __init__(self) -> None:
        self._by_id: dict[str, Entity] = {}
        self._names: dict[str, list[tuple[Entity, str]]] = {}
        self.item_terms: dict[str, str] = {}
        self.needs_context: list[str] = []
        self.sources: list[str] = []

    # -- loading

    @classmethod
    def load(cls, extra: Sequence[str | Path] | None = None, use_env: bool = True,
             bundled: bool = True) -> Catalog:
        """The bundled catalogues, then each extra file or folder of YAML files,
        then the paths listed in $ARMSTRACE_CATALOG (separated by the OS path separator)."""
        files: list[tuple[str, str]] = []
        if bundled:
            data_dir = resources.files("armstrace.knowledge").joinpath("data")
            for name in BUNDLED_FILES:
                resource = data_dir.joinpath(name)
                files.append((f"armstrace/knowledge/data/{name}", resource.read_text(encoding="utf-8")))
        paths: list[str | Path] = list(extra or [])
        if use_env and os.environ.get(ENV_VAR):
            paths.extend(p for p in os.environ[ENV_VAR].split(os.pathsep) if p.strip())
        for path in _expand(paths):
            try:
                files.append((str(path), path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise CatalogError(f"cannot read: {exc.__class__.__name__}: {exc}", path) from None
        catalog = cls()
        catalog._build(files, with_pycountry=bundled)
        return catalog

    def _build(self, files: list[tuple[str, str]], with_pycountry: bool) -> None:
        raws: list[_Raw] = []
        terms: dict[str, tuple[str, str, int]] = {}
        for path, text in files:
            file_raws, file_terms, needs_context = _read_file(path, text)
            raws.extend(file_raws)
            for term, (category, line) in file_terms.items():
                terms[term] = (category, path, line)
            self.needs_context.extend(needs_context)
            self.sources.append(path)
        if with_pycountry:
            self._add_pycountry_states()
        # Templates before organisations, so that an explicit entry extends what a template made.
        order = {"state": 0, "template": 1, "org": 2, "person": 3, "system": 4}
        defined_in: dict[str, str] = {}  # id -> file that defined it, to catch duplicates within one file
        for raw in sorted(raws, key=lambda r: order[r.kind]):  # stable: file order kept within a kind
            if raw.kind == "template":
                for entity_raw in self._expand_template(raw):
                    self._add_raw(entity_raw, defined_in)
            else:
                self._add_raw(raw, defined_in)
        self._check_references(raws)
        categories = set(item_categories())
        for term, (category, path, line) in terms.items():
            if category not in categories:
                raise CatalogError(f"item term {term!r}: unknown category {category!r}", path, line)
            self.item_terms[term] = category
        self._index()

    def _add_pycountry_states(self) -> None:
        for country in _iso_countries():
            names = [country.get("common_name"), country["name"], country.get("official_name")]
            # "Korea, Republic of" style names are index forms nobody writes in prose.
            usable = [n for n in names if n and ", " not in n and "(" not in n]
            name = usable[0] if usable else country["name"]
            alpha_3 = country["alpha_3"]
            self._by_id[alpha_3] = Entity(
                id=alpha_3, kind="state", name=name, aliases=[n for n in dict.fromkeys(usable) if n != name],
                state=alpha_3, source="pycountry",
            )

    def _expand_template(self, raw: _Raw) -> Iterator[_Raw]:
        _check_fields(raw, TEMPLATE_FIELDS)
        name_pattern = _text(raw, "name", required=True)
        assert name_pattern is not None
        alias_patterns = _texts(raw, "aliases")
        for state_id in _texts(raw, "states"):
            state = self._by_id.get(state_id)
            if state is None or state.kind != "state":
                raise raw.error(f"unknown state id {state_id!r}", "states")
            if not state.demonyms and "{demonym}" in name_pattern:
                raise raw.error(f"state {state_id} has no demonym for template {name_pattern!r}", "states")
            fill = {"demonym": state.demonyms[0] if state.demonyms else "", "state": state.name}
            aliases: list[str] = []
            for pattern in [name_pattern, *alias_patterns]:
                for demonym in state.demonyms or [""]:
                    try:
                        aliases.append(pattern.format(demonym=demonym, state=state.name))
                    except (KeyError, IndexError, ValueError):
                        raise raw.error(f"template {pattern!r}: only {{demonym}} and {{state}} "
                                        "can be filled in", "aliases") from None
            data = {"name": name_pattern.format(**fill), "aliases": list(dict.fromkeys(aliases)),
                    "state": state_id}
            if raw.data.get("type"):
                data["type"] = raw.data["type"]
            yield _Raw(kind="org", data=data, path=raw.path, line=raw.line, field_lines=raw.field_lines)

    def _add_raw(self, raw: _Raw, defined_in: dict[str, str]) -> None:
        kind = raw.kind
        _check_fields(raw, FIELDS[kind])
        existing_name = None
        if isinstance(raw.data.get("id"), str):
            found = self._by_id.get(raw.data["id"])
            existing_name = found.name if found and found.kind == kind else None
        name = _text(raw, "name", required=existing_name is None) or existing_name
        assert name is not None
        entity_id = _entity_id(raw, kind, name)
        if defined_in.get(entity_id) == raw.path:
            raise raw.error(f"{entity_id} is defined twice in this file")
        defined_in[entity_id] = raw.path
        entity = self._by_id.get(entity_id)
        source = f"{raw.path}:{raw.line}"
        if entity is None:
            entity = Entity(id=entity_id, kind=kind, name=name, source=source)
            self._by_id[entity_id] = entity
        elif entity.kind != kind:
            raise raw.error(f"{entity_id} is already a {entity.kind}, not a {kind}")
        else:
            entity.source = source if entity.source == "pycountry" else entity.source
        if "name" in raw.data:
            if entity.name != name and entity.name not in entity.aliases:
                entity.aliases.insert(0, entity.name)  # the old name stays findable
            entity.name = name
        for alias in _texts(raw, "aliases"):
            if alias not in entity.aliases:
                entity.aliases.append(alias)
        entity.aliases = [a for a in entity.aliases if a != entity.name]  # the name itself is not an alias
        entity.ambiguous.extend(a for a in _texts(raw, "ambiguous") if a not in entity.ambiguous)
        if kind == "state":
            entity.state = entity_id
            for key in ("demonyms", "capitals", "institutions", "not_near"):
                getattr(entity, key).extend(v for v in _texts(raw, key) if v not in getattr(entity, key))
        elif kind == "org":
            entity.subtype = _text(raw, "type") or entity.subtype
            entity.state = self._state_ref(raw, "state") or entity.state
            entity.org = self._org_ref(raw, "parent") or entity.org
        elif kind == "person":
            entity.office = _text(raw, "office") or entity.office
            entity.org = self._org_ref(raw, "org") or entity.org
            entity.state = self._state_ref(raw, "state") or entity.state
            if entity.state is None and entity.org:
                entity.state = self._by_id[entity.org].state
            entity.start = _date(raw, "start") or entity.start
            entity.end = _date(raw, "end") or entity.end
            surnames = _texts(raw, "surname")
            if surnames or "surname" in raw.data:
                # An explicit empty list means "never match on a surname alone" (Moon Jae-in).
                entity.surnames = surnames
            elif not entity.surnames:
                words = name.split()
                entity.surnames = [words[-1]] if len(words) > 1 else []
        else:
            category = _text(raw, "category", required=entity.category is None)
            if category is not None:
                if category not in item_categories():
                    hint = difflib.get_close_matches(category, item_categories(), n=1)
                    tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise raw.error(f"unknown category {category!r}{tip}", "category")
                entity.category = category
            entity.state = self._state_ref(raw, "origin") or entity.state
            maker = _text(raw, "maker")
            if maker is not None:
                entity.maker = maker  # checked once every organisation is known

    def _state_ref(self, raw: _Raw, key: str) -> str | None:
        value = _text(raw, key)
        if value is None:
            return None
        found = self._by_id.get(value)
        if found is None or found.kind != "state":
            raise raw.error(f"field '{key}': {value!r} is not a known state id (ISO 3166-1 alpha-3)", key)
        return value

    def _org_ref(self, raw: _Raw, key: str) -> str | None:
        value = _text(raw, key)
        if value is None:
            return None
        found = self._by_id.get(value)
        if found is None or found.kind != "org":
            raise raw.error(f"field '{key}': {value!r} is not a known organisation id", key)
        return value

    def _check_references(self, raws: Iterable[_Raw]) -> None:
        for raw in raws:
            if raw.kind == "system" and raw.data.get("maker"):
                maker = str(raw.data["maker"])
                found = self._by_id.get(maker)
                if found is None or found.kind != "org":
                    raise raw.error(f"field 'maker': {maker!r} is not a known organisation id", "maker")
        # Two systems or two organisations answering to one name would make
        # resolution a coin toss; people may share names (context decides).
        seen: dict[tuple[str, str], Entity] = {}
        for entity in self._by_id.values():
            if entity.kind not in ("system", "org"):
                continue
            for alias in entity.names():
                key = (entity.kind, fold(alias))
                other = seen.setdefault(key, entity)
                if other is not entity:
                    raise CatalogError(
                        f"name {alias!r} of {entity.id} is also a name of {other.id} ({other.source}); "
                        "one name must mean one entity", *_split_source(entity.source))

    # -- indexes

    def _index(self) -> None:
        self._names.clear()
        for entity in self._by_id.values():
            for alias in entity.names():
                self._add_name(alias, entity, "name")
            for demonym in entity.demonyms:
                self._add_name(demonym, entity, "demonym")
            for capital in entity.capitals:
                self._add_name(capital, entity, "capital")
            for institution in entity.institutions:
                self._add_name(institution, entity, "institution")

    def _add_name(self, text: str, entity: Entity, how: str) -> None:
        key = fold(text)
        entries = self._names.setdefault(key, [])
        if not any(e is entity and h == how for e, h in entries):
            entries.append((entity, how))

    # -- lookups

    def get(self, entity_id: str) -> Entity | None:
        return self._by_id.get(entity_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self._by_id.values())

    def entities(self, kind: str | None = None) -> list[Entity]:
        return [e for e in self._by_id.values() if kind is None or e.kind == kind]

    def count(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for entity in self._by_id.values():
            counts[entity.kind] += 1
        return counts

    def lookup(self, text: str) -> list[tuple[Entity, str]]:
        """Entities one of whose names folds to the same key as `text`, with how
        the name is known: 'name' (name or alias), 'demonym', 'capital', 'institution'."""
        return list(self._names.get(fold(text), ()))

    def names_index(self) -> dict[str, list[tuple[Entity, str]]]:
        """folded name -> [(entity, how)]; read-only, for matchers built on top."""
        return self._names

    def search(self, query: str, kind: str | None = None, limit: int = 20) -> list[Entity]:
        """Entities ranked by how well a name matches: exact id or name first, then
        names that start with the query, then names that contain it, then close spellings."""
        key = fold(query)
        if not key:
            return self.entities(kind)[:limit]
        scored: dict[str, tuple[float, Entity]] = {}

        def offer(entity: Entity, score: float) -> None:
            if kind is not None and entity.kind != kind:
                return
            if entity.id not in scored or scored[entity.id][0] < score:
                scored[entity.id] = (score, entity)

        exact_id = self._by_id.get(query) or self._by_id.get(query.upper())
        if exact_id:
            offer(exact_id, 1000)
        for name_key, entries in self._names.items():
            if name_key == key:
                score = 900.0
            elif name_key.startswith(key):
                score = 700 - (len(name_key) - len(key))
            elif key in name_key:
                score = 500 - (len(name_key) - len(key))
            else:
                continue
            for entity, how in entries:
                offer(entity, score + (5 if how == "name" and fold(entity.name) == name_key else 0))
        if len(scored) < limit and len(key) >= 4:
            from rapidfuzz import fuzz, process

            keys = list(self._names)
            for name_key, score, _ in process.extract(key, keys, scorer=fuzz.ratio, limit=limit,
                                                      score_cutoff=75):
                for entity, _how in self._names[name_key]:
                    offer(entity, score)
        ranked = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1].kind, pair[1].name))
        return [entity for _, entity in ranked[:limit]]


def _iso_countries() -> list[dict[str, str]]:
    """ISO 3166-1 entries from pycountry's own data file (read directly: ten times
    faster than pycountry's lazy database, which start-up time notices)."""
    try:
        data = resources.files("pycountry").joinpath("databases/iso3166-1.json").read_text(encoding="utf-8")
        return list(json.loads(data)["3166-1"])
    except (OSError, KeyError, ValueError, ModuleNotFoundError):
        import pycountry

        fields = ("alpha_3", "name", "common_name", "official_name")
        return [{f: getattr(c, f) for f in fields if getattr(c, f, None)} for c in pycountry.countries]


def _split_source(source: str) -> tuple[str | None, int | None]:
    path, _, line = source.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return source or None, None


def _expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    for item in paths:
        path = Path(item).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            yield from found
        elif path.is_file():
            yield path
        else:
            raise CatalogError("no such catalogue file or folder", path)


@lru_cache(maxsize=4)
def _default_for(env_value: str) -> Catalog:
    return Catalog.load()


def default_catalog() -> Catalog:
    """The bundled catalogues plus $ARMSTRACE_CATALOG, loaded once per process
    (and again if that variable changes)."""
    return _default_for(os.environ.get(ENV_VAR, ""))
