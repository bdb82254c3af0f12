"""Reading one document: sentences in order, mentions out, then merged into events.

Order matters: pronouns, "the country" and denials that point back ("Iran
has denied the accusation") are resolved against what came before.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from armstrace.extract.actors import (
    ActorFinder,
    CorefMemory,
    EntityIndex,
    ItemFinder,
    KnowledgeView,
    actor_ref,
    term_categories,
)
from armstrace.extract.attribution import (
    Attribution,
    _date_of,
    attributions_for,
    sentence_speaker,
    speaker_actor,
)
from armstrace.extract.lexicon import Lexicon
from armstrace.extract.modality import read_negation, read_status
from armstrace.extract.normalize import looks_like_time
from armstrace.extract.readers import (
    Mention,
    SentenceContext,
    read_components_for_production,
    read_deal_noun,
    read_export_total,
    read_listing,
    read_offer,
    read_production,
    read_request,
    read_sanction_noun,
    read_sanction_verb,
    read_trainers,
    read_training,
    read_transfer_noun,
    read_transfer_verb,
    read_use,
    read_use_noun,
)
from armstrace.extract.syntax import PASSIVE_SUBJECT_DEPS, agent_of, child, prep_objects, subject
from armstrace.model import EntityRef

# Nouns for what others claim; denying one of them leaves the claim on record.
REPORTED_CLAIMS = {"report", "claim", "allegation", "accusation", "suggestion", "assertion", "charge", "rumour",
                   "rumor", "story", "speculation"}


@dataclass
class PointerStance:
    """'Tehran has rejected the accusation': a stance on an event named earlier."""

    attribution: Attribution
    sentence: Span
    order: int
    position: tuple[int, int] = (0, 0)  # (paragraph offset, sentence start) for ordering against denials


class DocumentReader:
    def __init__(self, kb: KnowledgeView, lex: Lexicon) -> None:
        self.kb = kb
        self.lex = lex
        self.coref = CorefMemory()
        self.mentions: list[Mention] = []
        self.pointers: list[PointerStance] = []
        self.denials: list[Mention] = []
        # Every designation the document names, with its category and origin, for merge.py to
        # attach to events that name only the generic word ("identified the weapon as the KN-23").
        self.systems: dict[str, tuple[str, str, str | None]] = {}
        # Where each designation is named (paragraph offsets) and which parties its sentences name, so
        # that it is attached only to events of the same passage or the same parties.
        self.system_offsets: dict[str, set[int]] = {}
        self.system_parties: dict[str, set[str]] = {}
        # "The missiles were Iranian-made": item family -> the state the text says made it.
        self.family_origins: dict[str, EntityRef] = {}
        self.doc_has_weapon = False
        self._offset = 0

    # ---- per paragraph -------------------------------------------------
    def read_paragraph(self, doc: Doc, offset: int) -> None:
        self._offset = offset
        index = EntityIndex(doc)
        extra = getattr(doc._, "armstrace_categories", None) if doc.has_extension("armstrace_categories") else None
        actors = ActorFinder(index, self.kb, self.coref)
        items = ItemFinder(index, self.kb, self.lex, extra or {})
        for sent in doc.sents:
            self._read_sentence(sent, actors, items, offset)

    def _read_sentence(self, sent: Span, actors: ActorFinder, items: ItemFinder, offset: int) -> None:
        lex = self.lex
        speaker = sentence_speaker(sent, actors, lex)
        if speaker is None and any(t.lower_ in ("we", "our", "us") for t in sent):
            last = self.coref.last_speaker()
            speaker = last
        speaker_state = speaker[0] if speaker else None
        self.coref.speaker_is_person = bool(speaker and speaker[1] is not None)
        has_weapon = any(term_categories(t, lex) for t in sent if t.pos_ in ("NOUN", "PROPN") and
                         t.lemma_.lower() not in lex.needs_context) or any(
            t.ent_type_ == "SYSTEM" for t in sent) or any(t.lemma_.lower() in ("military", "defense", "defence", "weapon", "production", "manufacturing",
                                         "arms") for t in sent)
        # Context carries over: "engines" after a paragraph about Shahed drones are drone engines.
        has_weapon = has_weapon or self.doc_has_weapon
        self.doc_has_weapon = has_weapon
        ctx = SentenceContext(sent, actors, items, lex, speaker_state, has_weapon)
        found: list[Mention] = []
        for tok in sent:
            found.extend(self._read_token(ctx, tok))
        # Components for production become production.
        converted: list[Mention] = []
        for m in found:
            prod = read_components_for_production(ctx, m)
            converted.append(prod if prod is not None else m)
        found = _dedupe(converted)
        for m in found:
            m.status = m.forced_status or read_status(m.trigger, lex)
            m.negated = read_negation(m.trigger, lex)
            atts = attributions_for(m.trigger, sent, actors, lex, speaker_state)
            m.stance = atts
            m.quantity_text = _quantity_text(m)
            m.time_text = _time_text(m.trigger)
            m.offset = offset  # type: ignore[attr-defined]
        self._note_origin_statements(sent, actors, items)
        for m in found:
            (self.denials if m.negated or _denied_only(m) else self.mentions).append(m)
        # After this sentence's own mentions: "X acknowledged it had sent drones, after months in which
        # its officials brushed aside accusations" points at the event named just before, in the sentence.
        self._note_pointer_stances(sent, actors, speaker_state, found)
        self._remember(sent, actors, items, speaker)

    def _read_token(self, ctx: SentenceContext, tok: Token) -> list[Mention]:
        lex = self.lex
        lemma = tok.lemma_.lower()
        out: list[Mention] = []
        # "the production of or transfer to Russia of drones": a noun the tagger took for a verb.
        misread_noun = tok.pos_ == "VERB" and tok.dep_ == "conj" and tok.head.pos_ == "NOUN" and not any(
            c.dep_ in ("nsubj", "aux", "dobj") for c in tok.children)
        if (tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB")) and not misread_noun:
            if lemma in lex.words("transfer", "give_verbs"):
                # 'ready to export', 'in a position to export', 'can export' -> offer
                offer_head = _offer_head(tok, lex)
                if offer_head is not None:
                    out += read_offer(ctx, offer_head, tok)
                else:
                    out += read_transfer_verb(ctx, tok, "give")
            elif lemma in lex.words("transfer", "request_verbs") and prep_objects(tok, "for"):
                out += read_request(ctx, tok)
            elif lemma in lex.words("transfer", "take_verbs"):
                out += read_transfer_verb(ctx, tok, "take")
            elif lemma in lex.words("transfer", "equip_verbs"):
                out += read_transfer_verb(ctx, tok, "equip")
            if lemma in lex.words("offer", "verbs"):
                out += read_offer(ctx, tok, tok)
            if lemma in lex.words("use", "verbs"):
                out += read_use(ctx, tok)
            if lemma in lex.words("training", "verbs"):
                out += read_training(ctx, tok)
            if lemma in lex.words("production", "verbs") or lemma in lex.words("production", "opening_verbs"):
                out += read_production(ctx, tok)
            if lemma in lex.words("sanction", "direct_verbs"):
                out += read_sanction_verb(ctx, tok, direct=True)
            if lemma in lex.words("sanction", "listing_verbs"):
                out += read_listing(ctx, tok)
            if lemma in lex.words("sanction", "impose_verbs"):
                out += read_sanction_verb(ctx, tok, direct=False)
        elif tok.pos_ in ("NOUN", "PROPN") or misread_noun:
            if lemma in lex.words("modality", "agreement_nouns"):
                out += read_deal_noun(ctx, tok)
            elif lemma in lex.words("transfer", "give_nouns"):
                out += read_transfer_noun(ctx, tok, "give")
            elif lemma in lex.words("transfer", "take_nouns"):
                out += read_transfer_noun(ctx, tok, "take")
            if lemma in lex.words("training", "trainer_nouns"):
                out += read_trainers(ctx, tok)
            if lemma in lex.words("use", "nouns"):
                out += read_use_noun(ctx, tok)
            if lemma in lex.words("production", "nouns") or lemma in lex.words("production", "facility_nouns"):
                out += read_production(ctx, tok)
            if lemma in lex.words("sanction", "nouns") and not _sanction_ending(tok, lex):
                out += read_sanction_noun(ctx, tok)
            if lemma in lex.words("export_total", "nouns") and any(
                c.lemma_.lower() in lex.words("export_total", "modifiers") or c.lower_ in
                lex.words("export_total", "modifiers") for c in tok.lefts
            ):
                money = next((e for e in ctx.sentence.ents if e.label_ == "MONEY"), None)
                if money is not None:
                    out += read_export_total(ctx, tok, money)
        return out

    def _note_pointer_stances(self, sent: Span, actors: ActorFinder, speaker_state, found: list[Mention]) -> None:
        """'Iran has denied the accusation', 'The US claim was denied by Kanaani', 'X confirmed this matter'."""
        lex = self.lex
        deny = lex.words("attribution", "deny_verbs")
        assert_verbs = lex.words("attribution", "assert_verbs")
        pointer_objects = lex.words("attribution", "pointer_objects")
        deny_particles = {tuple(p.split()) for p in lex.raw["attribution"].get("deny_phrases", [])}
        dismissive = lex.words("attribution", "dismissive_words")
        for tok in sent:
            lemma = tok.lemma_.lower()
            particle = next((c.lower_ for c in tok.children if c.dep_ == "prt"), None)
            if (lemma, particle) in deny_particles:
                lemma = "deny"  # 'brushed aside the accusations', 'shrugged off the reports'
            elif lemma in ("call", "describe", "label", "brand", "term") and any(
                    t.lemma_.lower() in dismissive for c in tok.children if c.dep_ in ("oprd", "attr", "xcomp", "ccomp")
                    for t in c.subtree):
                lemma = "deny"  # 'called the accusation a groundless smear'
            if tok.pos_ != "VERB" or (lemma not in deny and lemma not in assert_verbs):
                continue
            if any(m.trigger.i in {t.i for t in tok.subtree} and m.trigger != tok for m in found):
                continue  # the verb governs an event of its own sentence
            passive = child(tok, *PASSIVE_SUBJECT_DEPS) is not None
            obj = child(tok, *PASSIVE_SUBJECT_DEPS) if passive else child(tok, "dobj")
            relative = obj is not None and obj.lower_ in ("which", "that") and tok.dep_ == "relcl"
            if obj is None or (not relative and obj.lemma_.lower() not in pointer_objects
                               and obj.lower_ not in pointer_objects):
                continue
            spk = agent_of(tok) if passive else child(tok, "nsubj") if relative else subject(tok)
            who = speaker_actor(actors, spk, lex, speaker_state)
            if who is None:
                continue
            polarity = "denies" if lemma in deny else "asserts"
            attribution = Attribution(who[0], polarity, who[1], _date_of(tok), tok)
            if relative:
                # "... to send Fateh-110 missiles, which Iranian officials deny": the event just named.
                before = [m for m in found if m.trigger.i < tok.i]
                if before:
                    before[-1].stance.append(attribution)
                continue
            self.pointers.append(PointerStance(attribution, sent, len(self.mentions),
                                               (self._offset, sent.start_char)))
            self.coref.note_speaker(who[0], who[1])
            # 'brushed aside accusations from Kyiv and Washington': the accusers assert what is denied.
            accusers = [a for t in prep_objects(obj, "from", "by") for a in actors.actors(t)] + [
                a for c in obj.children if c.dep_ in ("poss", "amod", "compound") for a in actors.actors(c)]
            for accuser in accusers:
                if accuser.ref.id != who[0].id:
                    self.pointers.append(PointerStance(Attribution(accuser.ref, "asserts", accuser.person, None,
                                                                   tok), sent, len(self.mentions),
                                                       (self._offset, sent.start_char)))

    def _note_origin_statements(self, sent: Span, actors: ActorFinder, items: ItemFinder) -> None:
        """'The missiles were Iranian-made', 'the drones were made in Iran', 'the rifles came from Serbia'."""
        from armstrace.ontology import coarse_category

        for tok in sent:
            if tok.lemma_ not in ("be", "come", "make", "manufacture", "produce", "originate"):
                continue
            subj = child(tok, "nsubj", "nsubjpass")
            hits = items.items(subj) if subj is not None else []
            if not hits:
                continue
            state: EntityRef | None = None
            for c in tok.children:
                if c.dep_ in ("acomp", "attr", "oprd", "amod", "advmod"):
                    for t in c.subtree:
                        ent = actors.index.get(t)
                        if ent is not None and ent.label_ in ("DEMONYM", "NORP", "STATE") and ent.kb_id_:
                            sid = self.kb.state_of(ent.kb_id_)
                            if sid:
                                state = EntityRef(sid, self.kb.name(sid))
                                break
                if c.dep_ == "prep" and c.lower_ in ("from", "in", "by"):
                    found = actors.first(child(c, "pobj"))
                    if found is not None:
                        state = found.ref
                if state is not None:
                    break
            if state is not None:
                for h in hits:
                    self.family_origins.setdefault(coarse_category(h.item.category), state)

    def _remember(self, sent: Span, actors: ActorFinder, items: ItemFinder, speaker) -> None:
        if speaker is not None:
            self.coref.note_speaker(speaker[0], speaker[1])
        for tok in sent:
            if tok.dep_ in ("nsubj", "nsubjpass") or tok.dep_ == "ROOT":
                for actor in actors.actors(tok):
                    if actor.via not in ("PERSON", "coref"):
                        self.coref.note_actor(actor.ref)
        for ent in sent.ents:
            if ent.label_ == "ORG":
                got = actor_ref(ent, self.kb)
                if got is not None and got[0].id and got[0].id.startswith("org:"):
                    self.coref.orgs.append(got[0])
        hits = [h for t in sent if t.pos_ in ("NOUN", "PROPN", "NUM", "X") for h in items.items(t)]
        for h in hits:
            if h.item.system is not None and h.item.system.id:
                self.systems.setdefault(h.item.system.id, (h.item.system.name, h.item.category, h.origin))
                self.system_offsets.setdefault(h.item.system.id, set()).add(self._offset)
                parties = self.system_parties.setdefault(h.item.system.id, set())
                for ent in sent.ents:
                    got = actor_ref(ent, self.kb)
                    if got is not None and got[0].id:
                        parties.add(got[0].id)
        if hits:
            self.coref.items.extend(hits)


def _offer_head(verb: Token, lex: Lexicon) -> Token | None:
    """The word that makes a supply verb an offer: 'ready to export', 'in a position to export', 'can export'."""
    head = verb.head
    if verb.dep_ == "xcomp" and head.lemma_.lower() in lex.words("offer", "adjectives"):
        return head
    if verb.dep_ == "xcomp" and head.lemma_.lower() in lex.words("offer", "verbs"):
        return head  # 'Iran has offered to sell Su-22 parts
    if verb.dep_ in ("acl", "relcl") and head.lemma_.lower() in lex.words("offer", "position_nouns"):
        return head
    if verb.dep_ == "relcl" and head.lemma_.lower() in lex.words("offer", "position_nouns"):
        return head
    if any(c.dep_ == "aux" and c.lower_ == "can" for c in verb.children) and verb.lemma_ in ("export", "sell",
                                                                                               "supply"):
        return verb
    if verb.dep_ == "relcl" and head.head.lemma_.lower() in lex.words("offer", "position_nouns"):
        return head.head
    return None


def _sanction_ending(noun: Token, lex: Lexicon) -> bool:
    ending = lex.words("sanction", "ending_verbs")
    tok = noun
    for _ in range(3):
        tok = tok.head
        if tok.lemma_.lower() in ending:
            return True
        if tok.head == tok:
            break
    return False


def _denied_only(m: Mention) -> bool:
    """Only a denial speaks of it, and no report is denied: 'Moscow has denied using drones'.

    'France denied reports that it had sold Rafales to Algeria' denies what the reports claim: that
    is an event, with France's denial.
    """
    if not m.stance or not all(a.polarity == "denies" for a in m.stance):
        return False
    for att in m.stance:
        verb = att.verb
        obj = next((c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")), None) if verb is not None else None
        if obj is not None and obj.lemma_.lower() in REPORTED_CLAIMS and obj.is_ancestor(m.trigger):
            return False
    return True


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    seen: set[tuple] = set()
    for m in mentions:
        key = (m.type, m.supplier.id if m.supplier else None, m.recipient.id if m.recipient else None, m.trigger.i)
        if key in seen:
            continue
        seen.add(key)
        out.append(m)
    return out


def _quantity_text(m: Mention) -> str | None:
    for hit in m.items:
        tok = hit.token
        for c in tok.children:
            if c.ent_type_ not in ("", "CARDINAL", "QUANTITY"):
                continue  # the "2" of "Ababil 2" is part of a name, not a count
            if c.dep_ == "nummod" or (c.dep_ == "amod" and c.lower_ in ("several", "numerous", "few")):
                return " ".join(t.text for t in c.subtree)
        head = tok.head
        if tok.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ in ("NOUN", "NUM"):
            q = head.head
            if q.like_num or q.lemma_.lower() in ("hundred", "thousand", "dozen", "dozens", "hundreds", "thousands",
                                                   "batch", "number", "score", "scores"):
                return " ".join(t.text for t in q.subtree if t.i < head.i)
    return None


def _time_text(trigger: Token) -> str | None:
    for c in trigger.children:
        if c.ent_type_ in ("DATE",) and looks_like_time(" ".join(t.text for t in c.subtree)):
            return " ".join(t.text for t in c.subtree)
        if c.dep_ == "prep" and c.lower_ in ("in", "on", "since", "by", "during", "until", "before", "after"):
            for p in c.children:
                if p.ent_type_ == "DATE":
                    return " ".join(t.text for t in c.subtree)
    return None
