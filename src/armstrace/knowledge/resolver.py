"""From a mention in text to a catalogue id.

    resolver = Resolver(default_catalog())
    resolver.resolve("Shahed 136").id                        # 'sys:shahed-136'
    resolver.resolve("the Kremlin").id                       # 'RUS' (method 'metonym')
    ctx = resolver.document_context()
    resolver.resolve("Qumars Heydari", kind="person", context=ctx)
    resolver.resolve("Heydari", kind="person", context=ctx)  # the same person (method 'surname')

Resolution tries, in order, and stops at the first that answers:

1. `alias`    the mention is a name of the entity as written;
2. `folded`   it is one after folding case, hyphens, spaces and diacritics;
   `metonym`  a capital or institution that stands for a state ("Tehran");
   `demonym`  an adjective of origin, bare or with -made/-built/… ("Iranian-made");
3. `surname`  a surname alone: the person seen earlier in the same document
              (the document context), else the only catalogue person with it;
4. `fuzzy`    a close transliteration of a person's or a place's name, or a close
              spelling of an organisation's; never for designations, where one
              digit makes another weapon ("Shahed-131" is not "Shahed-136").

Nothing found gives None; `new_id` then makes the id an unknown name gets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from unidecode import unidecode

from armstrace.knowledge.catalog import ID_PREFIX, Catalog, Entity
from armstrace.knowledge.text import case_compatible, fold, slug, sound_key, strip_article, strip_possessive

# Adjective + one of these (hyphenated or not) marks where an item comes from.
ORIGIN_SUFFIXES = ("made", "built", "designed", "supplied", "produced", "manufactured", "developed", "origin")
_ORIGIN_SUFFIX = re.compile(
    r"^(?P<base>.+?)(?P<hyphen>\s*[-‐–]\s*|\s*)(?:" + "|".join(ORIGIN_SUFFIXES) + r")$", re.IGNORECASE)

# Words before a name that say who the person is, not what they are called.
_TITLE_WORDS = """
mr mrs ms miss dr sir lord dame sheikh shaikh prince princess king queen emir crown ayatollah hojatoleslam
president vice prime minister deputy foreign defence defense interior secretary spokesman spokeswoman
spokesperson general gen lieutenant lt colonel col major maj brigadier brig admiral adm rear commander
chief chairman chairwoman ambassador envoy senator governor marshal army navy air force sergeant captain
leader supreme
"""
TITLES = frozenset(fold(word) for word in _TITLE_WORDS.split())

# Legal-form words at the end of a company's name: "Koto Machinery Co., Ltd." and
# "Koto Machinery" are one company, so an unknown company's id leaves them out.
_LEGAL_FORM_WORDS = """
co ltd limited llc inc incorporated jsc pjsc ojsc cjsc plc llp gmbh fze fzco fzc fzllc pte pvt ooo
"""
LEGAL_FORMS = frozenset(_LEGAL_FORM_WORDS.split())
_TRAILING_LEGAL_FORM = re.compile(
    r"(?:[\s,.]+(?:" + "|".join(sorted(LEGAL_FORMS, key=len, reverse=True)) + r")\.?)+\s*$", re.IGNORECASE)
# Russian and Ukrainian usage puts the legal form first: "JSC Koto", "PJSC Koto".
_LEADING_LEGAL_FORM = re.compile(r"^(?:(?:JSC|PJSC|OJSC|CJSC|OOO|AO|PAO)\s+)+")

# Kind order when a name could be several things and no kind was asked for.
_KIND_ORDER = {"state": 0, "org": 1, "person": 2, "system": 3}
_HOW_METHOD = {"capital": "metonym", "institution": "metonym", "demonym": "demonym"}


@dataclass(frozen=True)
class Resolution:
    """What a mention resolved to, and how (see the module docstring for `method`)."""

    id: str
    name: str
    kind: str
    state: str | None
    category: str | None
    method: str
    score: float = 100.0


@dataclass
class DocumentContext:
    """Per-document memory: the people named so far (for surname-only mentions)
    and the document's words (for names that depend on context, like Georgia)."""

    people: list[str] = field(default_factory=list)  # person ids, most recent last
    _surnames: dict[str, str] = field(default_factory=dict)  # folded surname -> person id
    _new_surnames: dict[str, str] = field(default_factory=dict)  # folded surname -> new person id
    _text: list[str] = field(default_factory=list)
    _lowered: list[str] = field(default_factory=list)  # the first len(_lowered) texts, ASCII lower case

    def add_text(self, text: str) -> None:
        self._text.append(text)

    def lowered(self) -> list[str]:
        """The document's texts so far, ASCII lower case; converted lazily, each once,
        so that a document parsed piece by piece costs linear time, not quadratic."""
        for text in self._text[len(self._lowered):]:
            self._lowered.append(" " + unidecode(text).lower() + " ")
        return self._lowered

    def note_person(self, entity: Entity, surname_keys: Iterable[str]) -> None:
        if entity.id in self.people:
            self.people.remove(entity.id)
        self.people.append(entity.id)
        for key in surname_keys:
            self._surnames[key] = entity.id

    def person_for_surname(self, key: str) -> str | None:
        return self._surnames.get(key)

    # People no catalogue knows ("John Smith ... Smith said") are remembered by id.
    def note_new_person(self, person_id: str, name: str) -> None:
        words = name.split()
        if len(words) >= 2:
            self._new_surnames.setdefault(fold(words[-1]), person_id)

    def new_person(self, key: str) -> str | None:
        return self._new_surnames.get(key)


