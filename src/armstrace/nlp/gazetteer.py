"""The `armstrace_gazetteer` spaCy component: catalogue entities in `doc.ents`.

    nlp = spacy.load(config.SPACY_MODEL)
    add_gazetteer(nlp, default_catalog())          # after "ner"
    doc = nlp("Iranian-made Shahed-136 drones were used by Russia.")
    [(e.text, e.label_, e.kb_id_) for e in doc.ents]
    # [('Iranian-made', 'DEMONYM', 'IRN'), ('Shahed-136', 'SYSTEM', 'sys:shahed-136'), ('Russia', 'STATE', 'RUS')]

What the component leaves in `doc.ents` (the contract with extraction):

- catalogue matches, longest first, labelled STATE, CAPITAL, INSTITUTION,
  DEMONYM (with its -made/-built/… suffix), ORG, PERSON or SYSTEM, each with
  `kb_id_` set (CAPITAL, INSTITUTION and DEMONYM carry their state's ISO3);
- designations the catalogue does not know ("the new Xyz-5 drone") as SYSTEM
  with a `sys:` slug; their category, read from the weapon word beside them,
  is in `doc._.armstrace_categories` (sys id -> category);
- companies no catalogue knows, as one ORG each, whatever the small model made
  of them: a capitalised name ending in a company word ("Machinery", "Trade",
  "Technology", "Co., Ltd.", ...), a leading city included ("Hangzhou Koto
  Machinery", which the model reads as a place and a person), lists split at the
  right "and" ("Koto Rubber and Plastics Technology, X Trade and S&C Trade");
  the id is the catalogue's when it knows the name (also without the city, the
  legal form or a trailing "Group"), else `org:` + slug without the legal form;
- spaCy's own entities that do not overlap those, with PERSON, ORG and
  GPE/LOC/NORP/PRODUCT resolved where possible (unknown names get a slug id)
  and the small model's usual mistakes corrected ("UAVs" as ORG is dropped).

Surnames alone link to the full name met earlier in the document. When a
document is parsed in pieces (paragraph by paragraph), give every piece the
same context so that the memory spans the document, either per call:

    ctx = gazetteer.resolver.document_context()
    for sentence in sentences:
        nlp(sentence, component_cfg={"armstrace_gazetteer": {"context": ctx}})

or on the Doc before the pipeline runs, which also works with nlp.pipe over
pieces of many documents:

    piece = nlp.make_doc(text)
    piece._.armstrace_context = context_of_its_document
    for doc in nlp.pipe(pieces): ...

The matcher is built once: an Aho-Corasick trie over folded names, walked
token by token, so that "Shahed 136", "Shahed-136" and "shahed136" meet the
same key however spaCy's tokenizer split them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from armstrace.knowledge import Catalog, DocumentContext, Entity, Resolution, Resolver, default_catalog
from armstrace.knowledge.resolver import LEGAL_FORMS, ORIGIN_SUFFIXES, TITLES
from armstrace.knowledge.text import case_compatible, fold, slug, strip_article

COMPONENT = "armstrace_gazetteer"

STATE, CAPITAL, INSTITUTION, DEMONYM = "STATE", "CAPITAL", "INSTITUTION", "DEMONYM"
ORG, PERSON, SYSTEM, SURNAME = "ORG", "PERSON", "SYSTEM", "SURNAME"
# When one name fits several entries, the first label in this order wins.
LABEL_ORDER = {STATE: 0, CAPITAL: 1, INSTITUTION: 2, DEMONYM: 3, ORG: 4, PERSON: 5, SYSTEM: 6, SURNAME: 7}
_HOW_LABEL = {"name": STATE, "capital": CAPITAL, "institution": INSTITUTION, "demonym": DEMONYM}

# Tokens that may sit inside a name without breaking it ("Shahed-136", "U.S.-made",
# "Radio Free Europe/Radio Liberty"). Other punctuation ends a match.
JOINERS = frozenset({"-", "‐", "–", "/", ".", "'", "’", "&"})
# "New Mexico" is not Mexico; "Latin American" is not American.
NOT_AFTER = {STATE: {"new"}, CAPITAL: {"new"}, DEMONYM: {"latin", "south", "north", "central", "new"}}
# An ambiguous name inside a longer spaCy entity of these labels is part of that name.
_INSIDE_A_NAME = {(label, True) for label in ("PERSON", "ORG", "FAC", "WORK_OF_ART", "EVENT", "LAW")}
# The small model's labels that name a place, a group or a thing we may know.
PLACE_LABELS = frozenset({"GPE", "LOC", "NORP", "FAC"})
# Words that show an ORG span is really a person's office ("Armed Forces Chief of").
OFFICE_WORDS = frozenset({"chief", "minister", "spokesman", "spokeswoman", "spokesperson", "commander",
                          "adviser", "advisor", "deputy", "president", "general"})
_MONTHS_AND_DAYS = (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS_AND_DAYS = frozenset(fold(w) for w in _MONTHS_AND_DAYS.split())
# Capitalised words + number that are not weapon designations.
_NOT_DESIGNATIONS = (
    "Article Resolution Section Chapter Flight Route Highway Phase Level Stage Unit Group Brigade Division "
    "Battalion Regiment Corps Covid COVID Boeing Airbus Gate Terminal Room Block Page Vol Volume No Number "
    "Part Law Decree Order Protocol Paragraph Annex Item Lot Batch Round Day Week Year Top Over Almost About "
    "Nearly Some Only Up Around Figure Table Category Class Grade Zone Sector Point Km Mile Building "
    "Operation Exercise Summit Agreement Act Bill Formula Minsk Cop COP G Windows iPhone Galaxy Series Season "
    "Episode Chapter Line Platform Camp Base Station Road Street Avenue Square")
NOT_DESIGNATIONS = MONTHS_AND_DAYS | frozenset(fold(w) for w in _NOT_DESIGNATIONS.split())
# Words that end a company's name ("Koto Machinery", "Sunfield Technology Co., Ltd."). The small
# model often tags such names PERSON or GPE, or splits off a leading city ("Hangzhou"), so a
# capitalised name ending in one of these is taken as one organisation (see `_companies`).
_COMPANY_WORDS = """
machinery technology technologies trade trading industries industry corporation corp company co ltd limited
llc group systems aerospace electronics engineering manufacturing logistics shipping holdings holding
enterprises enterprise
"""
COMPANY_WORDS = frozenset(_COMPANY_WORDS.split()) | LEGAL_FORMS
# A name ending in one of these is a company whatever else it holds ("Tehran Trading Company").
DEFINITE_COMPANY_WORDS = LEGAL_FORMS | {"company", "corporation", "corp"}
# Words that describe a trade rather than name a firm: they do not make a capitalised run a
# name on their own ("Precision Machinery", "International Trade"), and "and" between two of
# them stays inside one name ("Rubber and Plastics Technology", "Import and Export Co"); after a
# company word it separates two names ("Raven Trade and S&C Trade").
_INDUSTRY_WORDS = """
international global national state united joint foreign general advanced modern new central eastern western
northern southern east west north south asia asian pacific euro trans overseas defense defence military
security science scientific research development industrial technical technological import export imports
exports commerce commercial investment investments precision electric electrical electronic chemical
chemicals rubber plastic plastics metal metals steel materials material equipment instruments instrument
optics optical energy power automation control communication communications petroleum oil gas mining
construction transport transportation marine maritime aviation aircraft aeronautics aeronautical air space
satellite navigation parts components tools textile textiles supply supplies services service solutions
resources products devices laser radio telecom software computer digital semiconductor semiconductors
microelectronics motor motors engine engines auto automotive heavy special innovation innovative smart
machine machines mechanical electromechanical hydraulic hydraulics bearing bearings cargo freight
"""
INDUSTRY_WORDS = frozenset(_INDUSTRY_WORDS.split())
# Capitalised words that may follow a company's name without continuing it ("Koto Machinery CEO ...").
_AFTER_COMPANY = """
ceo cfo coo cto chairman chairwoman president director directors chief founder owner owners spokesman
spokeswoman spokesperson executive executives manager managers head official officials employee employees
board
"""
AFTER_COMPANY = frozenset(_AFTER_COMPANY.split()) | MONTHS_AND_DAYS
# Words before a company's name that are someone's office, not part of the name.
NOT_IN_COMPANY = (OFFICE_WORDS - {"general"}) | {"ceo", "chairman", "director", "sanctioned", "designated"}
_JOINABLE = INDUSTRY_WORDS | COMPANY_WORDS
# What may stand between two names in one spaCy entity ("Raven Trade and S&C Trade").
_LIST_JOINERS = frozenset({"and", ",", "&", "/", ";"})
_NUMBER = re.compile(r"^\d{1,4}[A-Za-z]{0,2}$")
_WORD = re.compile(r"^[A-Z][A-Za-z]{1,14}$")
_HYPHENATED = re.compile(r"^[A-Z][A-Za-z]{0,14}-\d{1,4}[A-Za-z]{0,2}$")
_GLUED = re.compile(r"^[A-Z]{1,3}\d{1,4}[A-Z]?$")
_ORIGIN_SUFFIX_KEYS = tuple(fold(s) for s in ORIGIN_SUFFIXES)

if not Doc.has_extension("armstrace_categories"):
    Doc.set_extension("armstrace_categories", default=None)
if not Doc.has_extension("armstrace_context"):
    Doc.set_extension("armstrace_context", default=None)


@dataclass(frozen=True)
class _Entry:
    """One name in the trie: what it labels, the id it carries, and how to check it."""

    entity_id: str
    label: str
    kb_id: str
    name: str  # the catalogue name as written, for case checks
    ambiguous: bool = False
    suffixed: bool = False  # a demonym or state name with -made/-built/…
    from_name: bool = False  # suffixed to a state's name ("Iran-made"), which needs the hyphen


@dataclass
class _Span:
    start: int
    end: int
    label: str
    kb_id: str
    entry: _Entry | None = None


@dataclass
class _DocState:
    """What one call works with; built per document."""

    doc: Doc
    ctx: DocumentContext
    spacy_ents: list[Span]  # spaCy's own entities, before this component
    ent_of: list[int]  # token index -> index into spacy_ents, or -1 (spaCy's entities never overlap)
    sentence_of: list[int]
    weapon_heads: dict[int, tuple[str, bool]]
    occupied: list[bool]
    weapon_sentences: set[int] = field(default_factory=set)
    places: set[str] | None = None  # words spaCy tagged GPE/LOC, made on first need

    def occupy(self, span: _Span) -> None:
        for index in range(span.start, span.end):
            self.occupied[index] = True

    def spacy_label(self, start: int, end: int) -> tuple[str, bool]:
        """spaCy's label over tokens start..end (or ""), and whether its entity is longer."""
        index = self.ent_of[start]
        if index < 0:
            return "", False
        ent = self.spacy_ents[index]
        if end > ent.end:
            return "", False
        return ent.label_, (ent.end - ent.start) > (end - start)


