"""Who says an event is true or false: reporting verbs, 'according to', 'citing', denials.

SPEC section 3: a stance's actor is the state or organisation the speaker
speaks for; a newspaper reporting on its own is no stance.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from armstrace.extract.actors import ActorFinder
from armstrace.extract.lexicon import Lexicon
from armstrace.extract.syntax import PASSIVE_SUBJECT_DEPS, agent_of, child, prep_objects, subject
from armstrace.model import EntityRef

# Heads of speaker phrases that a place names: "the defence ministry in Bratislava".
ORGAN_HEADS = {"ministry", "government", "office", "spokesman", "spokeswoman", "spokesperson", "embassy",
               "mission", "command", "military", "army", "navy", "department", "agency", "administration",
               "presidency", "cabinet", "official", "officials", "force", "forces"}


@dataclass
class Attribution:
    actor: EntityRef
    polarity: str  # asserts | denies
    speaker: EntityRef | None = None
    date_text: str | None = None
    verb: Token | None = None


def speaker_actor(finder: ActorFinder, tok: Token | None, lex: Lexicon, speaker_state: EntityRef | None = None
                  ) -> tuple[EntityRef, EntityRef | None] | None:
    """The state or organisation a speaker phrase speaks for (and the person, if named)."""
    if tok is None:
        return None
    if tok.lemma_.lower() in lex.words("attribution", "not_actors"):
        # 'Iranian media', 'satellite images': not a stance, but 'state media' is still no actor.
        return None
    if tok.lower_ in ("he", "she", "him", "her"):
        last = finder.coref.last_speaker()
        return last if last else None
    # 'interviews with three U.S. officials'
    actors = finder.actors(tok, speaker_state=speaker_state)
    if not actors:
        for sub in tok.subtree:
            if sub.dep_ == "pobj" and sub.head.lower_ in ("with", "of", "from"):
                actors = finder.actors(sub, speaker_state=speaker_state)
                if actors:
                    break
    if not actors and tok.lemma_.lower() in ORGAN_HEADS:
        # "the defence ministry in Bratislava", "the Ministry of Defence in London"
        for sub in tok.subtree:
            if sub.ent_type_ in ("CAPITAL", "STATE", "GPE", "INSTITUTION"):
                actors = finder.actors(sub)
                if actors:
                    break
    if not actors:
        return None
    actor = actors[0]
    return actor.ref, actor.person


def _date_of(verb: Token) -> str | None:
    for c in verb.children:
        if c.ent_type_ == "DATE":
            return " ".join(t.text for t in c.subtree)
        if c.dep_ == "prep" and c.lower_ in ("on", "in"):
            for p in c.children:
                if p.ent_type_ == "DATE":
                    return " ".join(t.text for t in c.subtree)
        if c.dep_ == "npadvmod" and c.ent_type_ == "DATE":
            return c.text
    return None


def attributions_for(trigger: Token, sentence: Span, finder: ActorFinder, lex: Lexicon,
                     speaker_state: EntityRef | None = None) -> list[Attribution]:
    """Stances on the event that `trigger` announces, from its own sentence."""
    report = lex.words("attribution", "report_verbs")
    deny = lex.words("attribution", "deny_verbs")
    assert_verbs = lex.words("attribution", "assert_verbs")
    report_nouns = lex.words("attribution", "report_nouns")
    deny_nouns = lex.words("attribution", "deny_nouns")
    out: list[Attribution] = []
    tok = trigger
    for _ in range(8):
        if tok.head == tok:
            break
        tok = tok.head
        lemma = tok.lemma_.lower()
        if tok.pos_ in ("VERB", "AUX") and (lemma in report or lemma in deny):
            spk = child(tok, "nsubj")
            if spk is None and child(tok, *PASSIVE_SUBJECT_DEPS) is not None:
                spk = agent_of(tok)
            if spk is None:
                spk = subject(tok)
            who = speaker_actor(finder, spk, lex, speaker_state)
            if who is None:
                who = _citing(tok, sentence, finder, lex)
            if who is not None:
                polarity = "denies" if lemma in deny else "asserts"
                out.append(Attribution(who[0], polarity, who[1], _date_of(tok), tok))
                if lemma in deny or lemma in assert_verbs:
                    break
            elif lemma in deny:
                break
        elif tok.pos_ in ("NOUN", "PROPN") and (lemma in report_nouns or lemma in deny_nouns):
            owners = [c for c in tok.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
            owners += prep_objects(tok, "by", "from", "of")
            for o in owners:
                who = speaker_actor(finder, o, lex, speaker_state)
                if who is not None:
                    out.append(Attribution(who[0], "denies" if lemma in deny_nouns else "asserts", who[1],
                                           None, tok))
                    break
    # Parenthetical reporting: "X was delivered to Kyiv by Berlin, Ukraine's air force said, as ..." where the
    # parser hangs "said" under the event's clause instead of above it.
    anc = [trigger, *trigger.ancestors]
    for node in anc:
        for c in node.children:
            if c.dep_ not in ("parataxis", "advcl", "conj", "ccomp", "npadvmod") or c.pos_ != "VERB":
                continue
            lemma = c.lemma_.lower()
            if lemma not in report and lemma not in deny:
                continue
            if any(a.verb is not None and a.verb == c for a in out) or any(
                    g.dep_ in ("ccomp", "dobj") for g in c.children):
                continue
            spk = child(c, "nsubj")
            who = speaker_actor(finder, spk, lex, speaker_state)
            if who is not None:
                out.append(Attribution(who[0], "denies" if lemma in deny else "asserts", who[1], _date_of(c), c))
    # 'according to X' / 'citing X' anywhere in the sentence
    for t in sentence:
        if t.lower_ == "according" and t.dep_ == "prep":
            to = child(t, "prep")
            obj = child(to, "pobj") if to is not None else child(t, "pobj")
            who = speaker_actor(finder, obj, lex, speaker_state)
            if who is not None:
                out.append(Attribution(who[0], "asserts", who[1], None, t))
        if t.lemma_ == "cite" and t.pos_ == "VERB" and not any(a.verb == t for a in out):
            who = speaker_actor(finder, child(t, "dobj"), lex, speaker_state)
            if who is not None:
                out.append(Attribution(who[0], "asserts", who[1], None, t))
    return out


def _citing(verb: Token, sentence: Span, finder: ActorFinder, lex: Lexicon) -> tuple[EntityRef, EntityRef | None] | None:
    """'The Washington Post, citing three U.S. officials, reported ...' -> the officials."""
    for t in verb.subtree:
        if t.lemma_ == "cite" and t.pos_ == "VERB":
            return speaker_actor(finder, child(t, "dobj"), lex)
    return None


def sentence_speaker(sentence: Span, finder: ActorFinder, lex: Lexicon) -> tuple[EntityRef, EntityRef | None] | None:
    """The speaker of a sentence's main reporting verb ("Heydari said ..."), for 'we' and 'the country'."""
    report = lex.words("attribution", "report_verbs") | lex.words("attribution", "deny_verbs")
    for tok in sentence:
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in report:
            spk = child(tok, "nsubj") or (agent_of(tok) if child(tok, "nsubjpass") is not None else None)
            who = speaker_actor(finder, spk, lex)
            if who is not None:
                return who
    for t in sentence:
        if t.lower_ == "according" and t.dep_ == "prep":
            to = child(t, "prep")
            obj = child(to, "pobj") if to is not None else None
            who = speaker_actor(finder, obj, lex)
            if who is not None:
                return who
    return None