class Resolver:
    """Maps mentions to catalogue ids. Build once per catalogue; cheap to call."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._exact: dict[str, list[tuple[Entity, str]]] = {}
        self._surnames: dict[str, list[Entity]] = {}
        self._surname_sounds: dict[str, list[Entity]] = {}
        self._person_keys: dict[str, list[Entity]] = {}  # sound key of a full name -> people
        self._place_keys: dict[str, list[tuple[Entity, str]]] = {}
        self._org_keys: dict[str, list[Entity]] = {}
        self._not_near: dict[str, re.Pattern[str]] = {}
        self._confirm: dict[str, re.Pattern[str]] = {}
        self._static: dict[tuple[str, str | None], Resolution | None] = {}
        self._fuzzy_ready = False
        for entity in catalog:
            self._index(entity)

    def _index(self, entity: Entity) -> None:
        named = [(n, "name") for n in entity.names()]
        named += [(n, "demonym") for n in entity.demonyms]
        named += [(n, "capital") for n in entity.capitals]
        named += [(n, "institution") for n in entity.institutions]
        for text, how in named:
            self._exact.setdefault(_squash(text), []).append((entity, how))
        if entity.kind == "person":
            for surname in entity.surnames:
                _add_unique(self._surnames.setdefault(fold(surname), []), entity)
        elif entity.kind == "state" and entity.not_near:
            self._not_near[entity.id] = _phrase_pattern(entity.not_near)
            self._confirm[entity.id] = _phrase_pattern(entity.capitals + entity.demonyms)

    def _fuzzy_index(self) -> None:
        """The keys for fuzzy matching, built on first need: most documents never need them,
        and start-up time matters on every worker."""
        if self._fuzzy_ready:
            return
        for entity in self.catalog:
            if entity.kind == "person":
                for text in entity.names():
                    if len(text.split()) >= 2:
                        self._person_keys.setdefault(sound_key(text), []).append(entity)
                for surname in entity.surnames:
                    _add_unique(self._surname_sounds.setdefault(sound_key(surname), []), entity)
            elif entity.kind == "state":
                named = [(n, "name") for n in entity.names()] + [(n, "demonym") for n in entity.demonyms]
                named += [(n, "capital") for n in entity.capitals] + [(n, "institution") for n in entity.institutions]
                for text, how in named:
                    if len(fold(text)) >= 5:
                        self._place_keys.setdefault(sound_key(text), []).append((entity, how))
            elif entity.kind == "org":
                for text in entity.names():
                    if len(fold(text)) >= 6:
                        self._org_keys.setdefault(fold(text), []).append(entity)
        self._person_choices = list(self._person_keys)
        self._surname_choices = list(self._surname_sounds)
        self._place_choices = list(self._place_keys)
        # Fuzzy organisation matches must share the first three letters (see _fuzzy_org), so
        # the choices are grouped by them: a company name is compared with a handful, not all.
        self._org_choices_by_prefix: dict[str, list[str]] = {}
        for key in self._org_keys:
            self._org_choices_by_prefix.setdefault(key[:3], []).append(key)
        self._fuzzy_ready = True

    # ------------------------------------------------------------------ public API

    def document_context(self, text: str | None = None) -> DocumentContext:
        """A fresh memory for one document; pass it to every resolve() of that document."""
        context = DocumentContext()
        if text:
            context.add_text(text)
        return context

    def resolve(self, mention: str, kind: str | None = None,
                context: DocumentContext | None = None) -> Resolution | None:
        """The entity a mention names, or None. `kind` limits the answer to
        'state', 'org', 'person' or 'system' (a capital or a demonym counts as its state)."""
        text = _clean(mention)
        if not text or not fold(text):
            return None
        result = self._resolve(text, kind, context)
        if result is not None and result.kind == "person" and context is not None:
            entity = self.catalog.get(result.id)
            if entity is not None:
                context.note_person(entity, self._surname_keys(entity))
        return result

    def new_id(self, name: str, kind: str) -> str:
        """The id a name gets: the catalogue's id if the name is known as that kind,
        else prefix + slug ('Xyz-5', 'system' -> 'sys:xyz-5'). An organisation's
        trailing legal form is left out ('Koto Trading Co., Ltd.' -> 'org:koto-trading')."""
        if kind not in ID_PREFIX:
            raise ValueError(f"new ids are made for {', '.join(ID_PREFIX)}; states have ISO 3166 ids")
        for form in _forms(_clean(name)):
            known = self._lookup(form, kind)
            if known is not None and known.method in ("alias", "folded"):
                return known.id
        cleaned = _clean(name)
        if kind == "person":
            cleaned = _strip_titles(cleaned)
        elif kind == "org":
            cleaned = strip_legal_form(cleaned)
        made = slug(cleaned)
        if not made:
            raise ValueError(f"cannot make an id from {name!r}: it has no letters or digits")
        return ID_PREFIX[kind] + made

    def state_of(self, entity_id: str | None) -> str | None:
        """The ISO3 an entity belongs to or speaks for; for an id not in the
        catalogue, the state its name starts from ('org:iranian-navy-x' -> 'IRN')."""
        if not entity_id:
            return None
        seen: set[str] = set()
        current: str | None = entity_id
        while current and current not in seen:
            seen.add(current)
            entity = self.catalog.get(current)
            if entity is None:
                break
            if entity.kind == "state" or entity.state:
                return entity.state or entity.id
            current = entity.org  # an organisation's parent, a person's employer
        if entity_id in self.catalog:
            return None
        if re.fullmatch(r"[A-Z]{3}", entity_id):
            return entity_id
        if entity_id.startswith("org:"):
            return self._state_in_words(entity_id[4:].split("-"))
        return None

    def entity(self, entity_id: str) -> Entity | None:
        return self.catalog.get(entity_id)

    # ------------------------------------------------------------------ steps

    def _resolve(self, text: str, kind: str | None, context: DocumentContext | None) -> Resolution | None:
        forms = _forms(text)
        for form in forms:
            found = self._lookup(form, kind, context)
            if found is not None:
                return found
        if kind in (None, "state"):
            for form in forms:
                match = _ORIGIN_SUFFIX.match(form)
                if match:
                    found = self._lookup(match.group("base"), "state", context)
                    # "Iran-made" and "Iranian made", but "Iran supplied" is a clause.
                    if found is not None and (match.group("hyphen").strip() or found.method == "demonym"):
                        return _with(found, method="demonym")
        if kind in (None, "person"):
            name = _strip_titles(forms[-1])
            if name != forms[-1]:
                found = self._lookup(name, "person", context)
                if found is not None:
                    return found
            found = self._surname(name, context)
            if found is not None:
                return found
        return self._fuzzy(forms[-1], kind, context)

    def _lookup(self, text: str, kind: str | None, context: DocumentContext | None = None) -> Resolution | None:
        """Exact or folded name match (no fuzziness), context-aware for places."""
        if context is None:
            key = (text, kind)
            if key not in self._static:
                self._static[key] = self._lookup_uncached(text, kind, None)
            return self._static[key]
        return self._lookup_uncached(text, kind, context)

    def _lookup_uncached(self, text: str, kind: str | None, context: DocumentContext | None) -> Resolution | None:
        exact = self._exact.get(_squash(text), [])
        folded = self.catalog.lookup(text)
        if not folded:
            return None
        exact_ids = {(e.id, how) for e, how in exact}
        candidates = [(e, how) for e, how in folded if kind is None or e.kind == kind]
        candidates = [(e, how) for e, how in candidates
                      if not self._excluded(e, context) and _written_as(e, how, text)]
        if not candidates:
            return None
        if kind is None:
            candidates.sort(key=lambda pair: (_KIND_ORDER[pair[0].kind], pair[1] != "name"))
        else:
            candidates.sort(key=lambda pair: pair[1] != "name")
        best, how = candidates[0]
        if best.kind == "person" and len(candidates) > 1 and context is not None:
            for entity, other_how in candidates:  # two people with one name: the one named before
                if entity.id in context.people:
                    best, how = entity, other_how
                    break
        method = _HOW_METHOD.get(how) or ("alias" if (best.id, how) in exact_ids else "folded")
        return self._make(best, method)

    def _excluded(self, entity: Entity, context: DocumentContext | None) -> bool:
        """A place whose name, here, means another place (Georgia next to Atlanta)."""
        pattern = self._not_near.get(entity.id)
        if pattern is None or context is None:
            return False
        pieces = context.lowered()
        confirm = self._confirm[entity.id]
        return any(pattern.search(p) for p in pieces) and not any(confirm.search(p) for p in pieces)

    def _surname(self, text: str, context: DocumentContext | None) -> Resolution | None:
        key = fold(text)
        if not key or len(text.split()) > 3:
            return None
        if context is not None:
            person_id = context.person_for_surname(key)
            if person_id:
                return self._make(self.catalog.get(person_id), "surname")  # type: ignore[arg-type]
        people = self._surnames.get(key, [])
        if len(people) == 1:
            return self._make(people[0], "surname")
        if context is not None and not people:
            # A transliteration of a surname met earlier ("Heidari" after "Heydari").
            sound = sound_key(text)
            for person_id in reversed(context.people):
                entity = self.catalog.get(person_id)
                if entity and any(fuzz.ratio(sound, sound_key(s)) >= 85 for s in entity.surnames):
                    return self._make(entity, "surname", 90.0)
        return None

    def _fuzzy(self, text: str, kind: str | None, context: DocumentContext | None) -> Resolution | None:
        self._fuzzy_index()
        if kind in (None, "person"):
            found = self._fuzzy_person(_strip_titles(text), context)
            if found is not None:
                return found
        if kind in (None, "state"):
            found = self._fuzzy_place(text, context)
            if found is not None:
                return found
        if kind in (None, "org"):
            found = self._fuzzy_org(text)
            if found is not None:
                return found
        return None

    def _fuzzy_person(self, text: str, context: DocumentContext | None) -> Resolution | None:
        words = text.split()
        sound = sound_key(text)
        if len(sound) < 5:
            return None
        if len(words) == 1:
            hits = process.extract(sound, self._surname_choices, scorer=fuzz.ratio, score_cutoff=88, limit=5)
            people = {e.id: (e, score) for key, score, _ in hits for e in self._surname_sounds[key]}
            if context is not None:
                for person_id in reversed(context.people):
                    if person_id in people:
                        return self._make(people[person_id][0], "surname", people[person_id][1])
            if len(people) == 1:
                entity, score = next(iter(people.values()))
                return self._make(entity, "fuzzy", score)
            return None
        hits = process.extract(sound, self._person_choices, scorer=fuzz.ratio, score_cutoff=85, limit=8)
        scored: dict[str, tuple[Entity, float]] = {}
        first, last = sound_key(words[0]), sound_key(words[-1])
        for key, score, _ in hits:
            for entity in self._person_keys[key]:
                # Both ends of the name must agree, so that "Ali Bagheri" never
                # turns into "Mohammad Bagheri" because the surnames match.
                candidate = next(n for n in entity.names() if sound_key(n) == key)
                cwords = candidate.split()
                if fuzz.ratio(first, sound_key(cwords[0])) < 75 or fuzz.ratio(last, sound_key(cwords[-1])) < 80:
                    continue
                if entity.id not in scored or scored[entity.id][1] < score:
                    scored[entity.id] = (entity, score)
        if not scored:
            return None
        ranked = sorted(scored.values(), key=lambda pair: -pair[1])
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 3:
            if context is not None:
                for entity, score in ranked:
                    if entity.id in context.people:
                        return self._make(entity, "fuzzy", score)
            return None
        return self._make(ranked[0][0], "fuzzy", ranked[0][1])

    def _fuzzy_place(self, text: str, context: DocumentContext | None) -> Resolution | None:
        sound = sound_key(text)
        if len(sound) < 5:
            return None
        hits = process.extract(sound, self._place_choices, scorer=fuzz.ratio, score_cutoff=90, limit=4)
        found: dict[str, tuple[Entity, str, float]] = {}
        for key, score, _ in hits:
            for entity, how in self._place_keys[key]:
                if not self._excluded(entity, context) and entity.id not in found:
                    found[entity.id] = (entity, how, score)
        if len(found) != 1:
            return None
        entity, how, score = next(iter(found.values()))
        return self._make(entity, "fuzzy", score)

    def _fuzzy_org(self, text: str) -> Resolution | None:
        key = fold(strip_article(text))
        if len(key) < 6:
            return None
        # A misspelling, not another organisation with a word more or less
        # ("Ministry of Defense" is not "UK Ministry of Defense").
        choices = [k for k in self._org_choices_by_prefix.get(key[:3], ()) if abs(len(k) - len(key)) <= 2]
        if not choices:
            return None
        hits = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=90, limit=4)
        found = {e.id: (e, score) for k, score, _ in hits for e in self._org_keys[k]}
        if len(found) != 1:
            return None
        entity, score = next(iter(found.values()))
        return self._make(entity, "fuzzy", score)

    # ------------------------------------------------------------------ helpers

    def _make(self, entity: Entity, method: str, score: float = 100.0) -> Resolution:
        return Resolution(id=entity.id, name=entity.name, kind=entity.kind, state=self.state_of(entity.id),
                          category=entity.category, method=method, score=score)

    def _surname_keys(self, entity: Entity) -> list[str]:
        keys = [fold(s) for s in entity.surnames]
        for name in entity.names():
            words = name.split()
            if len(words) >= 2 and entity.surnames:
                keys.append(fold(words[-1]))
        return [k for k in dict.fromkeys(keys) if k]

    def _state_in_words(self, words: list[str]) -> str | None:
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                for entity, _how in self.catalog.lookup("".join(words[start:start + size])):
                    if entity.kind == "state":
                        return entity.id
        return None


def strip_legal_form(name: str) -> str:
    """'Koto Machinery Co., Ltd.' and 'JSC Koto Machinery' -> 'Koto Machinery'; a name that is
    only a legal form stays."""
    stripped = _LEADING_LEGAL_FORM.sub("", _TRAILING_LEGAL_FORM.sub("", name).rstrip(" ,."))
    return stripped if fold(stripped) else name


def _written_as(entity: Entity, how: str, surface: str) -> bool:
    """Whether one of the entity's names of that sort, folded like `surface`, may be written so."""
    names = {"name": entity.names(), "demonym": entity.demonyms, "capital": entity.capitals,
             "institution": entity.institutions}[how]
    key = fold(surface)
    return any(case_compatible(surface, name) for name in names if fold(name) == key)


def _add_unique(items: list[Entity], entity: Entity) -> None:
    if all(item is not entity for item in items):
        items.append(entity)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


def _clean(text: str) -> str:
    text = text.strip().strip("\"'“”‘’«»()[]{},;:").strip()
    return re.sub(r"\s+", " ", text)


def _forms(text: str) -> list[str]:
    """The mention, then without a possessive, then without a leading 'the'."""
    forms = [text]
    for form in (strip_possessive(text), strip_article(strip_possessive(text))):
        if form and form not in forms:
            forms.append(form)
    return forms


def _strip_titles(text: str) -> str:
    """The name after the last title word: 'Kremlin spokesman Dmitry Peskov' -> 'Dmitry Peskov'."""
    words = text.split()
    titled = [i for i, word in enumerate(words[:-1]) if fold(word) in TITLES]
    return " ".join(words[titled[-1] + 1:]) if titled else text


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(unidecode(p).lower()) for p in phrases if p.strip()}, key=len, reverse=True)
    if not alternatives:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")


def _with(resolution: Resolution, **changes: object) -> Resolution:
    values = {**resolution.__dict__, **changes}
    return Resolution(**values)  # type: ignore[arg-type]