class Gazetteer:
    """The component. Build once per catalogue (see `add_gazetteer`)."""

    def __init__(self, nlp: Language, catalog: Catalog, name: str = COMPONENT) -> None:
        self.name = name
        self.catalog = catalog
        self.resolver = Resolver(catalog)
        self._trie = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        entries: dict[str, list[_Entry]] = {}
        for entity in catalog:
            for key, entry in self._entries_of(entity):
                bucket = entries.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)
        for key, bucket in entries.items():
            bucket.sort(key=lambda e: LABEL_ORDER[e.label])
            self._trie.add_word(key, tuple(bucket))
        self._terms: dict[str, str] = {}
        self._context_terms: set[str] = {fold(w) for w in catalog.needs_context}
        for term, category in catalog.item_terms.items():
            self._terms[fold(term)] = category
        self._term_len = max((len(t.split()) + t.count("-") * 2 for t in catalog.item_terms), default=1)
        # Words of generic weapon phrases: trimmed off the end of a SYSTEM span, so that
        # "Abrams tanks" marks "Abrams" and leaves "tanks" to the extractor.
        self._generic = {fold(w) for t in catalog.item_terms for w in re.split(r"[\s-]+", t) if fold(w)}
        self._generic |= {"system", "battery", "launcher"}

    # ------------------------------------------------------------------ building

    def _entries_of(self, entity: Entity) -> Iterable[tuple[str, _Entry]]:
        ambiguous = {fold(a) for a in entity.ambiguous}
        if entity.kind == "state":
            named = [(n, "name") for n in entity.names()] + [(n, "capital") for n in entity.capitals]
            named += [(n, "institution") for n in entity.institutions]
            named += [(n, "demonym") for n in entity.demonyms]
            for text, how in named:
                key = fold(text)
                yield key, _Entry(entity.id, _HOW_LABEL[how], entity.id, text, key in ambiguous)
            for text, how in named:
                if how in ("name", "demonym") and not text.lower().startswith("the "):
                    for suffix in _ORIGIN_SUFFIX_KEYS:
                        yield fold(text) + suffix, _Entry(entity.id, DEMONYM, entity.id, text, suffixed=True,
                                                          from_name=how == "name")
        elif entity.kind in ("org", "system"):
            label = ORG if entity.kind == "org" else SYSTEM
            for text in entity.names():
                key = fold(text)
                yield key, _Entry(entity.id, label, entity.id, text, key in ambiguous)
        elif entity.kind == "person":
            for text in entity.names():
                if len(text.split()) >= 2 or "-" in text:
                    yield fold(text), _Entry(entity.id, PERSON, entity.id, text)
                else:  # a one-word alias ("Kanani") is a surname, checked like one
                    yield fold(text), _Entry(entity.id, SURNAME, entity.id, text)
            for surname in entity.surnames:
                yield fold(surname), _Entry(entity.id, SURNAME, entity.id, surname)

    # ------------------------------------------------------------------ the component

    def __call__(self, doc: Doc, context: DocumentContext | None = None) -> Doc:
        # The document's memory: given to this call, set on the Doc before the pipeline
        # ran (so that nlp.pipe over many documents can carry one per document), or new.
        ctx = context or doc._.armstrace_context or self.resolver.document_context()
        ctx.add_text(doc.text)
        original = list(doc.ents)
        ent_of = [-1] * len(doc)
        for index, ent in enumerate(original):
            for token_index in range(ent.start, ent.end):
                ent_of[token_index] = index
        state = _DocState(
            doc=doc, ctx=ctx, spacy_ents=original, ent_of=ent_of,
            sentence_of=_sentence_index(doc), weapon_heads=self._weapon_heads(doc),
            occupied=[False] * len(doc),
        )
        state.weapon_sentences = {state.sentence_of[i] for i, (_, general) in state.weapon_heads.items() if general}
        folded = [fold(t.text) for t in doc]
        candidates = self._catalogue_candidates(doc, folded)
        # A designation in a sentence vouches for an ambiguous one beside it ("Patriot and NASAMS").
        for start, _end, entries in candidates:
            if any(e.label == SYSTEM and not e.ambiguous for e in entries):
                state.weapon_sentences.add(state.sentence_of[start])

        # Longest names first, wherever they start ("the United Nations Security Council"
        # beats "the United Nations"); surnames wait for the document-order pass below.
        # Companies the catalogue does not know come first: "Beijing Zhongke Aerospace Group"
        # is one organisation, not the capital Beijing followed by three stray words.
        chosen: list[_Span] = self._companies(state, candidates, folded)
        for span in chosen:
            state.occupy(span)
        pending: list[tuple[int, int, tuple[_Entry, ...]]] = []
        people: list[_Span] = []
        candidates.sort(key=lambda item: (item[0] - item[1], item[0]))
        for start, end, entries in candidates:
            if any(state.occupied[start:end]):
                continue
            surface = doc[start:end].text
            person = next((e for e in entries if e.label == PERSON and _written_ok(surface, e)), None)
            if person is not None:
                span = _Span(start, end, PERSON, person.kb_id, person)
                people.append(span)
                state.occupy(span)
            elif any(e.label == SURNAME for e in entries):
                pending.append((start, end, entries))
            else:
                span = self._choose(state, start, end, entries)
                if span is not None:
                    chosen.append(span)
                    state.occupy(span)

        categories: dict[str, str] = {}
        for span, category in self._designations(state):
            chosen.append(span)
            state.occupy(span)
            categories.setdefault(span.kb_id, category)

        # People and spaCy's own entities, in document order, so that a surname
        # finds the full name that came before it.
        queue: list[tuple[int, int, int, object]] = [(p.start, -(p.end - p.start), 0, p) for p in people]
        queue += [(s, -(e - s), 1, entries) for s, e, entries in pending]
        queue += [(ent.start, -(ent.end - ent.start), 2, ent) for ent in original]
        queue.sort(key=lambda item: item[:3])
        for start, negative_length, _, item in queue:
            end = start - negative_length
            if isinstance(item, _Span):  # a full name: remember it for the surnames after it
                entity = self.catalog.get(item.kb_id)
                if entity is not None:
                    ctx.note_person(entity, self.resolver._surname_keys(entity))
                chosen.append(item)
                continue
            if any(state.occupied[start:end]):
                continue
            if isinstance(item, Span):
                span = self._from_spacy(state, item, categories)
            else:
                span = self._person(state, start, end, item)  # type: ignore[arg-type]
            if span is not None:
                chosen.append(span)
                state.occupy(span)

        chosen.sort(key=lambda s: s.start)
        doc.ents = [Span(doc, s.start, s.end, label=s.label, kb_id=s.kb_id) for s in chosen]
        doc._.armstrace_categories = categories
        doc._.armstrace_context = ctx
        return doc

    # ------------------------------------------------------------------ catalogue matches

    def _catalogue_candidates(self, doc: Doc, folded: list[str]) -> list[tuple[int, int, tuple[_Entry, ...]]]:
        """Every trie match (start, end, entries), overlapping ones included."""
        trie = self._trie
        found: list[tuple[int, int, tuple[_Entry, ...]]] = []
        n = len(doc)
        i = 0
        while i < n:
            first = folded[i]
            if not first or not (trie.match(first) or (first.endswith("s") and trie.exists(first[:-1]))):
                i += 1
                continue
            key = ""
            hits: list[tuple[int, tuple[_Entry, ...], bool]] = []
            j = i
            while j < n:
                part = folded[j]
                if not part:
                    if doc[j].text not in JOINERS or j == i:
                        break
                    j += 1
                    continue
                if j > i and doc[j - 1].whitespace_ and "\n" in doc[j - 1].whitespace_ + doc[j].text:
                    break
                key += part
                entries = trie.get(key, None)
                if entries is not None:
                    hits.append((j + 1, entries, False))
                elif part.endswith("s") and len(part) >= 3:
                    plural = trie.get(key[:-1], None)  # "F-16s", "TB2s", "Iranians"
                    if plural is not None:
                        usable = tuple(e for e in plural if e.label in (SYSTEM, DEMONYM) and not e.suffixed)
                        if usable:
                            hits.append((j + 1, usable, True))
                if not trie.match(key):
                    break
                j += 1
            # Every hit from every start: the caller picks the longest that fits.
            for hit_end, entries, _plural in hits:
                found.append((i, hit_end, entries))
            i += 1
        return found

    def _choose(self, state: _DocState, start: int, end: int, entries: Iterable[_Entry]) -> _Span | None:
        doc = state.doc
        surface = doc[start:end].text
        before = fold(doc[start - 1].text) if start > 0 else ""
        for entry in entries:
            if entry.label in (PERSON, SURNAME) or not _written_ok(surface, entry):
                continue
            if before in NOT_AFTER.get(entry.label, ()) and doc[start - 1].text[:1].isupper():
                continue
            if entry.label == SYSTEM and entry.ambiguous and state.sentence_of[start] not in state.weapon_sentences:
                continue
            if entry.ambiguous and state.spacy_label(start, end) in _INSIDE_A_NAME:
                continue  # "Jordan" in "Michael Jordan", "Pars" in "the Pars Defence Trading Company"
            if entry.label in (STATE, CAPITAL, INSTITUTION, DEMONYM):
                entity = self.catalog.get(entry.entity_id)
                if entity is not None and self.resolver._excluded(entity, state.ctx):
                    continue  # Georgia the US state
            if entry.label == SYSTEM:
                while end - start > 1 and (_lemma_key(doc[end - 1]) in self._generic or not fold(doc[end - 1].text)):
                    end -= 1
            return _Span(start, end, entry.label, entry.kb_id, entry)
        return None

    def _person(self, state: _DocState, start: int, end: int, entries: tuple[_Entry, ...]) -> _Span | None:
        doc = state.doc
        surface = doc[start:end].text
        surname = next((e for e in entries if e.label == SURNAME and _written_ok(surface, e)), None)
        if start > 0 and doc[start - 1].lower_ in ("the", "a", "an", "these", "those", "its", "their"):
            surname = None  # "the Abrams" is a thing, not Elliott Abrams
        if state.spacy_label(start, end)[0] not in ("", "PERSON", "ORG"):
            surname = None  # "In May" is a date, "Austin, Texas" a place: spaCy said so
        elif fold(surface) in MONTHS_AND_DAYS and not state.ctx.person_for_surname(fold(surface)):
            surname = None  # "May" is Theresa May only after her full name
        if surname is not None and self._named_as_person(state, start, end):
            return self._surname_span(state, start, end, surname)
        other = self._choose(state, start, end, entries)  # "Bayraktar" the drone, "Jordan" the state
        if other is not None:
            return other
        if surname is not None and all(t.pos_ == "PROPN" for t in doc[start:end]):
            return self._surname_span(state, start, end, surname)
        return None

    def _surname_span(self, state: _DocState, start: int, end: int, entry: _Entry) -> _Span:
        surface = state.doc[start:end].text
        found = self.resolver.resolve(surface, kind="person", context=state.ctx)
        if found is not None:
            return _Span(start, end, PERSON, found.id, entry)
        # Two catalogue people share this surname and the document named neither.
        return _Span(start, end, PERSON, state.ctx.new_person(fold(surface)) or "person:" + slug(surface), entry)

    def _named_as_person(self, state: _DocState, start: int, end: int) -> bool:
        """The document named them already, spaCy calls it a person, or a title stands before it."""
        doc = state.doc
        key = fold(doc[start:end].text)
        if state.ctx.person_for_surname(key) or state.ctx.new_person(key):
            return True
        if state.spacy_label(start, end)[0] == "PERSON":
            return True
        return start > 0 and fold(doc[start - 1].text) in TITLES and doc[start - 1].text[:1].isupper()

    # ------------------------------------------------------------------ companies

    def _companies(self, state: _DocState, candidates: list[tuple[int, int, tuple[_Entry, ...]]],
                   folded: list[str]) -> list[_Span]:
        """Capitalised names ending in a company word ("Hangzhou Fuyang Koto Machinery",
        "S&C Trade", "Sunfield Electronics Co., Ltd."), as ORG spans with the catalogue's id
        or a slug. Only documents with a capitalised company word pay for more than one scan."""
        doc = state.doc
        heads = [i for i, key in enumerate(folded) if key in COMPANY_WORDS and doc[i].text[:1].isupper()]
        if not heads:
            return []
        # The catalogue's names, by the token they end before: what a name may absorb
        # (a place, a known organisation) or must stop at (a demonym, a person).
        ends: dict[int, tuple[int, str]] = {}
        reach = [0] * (len(doc) + 1)  # token -> the furthest end of a catalogue name starting at or before it
        system_tokens: set[int] = set()
        for start, end, entries in candidates:
            surface = doc[start:end].text
            entry = next((e for e in entries if _written_ok(surface, e)), None)
            if entry is None:
                continue
            reach[start] = max(reach[start], end)
            if entry.label == SYSTEM:
                system_tokens.update(range(start, end))
            if end not in ends or start < ends[end][0]:
                ends[end] = (start, entry.label)
        for index in range(1, len(reach)):
            reach[index] = max(reach[index], reach[index - 1])
        found: list[_Span] = []
        headlines: dict[int, bool] = {}
        done = floor = 0
        for head in heads:
            if head < done:
                continue
            span, done = self._company(state, head, floor, folded, ends, reach, system_tokens, headlines)
            if span is not None:
                found.append(span)
                floor = span.end  # the next name starts after this one
        return found

    def _company(self, state: _DocState, head: int, floor: int, folded: list[str], ends: dict[int, tuple[int, str]],
                 reach: list[int], system_tokens: set[int],
                 headlines: dict[int, bool]) -> tuple[_Span | None, int]:
        """The company whose name has its first company word at `head`, and where its name ends."""
        doc, sentence_of = state.doc, state.sentence_of
        n = len(doc)
        sentence = sentence_of[head]
        # Rightwards: more company words and legal forms ("Aerospace Group", "Co., Ltd.").
        end = head + 1
        while end < n and sentence_of[end] == sentence:
            if folded[end] in COMPANY_WORDS and doc[end].text[:1].isupper():
                end += 1
            elif (doc[end].text in (",", ".") and end + 1 < n and folded[end + 1] in LEGAL_FORMS
                  and doc[end + 1].text[:1].isupper() and sentence_of[end + 1] == sentence):
                end += 2
            else:
                break
        if (end < n and sentence_of[end] == sentence and doc[end].text[:1].isupper() and folded[end]
                and folded[end] not in AFTER_COMPANY):
            return None, end  # the name goes on: "Trade Ministry", "Industry Minister"
        if end < n and not doc[end - 1].whitespace_ and doc[end].text in ("-", "‐", "–", "/", "&"):
            return None, end  # "Co-operation", "Group-7": the word goes on
        # Leftwards: capitalised words, places and known organisations, "&" and hyphens
        # inside names, "and" between two trade words ("Rubber and Plastics Technology").
        start, j = head, head - 1
        absorbed: dict[int, tuple[int, str]] = {}  # start -> (end, label) of the catalogue names taken in
        while j >= floor and head - j <= 12 and sentence_of[j] == sentence:
            token = doc[j]
            if "\n" in token.text or "\n" in token.whitespace_:
                break
            known = ends.get(j + 1)
            if known is not None and known[1] != SYSTEM and known[1] != SURNAME:
                known_start, label = known
                if label in (STATE, CAPITAL, ORG) and known_start >= floor:
                    absorbed[known_start] = (j + 1, label)
                    start, j = known_start, known_start - 1
                    continue
                if label == PERSON:
                    return None, end  # a catalogue person's name is not a company's
                break  # a demonym or an institution stands before the name
            text = token.text
            if text == "&" or (text in ("-", "‐") and not token.whitespace_ and j > 0 and not doc[j - 1].whitespace_):
                if j > floor and doc[j - 1].text[:1].isupper():
                    j -= 1
                    continue
                break
            if token.lower_ == "and":
                if (start == j + 1 and j > floor and doc[j - 1].text[:1].isupper()
                        and folded[j - 1] in INDUSTRY_WORDS and folded[start] in _JOINABLE):
                    j -= 1
                    continue
                break
            key = folded[j]
            if not text[:1].isupper() or not key or token.is_stop or key in MONTHS_AND_DAYS or key in NOT_IN_COMPANY:
                break
            if token.is_sent_start and token.pos_ != "PROPN" and state.ent_of[j] < 0:
                break  # a capitalised first word that is not a name ("Sanctioned Koto Trading")
            start, j = j, j - 1
        if not self._names_a_company(state, start, head, end, folded, absorbed, system_tokens):
            return None, end
        if self._headline(state, head, headlines):
            return None, end  # "Iran Sends Drones To Russia Over Drone Technology": every word capitalised
        if reach[start] >= end:
            return None, end  # the catalogue knows the name (or a longer one holding it)
        if not self._fits_spacy(state, start, end):
            return None, end
        text = doc[start:end].text
        # A catalogue person first: spaCy's PERSON inside the name, or the whole name.
        for index in {state.ent_of[k] for k in range(start, end) if state.ent_of[k] >= 0}:
            ent = state.spacy_ents[index]
            if ent.label_ == "PERSON" and self.resolver.resolve(ent.text, kind="person") is not None:
                return None, end
        if self.resolver._lookup(text, "person") is not None:
            return None, end
        return _Span(start, end, ORG, self._company_id(state, start, end, folded, absorbed)), end

    def _names_a_company(self, state: _DocState, start: int, head: int, end: int, folded: list[str],
                         absorbed: dict[int, tuple[int, str]], system_tokens: set[int]) -> bool:
        """Whether the words before the company words name a firm: one of them is a name
        (not a trade word, not a weapon word), or a known organisation or designation heads it
        ("Kalashnikov Group"), or a legal form ends it ("Tehran Trading Company")."""
        doc = state.doc
        names = systems = weapons = 0
        k = start
        while k < head:
            if k in absorbed:  # a place is no name of its own; a known organisation is
                k, label = absorbed[k]
                names += label == ORG
                continue
            key = folded[k]
            if not key or doc[k].lower_ == "and" or key in INDUSTRY_WORDS or key in COMPANY_WORDS:
                pass
            elif key in self._generic or _lemma_key(doc[k]) in self._generic:
                weapons += 1
            elif k in system_tokens:
                systems += 1
            else:
                names += 1
            k += 1
        if names:
            return True
        if systems and not weapons:
            return True
        definite = any(folded[k] in DEFINITE_COMPANY_WORDS for k in range(head, end))
        return definite and start < head and not weapons

    def _headline(self, state: _DocState, index: int, seen: dict[int, bool]) -> bool:
        """A sentence in title case (a headline): capitalised words there are not names."""
        sentence = state.sentence_of[index]
        if sentence not in seen:
            doc, sentence_of = state.doc, state.sentence_of
            first = index
            while first > 0 and sentence_of[first - 1] == sentence:
                first -= 1
            last = index
            while last + 1 < len(doc) and sentence_of[last + 1] == sentence:
                last += 1
            words = [t for t in doc[first:last + 1] if t.is_alpha and not t.is_stop]
            seen[sentence] = len(words) >= 3 and all(t.text[:1].isupper() for t in words)
        return seen[sentence]

    def _fits_spacy(self, state: _DocState, start: int, end: int) -> bool:
        """spaCy's entities at the name's edges may hold it, a leading "The", or a list of
        names joined by "and" or commas, but not a longer name ("the Ministry of Defence Industry")."""
        for index in {state.ent_of[start], state.ent_of[end - 1]}:
            if index < 0:
                continue
            ent = state.spacy_ents[index]
            before, after = state.doc[ent.start:start], state.doc[end:ent.end]
            if len(before) and not (all(t.is_stop or t.is_punct for t in before)
                                    or before[-1].lower_ in _LIST_JOINERS):
                return False
            if len(after) and not (after[0].lower_ in _LIST_JOINERS or all(t.is_punct for t in after)):
                return False
        return True

    @staticmethod
    def _places_of(state: _DocState) -> set[str]:
        """Words spaCy calls a place somewhere in this piece of text: a city it recognised in
        one sentence is still that city where it opens a company's name in the next."""
        if state.places is None:
            state.places = {t.text for ent in state.spacy_ents if ent.label_ in ("GPE", "LOC") for t in ent
                            if t.text[:1].isupper()}
        return state.places

    def _company_id(self, state: _DocState, start: int, end: int, folded: list[str],
                    absorbed: dict[int, tuple[int, str]]) -> str:
        """The catalogue's id for the name, also without a leading place ("Hangzhou Koto
        Machinery" when the catalogue knows Koto Machinery) or with fewer company words at
        the end ("Rostec Group"); else a slug without the legal form."""
        doc = state.doc
        text = doc[start:end].text
        found = self.resolver.resolve(text, kind="org")
        if found is not None:
            return found.id
        first = start
        while first < end:
            if first > start:  # the name after the place words before it
                known = self.resolver._lookup(doc[first:end].text, "org")
                if known is not None:
                    return known.id
            cut = end - 1
            while cut > first and (folded[cut] in COMPANY_WORDS or not folded[cut]):
                known = self.resolver._lookup(doc[first:cut].text, "org")
                if known is not None:
                    return known.id
                cut -= 1
            if first in absorbed and absorbed[first][1] != ORG:
                first = absorbed[first][0]
            elif folded[first] in LEGAL_FORMS or doc[first].text in self._places_of(state):
                first += 1  # "JSC Koto Machinery", "Hangzhou Koto Machinery"
            else:
                break
        return self.resolver.new_id(text, "org")

    # ------------------------------------------------------------------ unknown designations

    def _designations(self, state: _DocState) -> Iterable[tuple[_Span, str]]:
        """Designations no catalogue knows: a capitalised word and a number beside a weapon word."""
        doc, occupied = state.doc, state.occupied
        n = len(doc)
        i = 0
        while i < n:
            if occupied[i]:
                i += 1
                continue
            token = doc[i]
            end = 0
            if _HYPHENATED.match(token.text) or _GLUED.match(token.text):
                end = i + 1
            elif _WORD.match(token.text) and token.pos_ == "PROPN" and i + 1 < n:
                nxt = i + 1
                if doc[nxt].text in ("-", "‐", "–") and not token.whitespace_ and i + 2 < n:
                    nxt += 1
                if not occupied[nxt] and _NUMBER.match(doc[nxt].text) and not _is_year(doc[nxt].text):
                    end = nxt + 1
            if not end or fold(re.split(r"[-\d]", token.text)[0] or token.text) in NOT_DESIGNATIONS:
                i += 1
                continue
            glued = bool(_GLUED.match(token.text))
            category = self._nearby_weapon(state, i, end, adjacent_only=glued)
            if category is None:
                i += 1
                continue
            name = doc[i:end].text
            yield _Span(i, end, SYSTEM, self.resolver.new_id(name, "system")), category
            i = end

    def _nearby_weapon(self, state: _DocState, start: int, end: int, adjacent_only: bool = False) -> str | None:
        doc, weapon_heads, sentence_of = state.doc, state.weapon_heads, state.sentence_of
        sentence = sentence_of[start]
        window_end = min(len(doc), end + (2 if adjacent_only else 7))
        for index in range(end, window_end):
            if sentence_of[index] != sentence:
                break
            if index in weapon_heads:
                category, general = weapon_heads[index]
                if general or index <= end + 1:
                    return category
        if not adjacent_only:
            for index in range(max(0, start - 2), start):
                if index in weapon_heads and weapon_heads[index][1] and sentence_of[index] == sentence:
                    return weapon_heads[index][0]
        return None

    def _weapon_heads(self, doc: Doc) -> dict[int, tuple[str, bool]]:
        """Token index of the last word of each weapon term -> (category of the longest
        term ending there, whether the term is a weapon word without context)."""
        heads: dict[int, tuple[str, bool]] = {}
        terms = self._terms
        keys = [_lemma_key(t) for t in doc]
        for index, key in enumerate(keys):
            if not key:
                continue
            best = key if key in terms else None
            combined = key
            for back in range(1, self._term_len):
                k = index - back
                if k < 0 or doc[k].is_sent_end:
                    break
                combined = keys[k] + combined
                if combined in terms:
                    best = combined
            if best is not None:
                heads[index] = (terms[best], best not in self._context_terms)
        return heads

    # ------------------------------------------------------------------ spaCy's own entities

    def _from_spacy(self, state: _DocState, ent: Span, categories: dict[str, str]) -> _Span | None:
        ctx = state.ctx
        label = ent.label_
        text = ent.text.strip()
        if label not in ("PERSON", "ORG", "PRODUCT") and label not in PLACE_LABELS:
            return _Span(ent.start, ent.end, label, ent.kb_id_)
        words = [fold(t.text) for t in ent if fold(t.text)]
        if not words or "\n" in ent.text:
            return None  # nothing to name, or page furniture run together ("Navigation\nJoin")
        if all(_lemma_key(t) in self._terms or t.is_stop for t in ent if fold(t.text)):
            return None  # "UAVs" or "drones" tagged ORG
        weapon_next = self._nearby_weapon(state, ent.start, ent.end, adjacent_only=True)
        if label in ("PERSON", "ORG", "PRODUCT") and len(ent) <= 3 and weapon_next and _designation_like(ent):
            system_id = self.resolver.new_id(text, "system")
            categories.setdefault(system_id, weapon_next)
            return _Span(ent.start, ent.end, SYSTEM, system_id)
        if label == "PERSON":
            if any(w in OFFICE_WORDS for w in words) and len(words) <= 2:
                return None
            found = self.resolver.resolve(text, kind="person", context=ctx)
            if found is not None:
                return _Span(ent.start, ent.end, PERSON, found.id)
            if len(words) == 1:
                known = ctx.new_person(words[0])
                if known:
                    return _Span(ent.start, ent.end, PERSON, known)
            person_id = self.resolver.new_id(text, "person")
            ctx.note_new_person(person_id, text)
            return _Span(ent.start, ent.end, PERSON, person_id)
        if label == "ORG":
            if any(w in OFFICE_WORDS for w in words):
                return None
            found = self.resolver.resolve(text, kind="org", context=ctx)
            if found is not None:
                return _Span(ent.start, ent.end, ORG, found.id)
            place = self.resolver.resolve(text, kind="state", context=ctx)
            if place is not None:
                return self._place_span(ent, text, place)
            if len(words) == 1 and (ctx.new_person(words[0]) or ctx.person_for_surname(words[0])):
                person = self.resolver.resolve(text, kind="person", context=ctx)
                return _Span(ent.start, ent.end, PERSON, person.id if person else ctx.new_person(words[0]) or "")
            if len(words) == 1 and ent.end < len(state.doc) and fold(state.doc[ent.end].text) in TITLES:
                return None  # "Supreme" of "Supreme Leader"
            return _Span(ent.start, ent.end, ORG, self.resolver.new_id(text, "org"))
        if label == "PRODUCT":
            return _Span(ent.start, ent.end, label, "")
        found = self.resolver.resolve(text, kind="state", context=ctx)
        if found is None:
            return _Span(ent.start, ent.end, label, "")
        return self._place_span(ent, text, found)

    def _place_span(self, ent: Span, text: str, found: Resolution) -> _Span:
        """A state found by name, capital, institution or demonym, labelled accordingly."""
        if found.method == "metonym":
            entity = self.catalog.get(found.id)
            is_capital = entity is not None and fold(strip_article(text)) in {fold(c) for c in entity.capitals}
            return _Span(ent.start, ent.end, CAPITAL if is_capital else INSTITUTION, found.id)
        if found.method == "demonym":
            return _Span(ent.start, ent.end, DEMONYM, found.id)
        return _Span(ent.start, ent.end, STATE, found.id)


