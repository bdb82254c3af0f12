"""From tokens to actors and items: what the gazetteer found, read in its syntactic role.

The gazetteer (armstrace.nlp) labels entity spans and sets their `kb_id_`;
here we decide what such a span stands for when it fills a role: a capital
acting is its state, a ministry is its state, a company or an armed group is
itself, a demonym is the state it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from armstrace.extract.lexicon import Lexicon, fold_phrase
from armstrace.extract.syntax import RELATIVE_PRONOUNS, conjuncts, np_tokens
from armstrace.model import EntityRef, Item

ACTOR_LABELS = {"STATE", "CAPITAL", "INSTITUTION", "ORG", "PERSON", "DEMONYM", "GPE", "NORP"}
# Organisations that act for their state: an event by the US Treasury is an event by the USA.
STATE_ORGAN_TYPES = {
    "agency", "ministry", "department", "government", "armed_forces", "armed-forces", "military", "service",
    "intelligence", "office", "legislature", "parliament", "navy", "air_force", "army", "guard", "state_body",
    "executive", "body", "council", "branch", "command",
}
MEDIA_TYPES = {"media", "outlet", "news", "news_agency", "newspaper", "broadcaster"}
# "the group", "the militia": the non-state party named last.
GROUP_NOUNS = {"group", "movement", "militia", "rebel", "insurgent", "faction", "organization", "organisation",
               "force", "paramilitary", "fighter", "company", "firm", "manufacturer", "maker"}
# "passenger jets", "civilian aircraft": not military items.
CIVILIAN_MODIFIERS = {"passenger", "civilian", "commercial", "civil", "cargo", "airliner", "business", "private",
                      "agricultural", "firefighting", "medical", "rescue"}
REPORTING_LEMMAS = {"say", "tell", "state", "announce", "add", "insist", "claim", "declare", "stress", "note",
                    "write", "assert", "confirm", "deny", "admit"}
# Organs of a state that the catalogue may not list by name.
GENERIC_ORGANS = {"ministry", "navy", "army", "military", "government", "force", "forces", "office", "department",
                  "command", "guard", "parliament", "presidency", "cabinet", "treasury"}
RELATIONAL_HEADS = {"member", "part", "ally", "neighbour", "neighbor", "partner", "enemy", "rival", "capital",
                    "city", "region", "border", "coast", "province", "side", "friend", "adversary", "foe"}
PRONOUN_ACTORS = {"it", "its", "they", "them", "their", "we", "our", "us", "he", "she", "his", "her", "i", "my"}
COUNTRY_NOUNS = {"country", "nation", "regime", "government", "state", "kingdom", "republic", "administration",
                 "authorities", "leadership", "side"}


@dataclass(frozen=True)
class Actor:
    ref: EntityRef
    token: Token
    via: str  # the entity label it came from, or "coref"
    person: EntityRef | None = None  # the speaker, when a person stood for the actor


@dataclass
class ItemHit:
    item: Item
    token: Token
    origin: str | None  # state the item is said to come from ("Iranian-made", a designation's origin)
    origin_name: str | None = None
    explicit_origin: bool = False  # origin said in the text, not only known from the catalogue


@dataclass
class KnowledgeView:
    """The questions extraction asks of the catalogues, in one place."""

    catalog: object
    resolver: object
    _names: dict[str, str] = field(default_factory=dict)

    def entity(self, entity_id: str):  # noqa: ANN201 - the knowledge package's Entity
        return self.catalog.get(entity_id) if entity_id else None

    def name(self, entity_id: str, fallback: str = "") -> str:
        ent = self.entity(entity_id)
        return ent.name if ent is not None else (fallback or entity_id)

    def state_of(self, entity_id: str | None) -> str | None:
        if not entity_id:
            return None
        if re.fullmatch(r"[A-Z]{3}", entity_id):
            return entity_id
        try:
            return self.resolver.state_of(entity_id)
        except Exception:  # an id the catalogue has never heard of has no state
            return None

    def org_type(self, entity_id: str) -> str:
        ent = self.entity(entity_id)
        if ent is None:
            return ""
        for attr in ("subtype", "type", "org_type"):
            value = getattr(ent, attr, None)
            if isinstance(value, str) and value:
                return value.lower().replace(" ", "_")
        return ""

    def category(self, entity_id: str) -> str | None:
        ent = self.entity(entity_id)
        return getattr(ent, "category", None) if ent is not None else None

    def origin(self, entity_id: str) -> str | None:
        ent = self.entity(entity_id)
        return getattr(ent, "state", None) if ent is not None else None


def span_of(token: Token) -> Span | None:
    doc = token.doc
    if token.ent_iob_ == "O":
        return None
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


class EntityIndex:
    """token index -> entity span, built once per parsed paragraph."""

    def __init__(self, doc: Doc) -> None:
        self.by_token: dict[int, Span] = {}
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                self.by_token[i] = ent

    def get(self, token: Token) -> Span | None:
        return self.by_token.get(token.i)


def actor_ref(ent: Span, kb: KnowledgeView, acting: bool = True) -> tuple[EntityRef, EntityRef | None] | None:
    """What an entity span stands for as an actor, and the person behind it if any."""
    label = ent.label_
    kb_id = ent.kb_id_ or ""
    if label in ("STATE", "CAPITAL", "INSTITUTION", "DEMONYM", "GPE", "NORP"):
        state = kb.state_of(kb_id) if kb_id else None
        if state is None:
            return None
        if label in ("CAPITAL", "INSTITUTION") and not acting:
            return None
        return EntityRef(state, kb.name(state, ent.text)), None
    if label == "ORG":
        if not kb_id:
            return None
        org_type = kb.org_type(kb_id)
        if org_type in MEDIA_TYPES:
            return None
        state = kb.state_of(kb_id)
        if state and (org_type in STATE_ORGAN_TYPES or org_type.startswith(("ministry", "agency", "armed"))):
            return EntityRef(state, kb.name(state)), None
        return EntityRef(kb_id, kb.name(kb_id, ent.text)), None
    if label == "PERSON":
        if not kb_id:
            return None
        person = EntityRef(kb_id, kb.name(kb_id, ent.text))
        state = kb.state_of(kb_id)
        if state:
            return EntityRef(state, kb.name(state)), person
        return None
    return None


NON_ACTOR_PREPS = {"in", "near", "at", "outside", "across", "over", "against", "into", "on", "with", "from", "to",
                   "for", "about", "under", "within", "inside", "towards", "toward", "after", "before", "during"}


def _under_prep(tok: Token, head: Token, preps: set[str], heads: set[str] | None = None) -> bool:
    """Is tok's own noun phrase the object of one of `preps` ("to the United Nations", "in Ukraine")?"""
    cur = tok
    while cur.dep_ in ("compound", "amod", "poss", "nmod", "flat", "det", "case", "conj", "appos") and (
            cur.head != head):
        cur = cur.head
    return bool(cur.dep_ == "pobj" and cur.head.dep_ == "prep" and cur.head.lower_ in preps and (
        heads is None or cur.head.head.lemma_.lower() in heads))


