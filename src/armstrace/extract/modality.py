"""Status from modality, and negation: how sure the text is that an event happened.

SPEC: may/could/potential -> speculative; plans/intends/will/seeks/is
preparing -> planned; a deal signed/agreed/finalised -> agreed;
supplied/delivered/used/opened -> delivered. "did not supply" asserts nothing.
"""

from __future__ import annotations

from spacy.tokens import Token

from armstrace.extract.lexicon import Lexicon
from armstrace.extract.syntax import negated

# How far up the clause chain a modal still governs the trigger.
_CHAIN_DEPS = {"xcomp", "ccomp", "advcl", "acomp", "pcomp", "pobj", "prep", "relcl", "acl", "dobj", "conj", "attr",
               "nsubj", "nsubjpass", "appos", "compound", "amod", "oprd"}
PROMISING = {"announce", "unveil", "approve", "pledge", "promise", "propose", "authorize", "authorise", "clear"}
REPORTING_BARRIER = {"say", "claim", "announce", "report", "tell", "state", "allege", "accuse", "warn", "add",
                     "deny", "reject", "dismiss", "admit", "confirm", "acknowledge", "believe", "assess"}


def _governors(trigger: Token) -> list[Token]:
    """The trigger and the words that govern it up to the nearest reporting verb."""
    chain = [trigger]
    tok = trigger
    for _ in range(6):
        if tok.dep_ not in _CHAIN_DEPS or tok.head == tok:
            break
        tok = tok.head
        if tok.lemma_.lower() in REPORTING_BARRIER:
            break
        chain.append(tok)
    return chain


def read_status(trigger: Token, lex: Lexicon) -> str | None:
    spec_aux = lex.words("modality", "speculative_aux")
    spec_words = lex.words("modality", "speculative_words")
    plan_aux = lex.words("modality", "planned_aux")
    plan_words = lex.words("modality", "planned_words")
    agreed_words = lex.words("modality", "agreed_words")
    agreement_nouns = lex.words("modality", "agreement_nouns")
    chain = _governors(trigger)
    status: str | None = None
    # 'announced a new $400 million aid package', 'approved the sale': promised, not yet delivered.
    if trigger.pos_ == "NOUN" and trigger.dep_ == "dobj" and trigger.head.lemma_.lower() in PROMISING:
        return "planned"
    own = lex.raw["transfer"].get("trigger_status", {}).get(trigger.lemma_.lower())
    # 'has begun assembling drones' is production under way; 'began building a plant' is not yet.
    if len(chain) > 1 and chain[1].lemma_.lower() in ("begin", "start", "commence") and trigger.lemma_.lower() in (
            "produce", "assemble", "manufacture", "make") and chain[1].tag_ in ("VBD", "VBN", "VBZ"):
        return "delivered"
    for tok in chain:
        lemma = tok.lemma_.lower()
        auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
        aux_lemmas = {a.lemma_.lower() for a in auxes} | {a.lower_ for a in auxes}
        if aux_lemmas & spec_aux or any(c.lemma_.lower() in spec_words and c.dep_ in ("amod", "advmod")
                                        for c in tok.children):
            return "speculative"
        if tok != trigger and lemma in spec_words and tok.pos_ in ("VERB", "ADJ", "NOUN"):
            return "speculative"
        if aux_lemmas & plan_aux or any(a.lower_ in ("going",) for a in auxes):
            status = status or "planned"
        if tok != trigger and lemma in plan_words:
            status = status or "planned"
        if any(c.lemma_.lower() in ("planned", "future", "upcoming", "proposed") for c in tok.children
               if c.dep_ == "amod"):
            status = status or "planned"
        if tok != trigger and lemma in agreed_words and tok.pos_ == "VERB" and not (
            aux_lemmas & (plan_aux | spec_aux)):
            return "agreed"
        if lemma in agreement_nouns and tok != trigger:
            gov = tok.head
            if gov.lemma_.lower() in agreed_words or any(c.lemma_.lower() in agreed_words for c in tok.children):
                return "agreed"
    if status:
        return status
    if own:
        return own
    # A headline infinitive governs what follows: "France to follow Britain in sending missiles".
    for gov in chain[1:]:
        if gov.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in gov.children) and not any(
                c.dep_ in ("aux", "auxpass") and c.lower_ != "to" for c in gov.children) and gov.head == gov:
            return "planned"
    # Building a factory is not yet producing: "Russia is building a plant to make drones".
    if trigger.tag_ == "VBG" and trigger.lemma_.lower() in ("build", "construct", "set", "establish") and any(
            c.dep_ == "aux" for c in trigger.children):
        return "planned"
    # No modal: tense and aspect decide. A bare infinitive takes its governor's
    # ("Iran to help Russia produce" is planned; "Iran helped Russia produce" happened).
    if trigger.tag_ == "VB":
        for gov in chain[1:]:
            if any(c.dep_ == "aux" and c.lower_ == "to" for c in gov.children):
                return "planned"
            if gov.tag_ in ("VBD", "VBZ", "VBP", "VBN", "VBG"):
                return "delivered"
        return "planned"
    if trigger.pos_ in ("VERB", "AUX"):
        # 'is believed to have shipped': a perfect infinitive reports the past
        if trigger.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ == "have" for c in trigger.children):
            return "delivered"
        if trigger.tag_ in ("VBD", "VBN", "VBZ", "VBP", "VBG"):
            if trigger.tag_ == "VB" or any(c.lower_ == "to" and c.dep_ == "aux" for c in trigger.children):
                return "planned"
            return "delivered"
        if any(c.lower_ == "to" and c.dep_ == "aux" for c in trigger.children):
            return "planned"
        return "delivered"
    # Nominal triggers: 'the delivery of', 'Iran's sale of' report a fact unless qualified; a sale or
    # purchase with a price ("Germany's purchase of Arrow 3 for $3.5 billion") is a contract.
    if trigger.lemma_.lower() in ("sale", "purchase", "acquisition", "procurement", "order") and any(
            t.ent_type_ == "MONEY" for t in trigger.subtree):
        return "agreed"
    return "delivered"


def read_negation(trigger: Token, lex: Lexicon) -> bool:
    """True when the text says the event did not or will not happen."""
    refusal = lex.words("modality", "refusal_verbs")
    for tok in _governors(trigger):
        if negated(tok):
            return True
        if tok != trigger and tok.lemma_.lower() in refusal and tok.pos_ == "VERB":
            return True
        if tok != trigger and tok.lemma_.lower() in lex.words("modality", "negative_adjectives"):
            return True
        if tok.lower_ in ("not", "never") or any(c.lower_ in ("not", "never") and c.dep_ in ("neg", "advmod")
                                                 for c in tok.children):
            return True
    # 'has no plans to supply'
    for tok in _governors(trigger)[1:]:
        if any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children):
            return True
    return False
