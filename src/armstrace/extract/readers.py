"""Event readers: from a parsed sentence to event mentions.

Each reader looks for one family of triggers (from data/triggers.yaml) and
fills the roles from the dependency parse. A mention is one reading of one
sentence; merge.py later folds a document's mentions into its events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from armstrace.extract.actors import Actor, ActorFinder, ItemFinder, ItemHit, actor_ref
from armstrace.extract.lexicon import Lexicon
from armstrace.extract.syntax import (
    PASSIVE_SUBJECT_DEPS,
    agent_of,
    child,
    conjuncts,
    is_passive,
    prep_objects,
    subject,
)
from armstrace.model import EntityRef, Item


@dataclass
class Mention:
    type: str
    supplier: EntityRef | None
    recipient: EntityRef | None
    items: list[ItemHit]
    trigger: Token
    sentence: Span
    place: EntityRef | None = None
    target: EntityRef | None = None
    value_text: str | None = None
    # Set by modality/attribution:
    status: str | None = None
    negated: bool = False
    stance: list = field(default_factory=list)
    quantity_text: str | None = None
    time_text: str | None = None
    forced_status: str | None = None  # readers that know better than the modality rules

    @property
    def item_list(self) -> list[Item]:
        out: list[Item] = []
        for hit in self.items:
            if hit.item not in out:
                out.append(hit.item)
        return out


@dataclass
class SentenceContext:
    sentence: Span
    actors: ActorFinder
    items: ItemFinder
    lex: Lexicon
    speaker_state: EntityRef | None = None
    has_weapon: bool = True


def _ref(actor: Actor | None) -> EntityRef | None:
    return actor.ref if actor else None


def _origin_of(items: list[ItemHit]) -> tuple[str | None, bool]:
    explicit = [h.origin for h in items if h.origin and h.explicit_origin]
    if explicit:
        return explicit[0], True
    known = [h.origin for h in items if h.origin]
    return (known[0], False) if known else (None, False)


def _origin_ref(ctx: SentenceContext, items: list[ItemHit]) -> tuple[EntityRef | None, bool]:
    origin, explicit = _origin_of(items)
    if not origin:
        return None, False
    return EntityRef(origin, ctx.actors.kb.name(origin)), explicit


def _is_item_phrase(ctx: SentenceContext, tok: Token | None) -> bool:
    return bool(tok is not None and ctx.items.items(tok, ctx.has_weapon))


def _pronoun_items(ctx: SentenceContext, tok: Token | None) -> list[ItemHit]:
    """'supplying them', 'adopted it': the items most recently named in the document."""
    if tok is None or tok.lower_ not in ("them", "it", "these", "those", "they", "some"):
        return []
    # Items named earlier in the same sentence come first ("denied using X, although it admitted supplying them").
    earlier = [h for t in ctx.sentence if t.i < tok.i and t.pos_ in ("NOUN", "PROPN")
               for h in ctx.items.items(t, ctx.has_weapon)]
    if earlier:
        # The nearest phrase: "it" is the last item named, "them" that item with its conjuncts.
        last = earlier[-1].token
        group = {last.i, *(c.i for c in last.conjuncts)}
        return [h for h in earlier if h.token.i in group] or earlier[-1:]
    memory = ctx.actors.coref.items
    if not memory:
        return []
    last = memory[-1]
    return [h for h in memory if h.token.sent == last.token.sent]


def object_like(ctx: SentenceContext, verb: Token) -> Token | None:
    """The direct object, or where a bad parse put it ('produce drones to be used' -> ccomp's subject)."""
    obj = child(verb, "dobj", "obj")
    if obj is not None:
        return obj
    for c in verb.children:
        if c.dep_ in ("ccomp", "xcomp") and c.i > verb.i:
            inner = child(c, "nsubj", "nsubjpass")
            if inner is not None and ctx.items.items(inner, ctx.has_weapon):
                return inner
    return None


def following_items(ctx: SentenceContext, verb: Token) -> list[ItemHit]:
    """Items in the words right after a verb the parser left without an object (up to a comma or a verb)."""
    hits: list[ItemHit] = []
    for tok in ctx.sentence.doc[verb.i + 1: min(ctx.sentence.end, verb.i + 14)]:
        if tok.text in (",", ";", ":") or (tok.pos_ == "VERB" and tok.dep_ not in ("amod", "compound")):
            break
        if tok.pos_ in ("NOUN", "PROPN", "PUNCT", "NUM", "X") or tok.ent_type_ == "SYSTEM":
            for h in ctx.items.items(tok, ctx.has_weapon):
                if all(h.token.i != o.token.i for o in hits):
                    hits.append(h)
    return hits


def _recipients_of_give(ctx: SentenceContext, verb: Token, obj: Token | None) -> list[Actor]:
    recips: list[Actor] = []
    for tok in prep_objects(verb, "to", "for") + (prep_objects(obj, "to") if obj is not None else []):
        if tok.head.lower_ == "for" and tok.pos_ == "VERB":
            continue
        recips.extend(ctx.actors.actors(tok, speaker_state=ctx.speaker_state))
    dative = child(verb, "dative")
    if dative is not None and dative.lower_ not in ("to", "for"):
        recips.extend(ctx.actors.actors(dative, speaker_state=ctx.speaker_state))
    return recips


def read_transfer_verb(ctx: SentenceContext, verb: Token, direction: str) -> list[Mention]:
    passive = is_passive(verb)
    subj = subject(verb)
    obj = object_like(ctx, verb)
    if obj is not None and obj.lower_ in ("which", "that") and verb.dep_ == "relcl":
        obj = verb.head  # 'the Shahed drones, which Tehran shipped to Moscow'
    items: list[ItemHit] = []
    suppliers: list[Actor] = []
    recipients: list[Actor] = []
    if direction == "give":
        # Double object: "Iran supplied Russia with drones".
        with_objs = prep_objects(verb, "with")
        if obj is not None and with_objs and ctx.actors.actors(obj, speaker_state=ctx.speaker_state):
            recipients = ctx.actors.actors(obj, speaker_state=ctx.speaker_state)
            for w in with_objs:
                items += ctx.items.items(w, ctx.has_weapon)
        elif verb.lemma_.lower() in ctx.lex.words("transfer", "arming_verbs") and obj is not None and (
            obj.pos_ != "PRON" or verb.lemma_.lower() in ("arm", "rearm")
        ) and not ctx.items.items(obj, ctx.has_weapon) and ctx.actors.actors(obj, speaker_state=ctx.speaker_state):
            # "Tehran was arming the Houthis": the object is the recipient; items, if any, follow "with".
            recipients = ctx.actors.actors(obj, speaker_state=ctx.speaker_state)
            items = [h for w in prep_objects(verb, "with") for h in ctx.items.items(w, ctx.has_weapon)] or [
                ItemHit(Item("military_equipment"), verb, None)]
        else:
            theme = child(verb, *PASSIVE_SUBJECT_DEPS) if passive else obj
            if theme is None and verb.dep_ == "acl" and passive:
                theme = verb.head  # "drones supplied to Russia"
            items = ctx.items.items(theme, ctx.has_weapon) or _pronoun_items(ctx, theme)
            if theme is None and not passive:
                items = following_items(ctx, verb)
            if theme is not None and theme.dep_ == "nsubjpass" and not items:
                items = ctx.items.items(theme, ctx.has_weapon)
            recipients = _recipients_of_give(ctx, verb, theme if not passive else None)
            if obj is not None and not recipients and not items:
                return []
        if passive:
            suppliers = ctx.actors.actors(agent_of(verb), speaker_state=ctx.speaker_state)
            suppliers += ctx.actors.actors(next(iter(prep_objects(verb, "from")), None),
                                           speaker_state=ctx.speaker_state)
            if not suppliers:
                # 'Serbian-made shells have been shipped to Ukraine': the text names the maker; a bare
                # designation's maker is not named as the donor ('T-72s were sent to Ukraine').
                origin, explicit = _origin_ref(ctx, items)
                if origin is not None and explicit:
                    suppliers = [Actor(origin, verb, "origin")]
        else:
            suppliers = ctx.actors.actors(subj, speaker_state=ctx.speaker_state)
    elif direction == "take":
        theme = child(verb, *PASSIVE_SUBJECT_DEPS) if passive else obj
        if theme is None and verb.dep_ == "acl":
            theme = verb.head
        items = ctx.items.items(theme, ctx.has_weapon) or _pronoun_items(ctx, theme)
        if theme is not None and theme.lemma_ in ("delivery", "shipment", "consignment", "batch"):
            items = ctx.items.items(theme, ctx.has_weapon, deep=True)
        if passive:
            recipients = ctx.actors.actors(agent_of(verb), speaker_state=ctx.speaker_state)
        else:
            recipients = ctx.actors.actors(subj, speaker_state=ctx.speaker_state)
        suppliers = _sources(ctx, verb, theme, items)
        if not suppliers:
            suppliers = _deal_partners(ctx, verb)
        if not suppliers:
            suppliers = _origin_supplier(ctx, verb, items, recipients)
    else:  # equip: "Russia will supplement its arsenal with Iranian missiles"
        with_objs = prep_objects(verb, "with")
        for w in with_objs:
            items += ctx.items.items(w, ctx.has_weapon)
        if not with_objs and verb.lemma_ not in ("supplement", "bolster", "reinforce", "augment", "replenish",
                                                  "restock", "equip", "boost"):
            items = ctx.items.items(obj, ctx.has_weapon)
        recipients = ctx.actors.actors(subj, speaker_state=ctx.speaker_state)
        origin, explicit = _origin_ref(ctx, items)
        if origin is None or not explicit:
            return []
        items = [h for h in items if h.origin == origin.id]
        suppliers = [Actor(origin, verb, "origin")]
    if not items:
        return []
    return _combine(ctx, "transfer", verb, suppliers, recipients, items)


def _combine(ctx: SentenceContext, event_type: str, trigger: Token, suppliers: list[Actor],
             recipients: list[Actor], items: list[ItemHit], allow_null: str = "either",
             **extra: EntityRef | str | None) -> list[Mention]:
    """One mention per supplier x recipient pair (coordination gives several events)."""
    sups = [a.ref for a in suppliers] or [None]
    recs = [a.ref for a in recipients] or [None]
    out: list[Mention] = []
    for s in sups:
        for r in recs:
            if s is None and r is None:
                continue
            if allow_null == "none" and (s is None or r is None):
                continue
            if allow_null == "recipient" and s is None:
                continue
            if s is not None and r is not None and s.id == r.id:
                continue
            if event_type == "production" and s is not None and r is not None:
                state_of = ctx.actors.kb.state_of
                if state_of(s.id) is not None and state_of(s.id) == state_of(r.id):
                    continue  # a German company building a plant in Germany is domestic production
            pair_items = list(items)
            if r is not None and items and event_type in ("transfer", "production"):
                # nobody receives their own country's weapons from abroad
                pair_items = [h for h in items if not (h.explicit_origin and h.origin == r.id)]
                if not pair_items:
                    continue
            out.append(Mention(event_type, s, r, pair_items, trigger, ctx.sentence, **extra))
    return out


def _sources(ctx: SentenceContext, verb: Token, theme: Token | None, items: list[ItemHit]) -> list[Actor]:
    """'from X' on the verb, on the object or any of its conjuncts, or on an item noun."""
    holders = [verb]
    if theme is not None:
        holders += [theme, *theme.conjuncts]
    holders += [h.token for h in items]
    out: list[Actor] = []
    seen: set[int] = set()
    for holder in holders:
        if holder.i in seen:
            continue
        seen.add(holder.i)
        for src in prep_objects(holder, "from"):
            out += ctx.actors.actors(src, speaker_state=ctx.speaker_state)
    return out


def _deal_partners(ctx: SentenceContext, verb: Token) -> list[Actor]:
    """'signed a deal with France to buy Rafales', 'in talks with South Korea about buying K9s'."""
    partner_nouns = ctx.lex.words("modality", "agreement_nouns") | ctx.lex.words("transfer", "partner_nouns")
    tok = verb
    for _ in range(4):
        if tok.head == tok:
            break
        tok = tok.head
        if tok.lemma_.lower() in partner_nouns or tok.lemma_.lower() in ctx.lex.words("modality", "agreed_words"):
            found = [a for w in prep_objects(tok, "with") for a in ctx.actors.actors(w)]
            if found:
                return found
    return []


def _origin_supplier(ctx: SentenceContext, trigger: Token, items: list[ItemHit], recipients: list[Actor]
                     ) -> list[Actor]:
    """A buyer of 'Korean air defence' or of Su-57s buys from the items' maker state."""
    origin, explicit = _origin_ref(ctx, items)
    if origin is None:
        return []
    if not explicit and not any(h.item.system for h in items):
        return []
    if any(r.ref.id == origin.id for r in recipients):
        return []
    return [Actor(origin, trigger, "origin")]


def read_transfer_noun(ctx: SentenceContext, noun: Token, direction: str) -> list[Mention]:
    """'Iran's sale of drones to Venezuela', 'Chinese arms exports to Serbia', 'the delivery of Patriots to Kyiv'."""
    if any(c.dep_ == "det" and c.lower_ in ("any", "no") for c in noun.children):
        return []  # 'any arms supplies to Ukraine would ...': a hypothetical, not a report
    items: list[ItemHit] = []
    # 'the sale of drones', 'an order for nine C-390 aircraft'
    for of in prep_objects(noun, "of", "for"):
        items += ctx.items.items(of, ctx.has_weapon)
    for c in noun.lefts:
        if c.dep_ in ("compound", "amod", "nmod"):
            items += ctx.items.items(c, ctx.has_weapon)
    if noun.lemma_ in ("arms",):
        items += ctx.items.items(noun, ctx.has_weapon)
    # 'a $400 million military aid package for Ukraine that includes Patriot interceptors'
    for rel in noun.children:
        if rel.dep_ in ("relcl", "acl") and rel.lemma_.lower() in ("include", "contain", "comprise", "feature"):
            items += ctx.items.items(child(rel, "dobj"), ctx.has_weapon)
    if not items:
        return []
    own: list[Actor] = []
    for c in noun.children:
        if c.dep_ in ("poss", "amod", "compound", "nmod"):
            own += [a for a in ctx.actors.actors(c, speaker_state=ctx.speaker_state)]
    by = ctx.actors.actors(next(iter(prep_objects(noun, "by")), None), speaker_state=ctx.speaker_state)
    governor = noun.head if noun.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj", "attr") else None
    if governor is not None and governor.dep_ == "prep":
        governor = governor.head
    # 'took delivery of six J-10Cs from China': the preposition may hang on the verb or the items.
    holders = [noun] + ([governor] if governor is not None and noun.dep_ == "dobj" else []) + [
        h.token for h in items]
    to_preps = ("to", "for") if noun.lemma_.lower() in ("package", "aid", "assistance", "tranche", "batch") else ("to",)
    to = [a for hd in holders for t in prep_objects(hd, *to_preps)
          for a in ctx.actors.actors(t, speaker_state=ctx.speaker_state)]
    frm = [a for hd in holders for t in prep_objects(hd, "from")
           for a in ctx.actors.actors(t, speaker_state=ctx.speaker_state)]
    gov_subject = ctx.actors.actors(subject(governor), speaker_state=ctx.speaker_state) if (
        governor is not None and governor.pos_ in ("VERB", "AUX") and noun.dep_ in ("dobj", "attr")) else []
    lemma = noun.lemma_.lower()
    if lemma in ctx.lex.words("transfer", "agent_nouns"):
        # 'India has become Armenia's largest arms supplier': the possessor is the other party.
        is_seller = lemma in ctx.lex.words("transfer", "give_nouns")
        others = own or [a for t in prep_objects(noun, "to", "of", "for") for a in ctx.actors.actors(t)]
        selves = gov_subject
        suppliers, recipients = (selves, others) if is_seller else (others, selves)
        if not suppliers:
            suppliers = _origin_supplier(ctx, noun, items, recipients)
        return _combine(ctx, "transfer", noun, suppliers, recipients, items, allow_null="either")
    if direction == "give":
        suppliers = own or by or frm
        recipients = to
        if governor is not None and governor.lemma_ in ctx.lex.words("transfer", "receive_light_verbs"):
            recipients = recipients or gov_subject
        elif not suppliers:
            suppliers = gov_subject
        if not suppliers:
            origin, explicit = _origin_ref(ctx, items)
            if origin is not None and explicit:
                suppliers = [Actor(origin, noun, "origin")]
    else:
        recipients = own or by or gov_subject
        suppliers = frm or _origin_supplier(ctx, noun, items, recipients)
    # One party may be left for the document to supply ("Britain's delivery of the Storm Shadow"
    # in an article about Ukraine); merge.py completes it or drops the mention.
    return _combine(ctx, "transfer", noun, suppliers, recipients, items, allow_null="either")


def read_deal_noun(ctx: SentenceContext, noun: Token) -> list[Mention]:
    """'Saudi Arabia signed a contract for Cheongung II batteries from South Korea's LIG Nex1',
    'a $3.5 billion order from the UAE for air defence batteries', 'a contract with Egypt for K9 howitzers'.

    Who sells is decided by the items' maker where the text does not say: a contract's signer is
    usually the buyer, but not when the signer made the weapons.
    """
    governor = noun.head if noun.dep_ in ("dobj", "nsubjpass", "nsubj") else None
    items: list[ItemHit] = []
    # 'a contract for ten batteries' (the parser may hang "for" on "signed")
    for p in prep_objects(noun, "for", "of") + (prep_objects(governor, "for") if governor is not None else []):
        items += ctx.items.items(p, ctx.has_weapon)
    if not items:
        return []
    signers = ctx.actors.actors(subject(governor), speaker_state=ctx.speaker_state) if (
        governor is not None and governor.pos_ == "VERB" and noun.dep_ == "dobj") else []
    signers += [a for c in noun.children if c.dep_ == "poss" for a in ctx.actors.actors(c)]
    partners = [a for t in prep_objects(noun, "with") for a in ctx.actors.actors(t)]
    # "from" on the noun: 'an order from the UAE' (the buyer for an order, the seller for a contract)
    noun_sources = [a for t in prep_objects(noun, "from") for a in ctx.actors.actors(t)]
    # "from" elsewhere always names the seller: 'an order for nine C-390 aircraft from Brazil's Embraer'
    sellers_named: list[Actor] = []
    if governor is not None:
        partners += [a for t in prep_objects(governor, "with") for a in ctx.actors.actors(t)]
        sellers_named += [a for t in prep_objects(governor, "from") for a in ctx.actors.actors(t)]
    sellers_named += [a for h in items for t in prep_objects(h.token, "from") for a in ctx.actors.actors(t)]
    origin, _explicit = _origin_ref(ctx, items)
    state_of = ctx.actors.kb.state_of
    parties = signers + partners + noun_sources + sellers_named
    makers = [a for a in parties if origin is not None and state_of(a.ref.id) == origin.id]
    if noun.lemma_.lower() == "order":
        buyers = noun_sources + signers  # 'an order from the UAE'
        sellers = sellers_named + partners
    else:
        buyers = signers
        sellers = sellers_named + noun_sources + partners
    if sellers_named:
        makers = sellers_named
    if makers:
        sellers = makers
        buyers = [a for a in parties if a not in makers]
    elif not sellers and origin is not None:
        sellers = [Actor(origin, noun, "origin")]
    buyers = [b for b in buyers if not sellers or all(b.ref.id != s.ref.id for s in sellers)]
    return _combine(ctx, "transfer", noun, sellers, buyers, items, allow_null="either",
                    forced_status="agreed")


def read_offer(ctx: SentenceContext, trigger: Token, give_verb: Token) -> list[Mention]:
    """'Tehran was ready to export arms to friendly countries' — recipient usually unnamed."""
    obj = child(give_verb, "dobj", "obj")
    items = ctx.items.items(obj, ctx.has_weapon, deep=True) if obj is not None else []
    if not items:
        return []
    subj = subject(trigger) if trigger != give_verb else subject(give_verb)
    if subj is None:
        subj = subject(give_verb)
    suppliers = ctx.actors.actors(subj, speaker_state=ctx.speaker_state)
    recipients = _recipients_of_give(ctx, give_verb, obj)
    return _combine(ctx, "offer", give_verb, suppliers, recipients, items, allow_null="recipient")


def read_use(ctx: SentenceContext, verb: Token) -> list[Mention]:
    """'Russia has used Iranian-made drones against Ukraine', 'drones used by Russian forces'."""
    if any(c.dep_ == "prt" and c.lower_ in ("down", "off") for c in verb.children):
        return []  # 'shooting down Iranian drones' is defence against them, not their use
    passive = is_passive(verb)
    if verb.dep_ == "acl" and passive:
        theme = verb.head
        users = ctx.actors.actors(agent_of(verb), speaker_state=ctx.speaker_state)
    elif passive:
        theme = child(verb, *PASSIVE_SUBJECT_DEPS)
        users = ctx.actors.actors(agent_of(verb), speaker_state=ctx.speaker_state)
    else:
        theme = child(verb, "dobj", "obj")
        subj = subject(verb)
        users = ctx.actors.actors(subj, speaker_state=ctx.speaker_state)
        if not users and verb.dep_ in ("acl", "advcl", "pcomp") or (
                not users and verb.head.pos_ == "NOUN"):
            # "Russian attacks on Ukraine using Iranian-made drones"
            head = verb.head
            while head.dep_ == "prep" or head.pos_ == "ADP":
                head = head.head
            if head.pos_ in ("NOUN", "PROPN") or head.lemma_ in ctx.lex.words("use", "attack_nouns"):
                users = [a for c in head.children if c.dep_ in ("poss", "amod", "compound")
                         for a in ctx.actors.actors(c, speaker_state=ctx.speaker_state)]
                if not users:
                    users = ctx.actors.actors(subject(head) if head.pos_ == "VERB" else None,
                                              speaker_state=ctx.speaker_state)
    items = ctx.items.items(theme, ctx.has_weapon) or _pronoun_items(ctx, theme)
    if not items and theme is None:
        # 'relied heavily on Israeli-made Harop loitering munitions'
        items = [h for t in prep_objects(verb, "on", "with") for h in ctx.items.items(t, ctx.has_weapon)]
    return _use_mentions(ctx, verb, users, items)


def _use_mentions(ctx: SentenceContext, trigger: Token, users: list[Actor], items: list[ItemHit]) -> list[Mention]:
    # 'using American technology' builds something; only weapons are used in an attack.
    items = [h for h in items if h.item.category != "components"]
    if not items or not users:
        return []
    targets: list[Actor] = []
    for t in prep_objects(trigger, *ctx.lex.words("use", "target_preps")):
        targets += ctx.actors.actors(t, speaker_state=ctx.speaker_state)
    out: list[Mention] = []
    by_origin: dict[str, list[ItemHit]] = {}
    for h in items:
        if h.origin:
            by_origin.setdefault(h.origin, []).append(h)
    unknown = [h for h in items if not h.origin]
    if unknown:
        # "The Houthis fired two ballistic missiles ... The missiles were Iranian-made": the maker may be
        # said in another sentence; merge.py completes or drops these.
        for user in users:
            target = next((t.ref for t in targets if t.ref.id != user.ref.id), None)
            out.append(Mention("use", None, user.ref, unknown, trigger, ctx.sentence, target=target))
    for origin, hits in by_origin.items():
        maker = EntityRef(origin, ctx.actors.kb.name(origin))
        for user in users:
            if user.ref.id == origin:
                continue
            target = next((t.ref for t in targets if t.ref.id not in (origin, user.ref.id)), None)
            out.append(Mention("use", maker, user.ref, hits, trigger, ctx.sentence, target=target))
    return out


def read_use_noun(ctx: SentenceContext, noun: Token) -> list[Mention]:
    """'its use of Iranian suicide drones', 'Russia's use of North Korean missiles'."""
    items: list[ItemHit] = []
    for of in prep_objects(noun, "of"):
        items += ctx.items.items(of, ctx.has_weapon)
    users = [a for c in noun.children if c.dep_ in ("poss", "amod", "compound")
             for a in ctx.actors.actors(c, speaker_state=ctx.speaker_state)]
    users += ctx.actors.actors(next(iter(prep_objects(noun, "by")), None), speaker_state=ctx.speaker_state)
    return _use_mentions(ctx, noun, users, items)


def read_trainers(ctx: SentenceContext, noun: Token) -> list[Mention]:
    """'Iran has sent instructors to Crimea to help Russian troops operate the drones'."""
    verb = noun.head
    if noun.dep_ != "dobj" or verb.lemma_.lower() not in ctx.lex.words("training", "sending_verbs"):
        return []
    trainers = ctx.actors.actors(subject(verb), speaker_state=ctx.speaker_state) or [
        a for c in noun.children if c.dep_ in ("amod", "compound", "poss") for a in ctx.actors.actors(c)]
    trainees: list[Actor] = []
    for purpose in verb.children:
        if purpose.dep_ in ("advcl", "xcomp", "ccomp") and purpose.lemma_.lower() in (
                "help", "train", "assist", "teach", "support", "instruct", "advise"):
            helped = child(purpose, "dobj")
            if helped is None:  # 'to help Russian troops operate the drones': troops head the clause
                inner = child(purpose, "ccomp", "xcomp")
                helped = child(inner, "nsubj") if inner is not None else None
            trainees = ctx.actors.actors(helped, speaker_state=ctx.speaker_state)
    items = [h for t in ctx.sentence if t.pos_ in ("NOUN", "PROPN") for h in ctx.items.items(t, ctx.has_weapon)]
    if not items:
        return []
    return _combine(ctx, "training", verb, trainers, trainees, items, allow_null="none")


def read_training(ctx: SentenceContext, verb: Token) -> list[Mention]:
    """'Iran planned to train Russian forces in the use of these drones'."""
    passive = is_passive(verb)
    if passive:
        trainees = ctx.actors.actors(child(verb, *PASSIVE_SUBJECT_DEPS), speaker_state=ctx.speaker_state)
        trainers = ctx.actors.actors(agent_of(verb), speaker_state=ctx.speaker_state)
    else:
        obj = child(verb, "dobj", "obj")
        trainees = ctx.actors.actors(obj, speaker_state=ctx.speaker_state)
        trainers = ctx.actors.actors(subject(verb), speaker_state=ctx.speaker_state)
        if obj is not None and not trainees:
            return []
        if obj is not None and obj.lemma_.lower() not in ctx.lex.words("training", "trainee_nouns") and not any(
            t.lemma_.lower() in ctx.lex.words("training", "trainee_nouns") for t in conjuncts(obj)
        ) and obj.ent_type_ not in ("STATE", "DEMONYM", "GPE"):
            trainees = trainees  # a named party is enough
    items: list[ItemHit] = []
    for c in verb.children:
        if c.dep_ in ("prep", "xcomp", "advcl"):
            items += ctx.items.items(c, ctx.has_weapon, deep=True)
    if not items:
        # 'training Qatari pilots' in a paragraph about Typhoons: the items the sentence names.
        items = [h for t in ctx.sentence if t.pos_ in ("NOUN", "PROPN") for h in ctx.items.items(t, ctx.has_weapon)]
    return _combine(ctx, "training", verb, trainers, trainees, items, allow_null="none")


def read_sanction_verb(ctx: SentenceContext, verb: Token, direct: bool) -> list[Mention]:
    """'Washington blacklisted three firms', 'the US imposed sanctions on Shahed Aviation Industries'."""
    if direct:
        targets_tok = child(verb, *PASSIVE_SUBJECT_DEPS) if is_passive(verb) else child(verb, "dobj", "obj")
        imposers = ctx.actors.actors(agent_of(verb) if is_passive(verb) else subject(verb),
                                     speaker_state=ctx.speaker_state)
        targets = _sanction_targets(ctx, [targets_tok] if targets_tok is not None else [])
        # "... were also listed": the imposer is the one the article named; merge.py fills it or drops it.
        return _combine(ctx, "sanction", verb, imposers, targets, [], allow_null="either")
    else:
        noun = child(verb, *PASSIVE_SUBJECT_DEPS) if is_passive(verb) else child(verb, "dobj", "obj")
        if noun is None or noun.lemma_.lower() not in ctx.lex.words("sanction", "nouns"):
            return []
        imposers = ctx.actors.actors(agent_of(verb) if is_passive(verb) else subject(verb),
                                     speaker_state=ctx.speaker_state)
        target_toks = prep_objects(verb, "on", "against") + prep_objects(noun, "on", "against")
        targets = _sanction_targets(ctx, target_toks)
        if not target_toks:
            targets = _fallback_sanction_target(ctx, verb, imposers)
    return _combine(ctx, "sanction", verb, imposers, targets, [], allow_null="none")


def read_request(ctx: SentenceContext, verb: Token) -> list[Mention]:
    """'Kyiv has asked Washington for ATACMS missiles': the object is asked to supply."""
    items = [h for t in prep_objects(verb, "for") for h in ctx.items.items(t, ctx.has_weapon)]
    if not items:
        return []
    askers = ctx.actors.actors(subject(verb), speaker_state=ctx.speaker_state)
    asked = ctx.actors.actors(child(verb, "dobj"), speaker_state=ctx.speaker_state)
    return _combine(ctx, "transfer", verb, asked, askers, items, allow_null="none", forced_status="planned")


def read_listing(ctx: SentenceContext, verb: Token) -> list[Mention]:
    """'put five companies on its sanctions list', 'added Lockheed Martin to its list of unreliable entities'."""
    lists = ctx.lex.words("sanction", "list_nouns")
    holders = [p for p in prep_objects(verb, "on", "to", "onto") if any(t.lemma_.lower() in lists for t in p.subtree)]
    if not holders:
        return []
    passive = is_passive(verb)
    target_tok = child(verb, *PASSIVE_SUBJECT_DEPS) if passive else child(verb, "dobj", "obj")
    targets = _sanction_targets(ctx, [target_tok] if target_tok is not None else [])
    imposers = ctx.actors.actors(agent_of(verb) if passive else subject(verb), speaker_state=ctx.speaker_state)
    return _combine(ctx, "sanction", verb, imposers, targets, [], allow_null="either")


def _sanction_targets(ctx: SentenceContext, toks: list[Token]) -> list[Actor]:
    out: list[Actor] = []
    for tok in toks:
        for head in conjuncts(tok):
            found = ctx.actors.actors(head, speaker_state=ctx.speaker_state)
            if not found and head.lemma_.lower() in ctx.lex.words("sanction", "generic_targets"):
                continue
            out += found
    return out


def _fallback_sanction_target(ctx: SentenceContext, verb: Token, imposers: list[Actor]) -> list[Actor]:
    """'...intensify efforts to counter the production of drones in Iran by imposing new sanctions'."""
    gov = verb
    for _ in range(3):
        if gov.dep_ in ("pcomp", "pobj", "prep", "advcl", "xcomp"):
            gov = gov.head
    imposer_ids = {a.ref.id for a in imposers}
    for tok in gov.subtree:
        if tok.i >= verb.i or tok.ent_type_ not in ("STATE", "GPE", "CAPITAL"):
            continue
        actor = ctx.actors.first(tok)
        if actor is not None and actor.ref.id not in imposer_ids:
            return [actor]
    return []


def read_sanction_noun(ctx: SentenceContext, noun: Token) -> list[Mention]:
    """'new US sanctions on Iranian drone makers', 'EU sanctions against Iran'."""
    target_toks = prep_objects(noun, "on", "against")
    if not target_toks:
        return []
    imposers = [a for c in noun.children if c.dep_ in ("poss", "amod", "compound", "nmod")
                for a in ctx.actors.actors(c, speaker_state=ctx.speaker_state)]
    imposers += ctx.actors.actors(next(iter(prep_objects(noun, "by", "from")), None),
                                  speaker_state=ctx.speaker_state)
    targets = _sanction_targets(ctx, target_toks)
    return _combine(ctx, "sanction", noun, imposers, targets, [], allow_null="none")


def read_export_total(ctx: SentenceContext, noun: Token, money: Span) -> list[Mention]:
    """'Iran had almost $1 billion in military exports', 'South Korea's arms exports reached $17 billion'."""
    if prep_objects(noun, "to"):
        return []
    suppliers = [a for c in noun.children if c.dep_ in ("poss", "amod", "compound", "nmod")
                 for a in ctx.actors.actors(c, speaker_state=ctx.speaker_state)]
    suppliers += [a for t in prep_objects(noun, "of", "by", "from")
                  for a in ctx.actors.actors(t, speaker_state=ctx.speaker_state)]
    if not suppliers:
        gov = noun
        for _ in range(4):
            gov = gov.head
            subj = child(gov, "nsubj")
            if subj is not None:
                suppliers = ctx.actors.actors(subj, speaker_state=ctx.speaker_state)
                break
            if gov.head == gov:
                break
    items = [ItemHit(Item("military_equipment"), noun, None)]
    for c in noun.lefts:
        items = ctx.items.items(c, ctx.has_weapon) or items
    return _combine(ctx, "export_total", noun, suppliers, [], items, allow_null="recipient",
                    value_text=money.text)


def read_production(ctx: SentenceContext, trigger: Token) -> list[Mention]:
    """Licensed production, factories abroad, designs and key components handed over.

    'Russia will build Iranian-designed drones at a plant in Tatarstan',
    'a factory producing Ababil-2 drones opened in Dushanbe with Iranian help',
    'Moscow and Tehran inked a deal that would allow Russia to produce Iranian-designed drones'.
    """
    lemma = trigger.lemma_.lower()
    lex = ctx.lex
    producers: list[Actor] = []
    suppliers: list[Actor] = []
    items: list[ItemHit] = []
    place: Actor | None = None
    if trigger.pos_ in ("VERB", "AUX"):
        passive = is_passive(trigger)
        theme = child(trigger, *PASSIVE_SUBJECT_DEPS) if passive else object_like(ctx, trigger)
        if theme is None and trigger.dep_ == "acl":
            theme = trigger.head
        items = ctx.items.items(theme, ctx.has_weapon, deep=True) if theme is not None else []
        facility_object = theme is not None and theme.lemma_.lower() in lex.words("production", "facility_nouns")
        if lemma in lex.words("production", "verbs") and not facility_object:
            producers = ctx.actors.actors(agent_of(trigger) if passive else subject(trigger),
                                          speaker_state=ctx.speaker_state)
            gov = trigger.head if trigger.dep_ in ("xcomp", "ccomp", "advcl") else None
            if gov is not None and gov.lemma_.lower() in lex.words("production", "enablers"):
                suppliers = ctx.actors.actors(subject(gov), speaker_state=ctx.speaker_state)
            # 'Chinese CH-4 drones are to be assembled in Saudi Arabia'
            place = _place_of(ctx, trigger, theme if theme is not None else trigger)
        else:  # opening a facility: 'opened a drone factory in Tajikistan'
            facility = theme
            if facility is None or facility.lemma_.lower() not in lex.words("production", "facility_nouns"):
                return []
            suppliers = ctx.actors.actors(agent_of(trigger) if passive else subject(trigger),
                                          speaker_state=ctx.speaker_state)
            items = ctx.items.items(facility, ctx.has_weapon, deep=True)
            if not items and not any(c.lemma_.lower() in lex.words("production", "facility_modifiers")
                                     for c in facility.lefts):
                return []
            place = _place_of(ctx, trigger, facility)
    else:  # noun: 'the production of Ababil 2 in Dushanbe', 'an Ababil-2 plant in Tajikistan'
        # 'a plant assembling Ababil-2 drones': what the facility makes may follow it.
        makes = [c for c in trigger.children if c.dep_ in ("acl", "relcl") and c.lemma_.lower() in
                 lex.words("production", "verbs")]
        if lemma in lex.words("production", "facility_nouns") and not makes and not any(
            c.lemma_.lower() in lex.words("production", "facility_modifiers") or ctx.items.items(c)
            for c in trigger.lefts
        ):
            return []
        for of in prep_objects(trigger, "of"):
            items += ctx.items.items(of, ctx.has_weapon)
        for c in trigger.lefts:
            if c.dep_ in ("compound", "amod", "nmod"):
                items += ctx.items.items(c, ctx.has_weapon)
        for verb in makes:
            items += ctx.items.items(child(verb, "dobj"), ctx.has_weapon)
        place = _place_of(ctx, trigger, trigger)
        if place is None and trigger.head.pos_ == "VERB":
            place = _place_of(ctx, trigger.head, trigger.head)  # 'a plant ... opened in Dushanbe'
        if not suppliers:
            for verb in [trigger.head, *[c for c in trigger.children if c.dep_ in ("acl", "relcl")],
                         *[c for c in trigger.head.children if c.dep_ in ("advcl", "conj", "acl")]]:
                suppliers = suppliers or _helpers(ctx, verb)
        producers = [a for c in trigger.children if c.dep_ == "poss"
                     for a in ctx.actors.actors(c, speaker_state=ctx.speaker_state)]
    if not items:
        return []
    # Who helps: 'with Iranian help', 'with the assistance of specialists from the Iranian Ministry of Defense'
    if not suppliers:
        suppliers = _helpers(ctx, trigger)
    if not suppliers:
        origin, _ = _origin_ref(ctx, items)
        if origin is not None:
            suppliers = [Actor(origin, trigger, "origin")]
    # A place the catalogue lists as an organisation (an economic zone, a plant) produces for its state.
    recipients = [_as_state(ctx, a) for a in (producers or ([place] if place else []))]
    place = _as_state(ctx, place) if place is not None else None
    # 'Tajikistan opened a factory producing Iranian Ababil-2 drones': the opener is the recipient and
    # the maker the text names is the supplier.
    state_of = ctx.actors.kb.state_of
    origin, explicit = _origin_ref(ctx, items)
    if origin is not None and explicit and suppliers and all(
            state_of(a.ref.id) not in (None, origin.id) for a in suppliers):
        opener_states = {state_of(a.ref.id) for a in suppliers}
        if not recipients or {state_of(r.ref.id) for r in recipients} <= opener_states:
            recipients = recipients or suppliers
            suppliers = [Actor(origin, trigger, "origin")]
    mentions = _combine(ctx, "production", trigger, suppliers, recipients, items, allow_null="none",
                        place=place.ref if place else None)
    return mentions


def _as_state(ctx: SentenceContext, actor: Actor) -> Actor:
    kb = ctx.actors.kb
    if actor.ref.id and actor.ref.id.startswith("org:") and kb.org_type(actor.ref.id) in (
            "company", "manufacturer", "zone", "facility", "place", "site", ""):
        state = kb.state_of(actor.ref.id)
        if state and kb.entity(actor.ref.id) is not None:
            return Actor(EntityRef(state, kb.name(state)), actor.token, actor.via)
    return actor


def _place_of(ctx: SentenceContext, trigger: Token, facility: Token) -> Actor | None:
    for tok in prep_objects(trigger, "in", "at", "near") + prep_objects(facility, "in", "at", "near"):
        actor = ctx.actors.first(tok, acting=True)
        if actor is not None:
            return actor
        for sub in tok.subtree:
            a = ctx.actors.first(sub, acting=True)
            if a is not None and sub.dep_ in ("poss", "compound"):
                return a
    return None


def _helpers(ctx: SentenceContext, trigger: Token) -> list[Actor]:
    """'with Iranian help', 'with the assistance of specialists from the Iranian Ministry of Defense'."""
    out: list[Actor] = []
    for w in prep_objects(trigger, "with", "under", "by"):
        if w.lemma_.lower() in ("help", "assistance", "support", "aid", "licence", "license", "cooperation",
                                "involvement", "participation", "expertise", "know-how", "technology"):
            for tok in w.subtree:
                ent = ctx.actors.index.get(tok)
                if ent is not None:
                    got = actor_ref(ent, ctx.actors.kb)
                    if got is not None:
                        out.append(Actor(got[0], tok, ent.label_))
                        break
    return out


def read_components_for_production(ctx: SentenceContext, mention: Mention) -> Mention | None:
    """Designs or key components handed over 'for Russia to begin production' are production."""
    if mention.type != "transfer" or not mention.items:
        return None
    if not all(h.item.category in ("components",) for h in mention.items):
        return None
    purpose = ctx.lex.words("production", "purpose_words")
    # ("for Russia to begin production"; a recipient called "... Manufacturing Company" is no purpose)
    if not any(t.lemma_.lower() in purpose and not t.ent_type_ for t in mention.trigger.subtree
               if t.i > mention.trigger.i):
        return None
    recipient = mention.recipient
    if recipient is None:
        for tok in mention.trigger.subtree:
            if tok.dep_ in ("nsubj",) and tok.i > mention.trigger.i:
                a = ctx.actors.first(tok)
                if a is not None:
                    recipient = a.ref
                    break
    return Mention("production", mention.supplier, recipient, mention.items, mention.trigger, mention.sentence,
                   forced_status="agreed")