class ActorFinder:
    """Finds the actors of a noun phrase, following coordination, apposition and "such as"."""

    def __init__(self, index: EntityIndex, kb: KnowledgeView, coref: CorefMemory) -> None:
        self.index = index
        self.kb = kb
        self.coref = coref

    def actors(self, head: Token | None, acting: bool = True, speaker_state: EntityRef | None = None
               ) -> list[Actor]:
        if head is None:
            return []
        found: list[Actor] = []
        seen: set[str] = set()
        for h in conjuncts(head):
            for actor in self._actors_of_np(h, acting, speaker_state):
                if actor.ref.id not in seen:
                    seen.add(actor.ref.id or "")
                    found.append(actor)
        return found

    def first(self, head: Token | None, acting: bool = True, speaker_state: EntityRef | None = None
              ) -> Actor | None:
        found = self.actors(head, acting, speaker_state)
        return found[0] if found else None

    def _governing_speaker(self, tok: Token) -> Actor | None:
        """The speaker of the reporting verb that governs tok ("X said that the country ...")."""
        cur = tok
        for _ in range(8):
            if cur.head == cur:
                return None
            cur = cur.head
            if cur.pos_ == "VERB" and cur.lemma_.lower() in REPORTING_LEMMAS:
                subj = next((c for c in cur.children if c.dep_ == "nsubj"), None)
                if subj is None or subj.lemma_.lower() in COUNTRY_NOUNS or subj.pos_ == "PRON" or (
                        subj.left_edge.i <= tok.i <= subj.right_edge.i):
                    return None  # "the country said ...": no speaker to lean on
                found = self.actors(subj)
                return found[0] if found else None
        return None

    def _clause_subject(self, pronoun: Token) -> Actor | None:
        """'Russia will supplement its use of ...' -> its = Russia; 'the Treasury said it had imposed' -> it = Treasury."""
        tok = pronoun
        for _ in range(8):
            if tok.head == tok:
                return None
            tok = tok.head
            if tok.pos_ not in ("VERB", "AUX"):
                continue
            for c in tok.children:
                if c.dep_ in ("nsubj", "nsubjpass") and c is not pronoun and not pronoun.is_ancestor(c) and (
                    c.pos_ != "PRON"
                ) and not c.is_ancestor(pronoun):
                    found = self.actors(c)
                    if found:
                        return found[0]
        return None

    def _actors_of_np(self, head: Token, acting: bool, speaker_state: EntityRef | None) -> list[Actor]:
        ent = self.index.get(head)
        if ent is not None and ent.label_ == "ORG" and self.kb.entity(ent.kb_id_) is None and (
                head.lemma_.lower() in GENERIC_ORGANS):
            # "the defence ministry said", "the Indian navy": an organ the catalogue cannot name is its
            # state's, the one its phrase names or else the one the text is about.
            modifiers = [a for c in head.children if c.dep_ in ("poss", "amod", "compound", "nmod")
                         for a in self.actors(c)]
            named = [a for a in modifiers if a.ref.id and len(a.ref.id) == 3]
            state = named[0].ref if named else self.coref.last_state()
            return [Actor(state, head, "coref")] if state else []
        if ent is not None and ent.label_ in ACTOR_LABELS:
            got = actor_ref(ent, self.kb, acting)
            if got:
                return [Actor(got[0], head, ent.label_, got[1])]
        low = head.lower_
        if any(c.dep_ == "det" and c.lower_ in ("any", "every", "all", "other") for c in head.children):
            return []  # 'to any NATO member', 'to other countries': no particular party
        if head.pos_ == "PRON" or low in PRONOUN_ACTORS:
            if low in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
                return self._actors_of_np(head.head.head, acting, speaker_state)
            if low in ("they", "them", "their"):
                # Plural pronouns point at groups ("the Houthis ... they"), rarely at a state; a wrong
                # supplier is worse than none.
                org = next((o for o in reversed(self.coref.orgs)
                            if self.kb.org_type(o.id or "") not in STATE_ORGAN_TYPES | MEDIA_TYPES), None)
                return [Actor(org, head, "coref")] if org is not None else []
            if low not in ("we", "our", "us", "i", "my", "he", "she", "his", "her"):
                clause_subject = self._clause_subject(head)
                if clause_subject is not None:
                    return [clause_subject]
            ref = self.coref.resolve_pronoun(low, speaker_state)
            return [Actor(ref, head, "coref")] if ref else []
        country_noun = head.lemma_.lower() in COUNTRY_NOUNS and any(c.lower_ in ("the", "this")
                                                                     for c in head.lefts)
        # The head is a common noun: look inside its phrase ("three U.S. officials",
        # "Russian forces", "countries such as Azerbaijan and Pakistan").
        out: list[Actor] = []
        names: list[Actor] = []
        modifiers: list[Actor] = []
        for tok in np_tokens(head):
            if tok == head:
                continue
            ent = self.index.get(tok)
            if ent is None or ent.label_ not in ACTOR_LABELS:
                continue
            # "the first member of NATO", "the capital of Ukraine": a relation, not the actor.
            if _under_prep(tok, head, {"of"}, RELATIONAL_HEADS):
                continue
            # A place after "in"/"near" inside the phrase is a location, not the actor; "Iran's mission
            # to the United Nations" is Iran's.
            if _under_prep(tok, head, NON_ACTOR_PREPS):
                continue
            got = actor_ref(ent, self.kb, acting)
            if got is None:
                continue
            actor = Actor(got[0], tok, ent.label_, got[1])
            if tok.dep_ in ("poss", "compound", "amod", "nmod") and tok.head == head:
                modifiers.append(actor)
            else:
                names.append(actor)
        # "countries such as X and Y": the named ones; "Russian forces": the modifier. A named
        # organisation or state beats a demonym ("Turkish drone maker Baykar" is Baykar).
        strong = [a for a in names if a.via not in ("DEMONYM", "NORP")]
        out = strong or [a for a in modifiers if a.via not in ("DEMONYM", "NORP")] or names or modifiers
        if not out and head.lemma_.lower() in GROUP_NOUNS and any(c.lower_ in ("the", "this") for c in head.lefts):
            ref = self.coref.last_org()
            if ref is not None:
                return [Actor(ref, head, "coref")]
        if not out and country_noun:
            # "the country": a named official speaking means his own country ("Amir-Abdolhian said the
            # country has no plans"); otherwise the last state the text was about ("US officials said
            # the country has sent shells").
            local = self._governing_speaker(head)
            if local is not None and local.person is not None:
                ref = local.ref
            elif local is None and self.coref.speaker_is_person:
                ref = speaker_state or self.coref.last_state()
            else:
                ref = self.coref.last_state() or speaker_state
            return [Actor(ref, head, "coref")] if ref else []
        dedup: dict[str, Actor] = {}
        for a in out:
            dedup.setdefault(a.ref.id or "", a)
        return list(dedup.values())


