"""Small readers of the dependency parse: subjects, objects, prepositions, noun-phrase scope.

These know English grammar, not arms transfers; the event readers in
readers.py combine them.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

SUBJECT_DEPS = {"nsubj", "csubj"}
PASSIVE_SUBJECT_DEPS = {"nsubjpass", "csubjpass"}
OBJECT_DEPS = {"dobj", "obj", "attr", "oprd"}
# Clause boundaries: a noun phrase's actors and items stop here.
CLAUSE_DEPS = {"relcl", "acl", "advcl", "ccomp", "xcomp", "csubj", "parataxis", "pcomp"}
RELATIVE_PRONOUNS = {"which", "that", "who", "whom", "whose"}


def children(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def child(token: Token, *deps: str) -> Token | None:
    for c in token.children:
        if c.dep_ in deps:
            return c
    return None


def conjuncts(token: Token) -> list[Token]:
    """The token and its coordinated siblings, in order ("Azerbaijan, Pakistan and Ethiopia")."""
    return sorted({token, *token.conjuncts}, key=lambda t: t.i)


def is_passive(verb: Token) -> bool:
    """'were delivered', 'drones supplied to Russia' (a participle modifying its object), but not
    'reports that it had sold jets' (a clause of its own, with a subject)."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ == "acl" and not any(
        c.dep_ in ("nsubj", "aux") for c in verb.children)


def prep_objects(token: Token, *preps: str) -> list[Token]:
    """Objects of the given prepositions attached to token ("to Russia", "from Iran")."""
    out: list[Token] = []
    for c in token.children:
        if c.dep_ in ("prep", "agent", "dative") and c.lower_ in preps:
            out.extend(children(c, "pobj", "pcomp"))
        elif c.dep_ == "dative" and "to" in preps and c.pos_ in ("NOUN", "PROPN", "PRON"):
            out.append(c)
    return out


def agent_of(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            return child(c, "pobj")
    return None


def np_tokens(head: Token) -> Iterator[Token]:
    """The tokens of head's noun phrase, without descending into clauses."""
    stack = [head]
    while stack:
        tok = stack.pop()
        yield tok
        for c in tok.children:
            if c.dep_ in CLAUSE_DEPS or c.dep_ == "cc" or (c.dep_ == "punct" and c.is_punct):
                continue
            if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
                continue
            stack.append(c)


CONTROL_DEPS = {"xcomp", "acomp", "pcomp", "advcl", "conj", "ccomp", "acl", "amod", "appos", "npadvmod", "prep",
                "pobj", "dobj", "attr", "oprd"}


# Verbs whose object, not subject, does what the infinitive or gerund says.
OBJECT_CONTROL = {"allow", "help", "enable", "let", "permit", "authorize", "authorise", "assist", "urge", "ask",
                  "call", "aid", "license", "accuse", "suspect", "charge", "blame", "warn", "caution", "press",
                  "push", "encourage", "persuade", "force", "pressure", "pressurize", "convince", "invite"}


# "X is believed / said / reported / expected to have shipped": X is the one who ships.
RAISING = {"believe", "say", "report", "expect", "think", "understand", "know", "suspect", "allege", "rumour",
           "rumor", "claim", "estimate", "set", "due", "likely", "seem", "appear"}


def controller(verb: Token) -> Token | None:
    """The nearest governing verb with a subject, whose subject an infinitive or gerund inherits.

    "Moscow plans to purchase": purchase -> plans. "ready to export": export
    -> ready -> is. "Tehran has admitted supplying them": supplying -> admitted.
    "Poland has signed a contract worth $3.4 billion to buy tanks": buy -> signed.
    """
    tok = verb
    for _ in range(6):
        if tok.dep_ not in CONTROL_DEPS or tok.head == tok:
            return None
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX") and any(c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for c in tok.children):
            return tok
    return None


def subject(verb: Token, follow_control: bool = True) -> Token | None:
    """The grammatical subject, inherited through control verbs when the verb has none."""
    own = child(verb, *SUBJECT_DEPS)
    if own is not None:
        return own
    # Parse repair: in "..., and Ukraine adopted it" the small model often hangs "Ukraine" on an
    # earlier list; a finite coordinated verb right after a noun has that noun as its subject.
    if verb.dep_ == "conj" and verb.tag_ in ("VBD", "VBZ", "VBP") and verb.i > 0:
        prev = verb.doc[verb.i - 1]
        if prev.pos_ in ("PROPN", "NOUN") and prev.head != verb and prev.dep_ in ("conj", "appos", "pobj", "dobj"):
            return prev
    if follow_control and verb.dep_ in CONTROL_DEPS:
        ctrl = controller(verb)
        if ctrl is not None:
            # An object controls an infinitive in "allow Russia to produce", "help Russia produce".
            # So does the accused in "accused Iran of preparing to send missiles".
            if ctrl.lemma_ in OBJECT_CONTROL:
                if (obj := child(ctrl, "dobj")) is not None and obj.i < verb.i:
                    return obj
                if ctrl.dep_ == "relcl" and ctrl.head.i < ctrl.i:
                    return ctrl.head  # "companies it accused of supplying": the companies
            # Raising: "North Korea is believed to have shipped shells" - the passive subject ships.
            if verb.dep_ == "xcomp" and child(ctrl, *PASSIVE_SUBJECT_DEPS) is not None and ctrl.lemma_ in RAISING:
                return child(ctrl, *PASSIVE_SUBJECT_DEPS)
            return child(ctrl, *SUBJECT_DEPS) or (
                agent_of(ctrl) if child(ctrl, *PASSIVE_SUBJECT_DEPS) else None
            )
    return None


def clause_verbs_up(token: Token, limit: int = 8) -> Iterator[Token]:
    """The token's governing verbs and nouns, innermost first."""
    tok = token
    for _ in range(limit):
        if tok.head == tok:
            return
        tok = tok.head
        yield tok


def negated(token: Token) -> bool:
    return any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in token.children)