# ---------------------------------------------------------------------- helpers


def _written_ok(surface: str, entry: _Entry) -> bool:
    if entry.suffixed:
        base, hyphen = re.match(r"^(.*?)(\s*[-‐–]?\s*)[A-Za-z]+$", surface).groups()  # type: ignore[union-attr]
        if entry.from_name and not hyphen.strip():
            return False  # "Iran supplied Russia" is a clause, "Iran-supplied" an origin
        surface = base
    return case_compatible(surface, entry.name, strict=True)


def _sentence_index(doc: Doc) -> list[int]:
    index = [0] * len(doc)
    if not doc.has_annotation("SENT_START"):
        return index
    current = 0
    for token in doc:
        if token.is_sent_start and token.i > 0:
            current += 1
        index[token.i] = current
    return index


def _lemma_key(token: Token) -> str:
    lemma = fold(token.lemma_ or token.text)
    if lemma.endswith("s") and len(lemma) > 3 and lemma == fold(token.text):
        return lemma[:-1]  # the small model leaves some plurals ("UAVs") unlemmatised
    return lemma


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2099


def _designation_like(ent: Span) -> bool:
    """A short proper name that could be a weapon's name (not a title, not lower case)."""
    return all(t.text[:1].isupper() or t.text[:1].isdigit() or t.text in JOINERS for t in ent) and not any(
        fold(t.text) in TITLES for t in ent)


# ---------------------------------------------------------------------- wiring into spaCy

_CATALOGS: dict[str, Catalog] = {}


@Language.factory(COMPONENT, default_config={"catalog_key": "default"})
def make_gazetteer(nlp: Language, name: str, catalog_key: str) -> Gazetteer:
    catalog = _CATALOGS.get(catalog_key) or default_catalog()
    return Gazetteer(nlp, catalog, name=name)


def add_gazetteer(nlp: Language, catalog: Catalog | None = None) -> None:
    """Add the gazetteer after "ner" (replacing one already there), built once for `catalog`."""
    catalog = catalog if catalog is not None else default_catalog()
    key = f"catalog-{id(catalog)}"
    _CATALOGS[key] = catalog
    if COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(COMPONENT)
    where = {"after": "ner"} if "ner" in nlp.pipe_names else {}
    nlp.add_pipe(COMPONENT, config={"catalog_key": key}, **where)