class CorefMemory:
    """What pronouns and "the country" point back to, within one document.

    Deliberately simple: the most recent state-like subject, and the most
    recent person who spoke. It is right for the way news paragraphs chain.
    """

    def __init__(self) -> None:
        self.states: list[EntityRef] = []
        self.actors: list[EntityRef] = []
        self.speakers: list[tuple[EntityRef, EntityRef | None]] = []  # (state, person)
        self.items: list[ItemHit] = []
        self.orgs: list[EntityRef] = []  # organisations named anywhere, for "the group", "the militia"
        self.speaker_is_person = False  # set per sentence by the reader

    def note_actor(self, ref: EntityRef) -> None:
        self.actors.append(ref)
        if ref.id and re.fullmatch(r"[A-Z]{3}", ref.id):
            self.states.append(ref)

    def note_speaker(self, state: EntityRef, person: EntityRef | None) -> None:
        self.speakers.append((state, person))

    def last_org(self) -> EntityRef | None:
        return self.orgs[-1] if self.orgs else None

    def last_state(self) -> EntityRef | None:
        return self.states[-1] if self.states else None

    def last_speaker(self) -> tuple[EntityRef, EntityRef | None] | None:
        return self.speakers[-1] if self.speakers else None

    def resolve_pronoun(self, word: str, speaker_state: EntityRef | None) -> EntityRef | None:
        if word in ("we", "our", "us", "i", "my"):
            return speaker_state
        if word in ("he", "she", "his", "her"):
            last = self.last_speaker()
            return last[0] if last else None
        if speaker_state is not None and word in ("it", "its"):
            return speaker_state
        if self.actors:
            return self.actors[-1]
        return None


def _phrase_candidates(tok: Token) -> list[str]:
    """Phrases ending in tok's lemma, built from its left modifiers ("short-range ballistic missile")."""
    lemma = tok.lemma_.lower() if tok.pos_ != "PROPN" else tok.lower_
    base = [lemma, tok.lower_]
    mods = [c for c in tok.lefts if c.dep_ in ("amod", "compound", "nmod", "npadvmod", "punct") and c.i < tok.i]
    out = list(base)
    if mods:
        start = min(m.left_edge.i for m in mods)
        words = [t.lower_ for t in tok.doc[start:tok.i]]
        for k in range(len(words)):
            prefix = " ".join(words[k:])
            out.extend(fold_phrase(f"{prefix} {b}") for b in base)
        # Coordinated modifiers: "suicide and combat drones" -> "suicide drone", "combat drone".
        for m in mods:
            for cj in m.conjuncts:
                out.extend(fold_phrase(f"{cj.lower_} {b}") for b in base)
    return out


def term_categories(tok: Token, lex: Lexicon) -> list[str]:
    """The item categories a noun names, longest phrase first; several for "suicide and combat drones"."""
    if tok.pos_ not in ("NOUN", "PROPN", "X", "ADJ") and tok.lemma_.lower() not in lex.item_heads:
        return []
    if tok.lemma_.lower() not in lex.item_heads and tok.lower_ not in lex.item_heads:
        return []  # every term ends in one of these words: most tokens stop here
    cands = _phrase_candidates(tok)
    hits = [c for c in cands if c in lex.item_terms]
    if not hits:
        return []
    best = max(hits, key=len)
    cats = [lex.item_terms[best]]
    for h in hits:
        cat = lex.item_terms[h]
        if cat not in cats and len(h.split()) > 1 and not best.endswith(h):
            cats.append(cat)
    return cats


ORIGIN_VERBS = {"supply", "provide", "make", "manufacture", "build", "produce", "send", "deliver", "give", "design",
                "develop", "smuggle", "ship"}
ORIGIN_SUFFIX = re.compile(r"-(made|built|designed|supplied|produced|manufactured|origin|developed|provided|"
                           r"sourced|donated|license[d]?)$", re.I)


class ItemFinder:
    def __init__(self, index: EntityIndex, kb: KnowledgeView, lex: Lexicon, extra_categories: dict[str, str]
                 ) -> None:
        self.index = index
        self.kb = kb
        self.lex = lex
        self.extra_categories = extra_categories
        self._cache: dict[tuple[int, bool, bool], list[ItemHit]] = {}

    def items(self, head: Token | None, sentence_has_weapon: bool = True, deep: bool = False) -> list[ItemHit]:
        """Items named in head's phrase; with deep=True also inside its clauses (cached per paragraph)."""
        if head is None:
            return []
        key = (head.i, sentence_has_weapon, deep)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._items(head, sentence_has_weapon, deep)
        return list(cached)

    def _items(self, head: Token, sentence_has_weapon: bool, deep: bool) -> list[ItemHit]:
        tokens = list(head.subtree) if deep else list(np_tokens(head))
        for cj in head.conjuncts:
            if cj.i > head.i and not deep:
                tokens.extend(np_tokens(cj))
        hits: list[ItemHit] = []
        seen_systems: set[str] = set()
        for tok in sorted(set(tokens), key=lambda t: t.i):
            ent = self.index.get(tok)
            if ent is not None and ent.label_ == "SYSTEM":
                sys_id = ent.kb_id_
                if not sys_id or sys_id in seen_systems:
                    continue
                seen_systems.add(sys_id)
                category = self.kb.category(sys_id) or self.extra_categories.get(sys_id)
                if category is None:
                    category = self._category_from_head(ent) or "military_equipment"
                # "Iranian Fateh-110 missiles": the origin may sit on the noun the designation modifies.
                explicit = self._explicit_origin(ent.root) or (
                    self._explicit_origin(ent.root.head) if ent.root.dep_ in ("compound", "nmod", "amod", "punct")
                    else None)
                origin = explicit or self.kb.origin(sys_id)
                hits.append(ItemHit(Item(category, EntityRef(sys_id, self.kb.name(sys_id, ent.text))), ent.root,
                                    origin, explicit_origin=explicit is not None))
                continue
            if tok.pos_ not in ("NOUN", "PROPN") or (ent is not None and ent.label_ in ACTOR_LABELS):
                continue
            cats = term_categories(tok, self.lex)
            if not cats or self._describes_designation(tok) or any(
                c.lemma_.lower() in CIVILIAN_MODIFIERS for c in tok.lefts):
                continue
            if tok.lemma_.lower() in self.lex.needs_context and not sentence_has_weapon:
                continue
            origin = self._explicit_origin(tok)
            for cat in cats:
                hits.append(ItemHit(Item(cat), tok, origin, explicit_origin=origin is not None))
            # "Shahed-136 drones" where the parser hung the designation elsewhere (often as punctuation).
            ent = self._adjacent_designation(tok)
            if ent is not None and ent.kb_id_ not in seen_systems:
                seen_systems.add(ent.kb_id_)
                category = self.kb.category(ent.kb_id_) or self.extra_categories.get(ent.kb_id_) or cats[0]
                sys_origin = origin or self.kb.origin(ent.kb_id_)
                hits.append(ItemHit(Item(category, EntityRef(ent.kb_id_, self.kb.name(ent.kb_id_, ent.text))),
                                    ent.root, sys_origin, explicit_origin=origin is not None))
        # A weapon word that only modifies another ("weapons-capable drones", "drone technology") is not
        # an item of its own: the head noun says what moves.
        generic_tokens = {h.token.i: h for h in hits if not h.item.system}
        hits = [h for h in hits if h.item.system or not any(
            other != h.token.i and h.token.i < other and h.token.doc[other].is_ancestor(h.token)
            for other in generic_tokens)]
        # A designation and the generic word it modifies ("Shahed-136 drones") are one item.
        systems = [h for h in hits if h.item.system]
        if systems:
            sys_tokens = {h.token.i for h in systems}
            hits = [h for h in hits if h.item.system or not (
                any(c.i in sys_tokens for c in h.token.children)
                or any(self.index.get(c) is not None and self.index.get(c).label_ == "SYSTEM"
                       for c in h.token.children)
                or h.token.i in sys_tokens
            ) or h.item.category not in {s.item.category for s in systems} and not _same_family(
                h.item.category, {s.item.category for s in systems})]
        return hits

    def _adjacent_designation(self, tok: Token) -> Span | None:
        """A designation standing right before a weapon word, across modifiers ("Fateh-110 ballistic missiles")."""
        doc = tok.doc
        j = tok.i - 1
        for _ in range(5):
            if j < 0:
                return None
            ent = self.index.get(doc[j])
            if ent is not None and ent.label_ == "SYSTEM" and ent.kb_id_:
                return ent
            if doc[j].dep_ not in ("amod", "compound", "nmod", "punct", "cc", "conj", "nummod") or doc[j].lower_ in (
                    ",", "and", "or") and ent is None and doc[j].dep_ not in ("cc",):
                return None
            j -= 1
        return None

    def _describes_designation(self, tok: Token) -> bool:
        """'the Storm Shadow, the UK name for the Anglo-French weapon': the apposition restates the item."""
        cur = tok
        for _ in range(4):
            if cur.dep_ == "appos":
                head_ent = self.index.get(cur.head)
                return head_ent is not None and head_ent.label_ == "SYSTEM"
            if cur.head == cur:
                return False
            cur = cur.head
        return False

    def _category_from_head(self, ent: Span) -> str | None:
        head = ent.root.head if ent.root.dep_ in ("compound", "nmod", "amod") else None
        if head is not None:
            cats = term_categories(head, self.lex)
            if cats:
                return cats[0]
        for tok in ent.doc[ent.end: ent.end + 3]:
            cats = term_categories(tok, self.lex)
            if cats:
                return cats[0]
        return None

    def _explicit_origin(self, tok: Token) -> str | None:
        """'Iranian-made drones', 'Iran's drones', 'drones from Iran', 'Turkey, whose drones'."""
        for c in tok.children:
            ent = self.index.get(c)
            if c.dep_ in ("amod", "compound", "nmod", "npadvmod") and ent is not None and ent.label_ in (
                "DEMONYM", "NORP", "STATE", "GPE"
            ):
                state = self.kb.state_of(ent.kb_id_) if ent.kb_id_ else None
                if state:
                    return state
            if c.dep_ == "poss" and c.lower_ == "whose" and tok.head.dep_ in ("relcl",):
                antecedent = tok.head.head
                ent = self.index.get(antecedent)
                if ent is not None and ent.kb_id_:
                    return self.kb.state_of(ent.kb_id_)
        # "rockets supplied by Iran", "drones made in Iran"
        for c in tok.children:
            if c.dep_ == "acl" and c.lemma_.lower() in ORIGIN_VERBS:
                for p in c.children:
                    if p.dep_ in ("agent", "prep") and p.lower_ in ("by", "in", "from"):
                        for o in p.children:
                            ent = self.index.get(o)
                            if ent is not None and ent.kb_id_ and ent.label_ in ("STATE", "CAPITAL", "DEMONYM",
                                                                               "GPE", "INSTITUTION"):
                                state = self.kb.state_of(ent.kb_id_)
                                if state:
                                    return state
        # "Iranian-made" is often split: Iranian (amod of made) - made (amod of drones)
        for c in tok.lefts:
            if c.dep_ in ("amod", "compound") and ORIGIN_SUFFIX.search(f"-{c.lower_}"):
                for cc in c.subtree:
                    ent = self.index.get(cc)
                    if ent is not None and ent.kb_id_ and ent.label_ in ("DEMONYM", "NORP", "STATE", "GPE"):
                        return self.kb.state_of(ent.kb_id_)
        # Anywhere in the left modifiers: "Iranian-made suicide and combat drones" (made hangs off "suicide").
        for t in tok.subtree:
            if t.i >= tok.i:
                break
            ent = self.index.get(t)
            if ent is not None and ent.label_ in ("DEMONYM", "NORP") and ent.kb_id_ and t.dep_ != "poss" and (
                    not _era(ent)):
                return self.kb.state_of(ent.kb_id_)
        return None


def _era(ent: Span) -> bool:
    """'Soviet-era tanks' says how old they are, not who supplies them."""
    doc = ent.doc
    following = [t.lower_ for t in doc[ent.end: ent.end + 2]]
    return "era" in following or ent.text.lower().endswith("-era")


def _same_family(category: str, others: set[str]) -> bool:
    family = {"loitering_munition": "uav"}
    return family.get(category, category) in {family.get(o, o) for o in others}
