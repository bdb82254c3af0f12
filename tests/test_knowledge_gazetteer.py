"""The armstrace_gazetteer component's contract with extraction, on the real spaCy model."""

from __future__ import annotations

import spacy
from spacy.language import Language

from armstrace import config
from armstrace.knowledge import default_catalog
from armstrace.nlp import load_pipeline
from armstrace.nlp.gazetteer import COMPONENT, add_gazetteer

OUR_LABELS = {"STATE", "CAPITAL", "INSTITUTION", "DEMONYM", "ORG", "PERSON", "SYSTEM"}


def _ents(doc) -> list[tuple[str, str, str]]:
    return [(e.text, e.label_, e.kb_id_) for e in doc.ents]


def test_pipeline_is_built_once_and_ordered() -> None:
    nlp = load_pipeline()
    assert load_pipeline() is nlp
    assert load_pipeline(default_catalog()) is nlp  # extraction passes the default catalogue explicitly
    names = nlp.pipe_names
    assert COMPONENT in names and names.index(COMPONENT) == names.index("ner") + 1


def test_add_gazetteer_to_a_plain_model_and_replace_it() -> None:
    nlp: Language = spacy.load(config.SPACY_MODEL)
    add_gazetteer(nlp, default_catalog())
    add_gazetteer(nlp, default_catalog())  # a second call replaces, never duplicates
    assert nlp.pipe_names.count(COMPONENT) == 1
    assert ("Shahed-136", "SYSTEM", "sys:shahed-136") in _ents(nlp("Iran sent Shahed-136 drones."))


def test_every_catalogue_label_carries_an_id() -> None:
    nlp = load_pipeline()
    doc = nlp("On July 19, Putin visited Tehran, where Iranian officials and the IRGC showed 300 Mohajer-6 "
              "drones to Russian and Belarusian guests; the Kremlin paid $1 billion, Reuters said.")
    labels = {e.label_ for e in doc.ents}
    assert {"DATE", "CARDINAL", "MONEY"} <= labels  # spaCy's own entities stay
    for text, label, kb_id in _ents(doc):
        if label in OUR_LABELS:
            assert kb_id, f"{text}/{label} has no id"
    assert ("Putin", "PERSON", "person:vladimir-putin") in _ents(doc)


def test_tokenizer_splits_do_not_matter() -> None:
    nlp = load_pipeline()
    for text in ("the Shahed 136 drone", "the Shahed - 136 drone", "the Shahed-136 drone", "the SHAHED-136 drone"):
        assert any(kb == "sys:shahed-136" and label == "SYSTEM" for _, label, kb in _ents(nlp(text))), text
    doc = nlp("Iranian-made and Russian-built and North Korean-supplied weapons")
    assert [(t, lab) for t, lab, _ in _ents(doc)] == [
        ("Iranian-made", "DEMONYM"), ("Russian-built", "DEMONYM"), ("North Korean-supplied", "DEMONYM")]


def test_small_model_mistakes_are_corrected() -> None:
    nlp = load_pipeline()
    doc = nlp("The UAVs were sent to Moscow. Zolfaghar missiles and Fateh-110 missiles followed.")
    got = _ents(doc)
    assert not any(t == "UAVs" for t, _, _ in got)
    assert ("Zolfaghar", "SYSTEM", "sys:zolfaghar") in got and ("Fateh-110", "SYSTEM", "sys:fateh-110") in got


def test_unknown_names_get_slug_ids() -> None:
    nlp = load_pipeline()
    doc = nlp("Defence official Kamal Rezaei told reporters that Rezaei had met buyers from Georgia at the Pars "
              "Defence Trading Company, which sells rifles.")
    got = _ents(doc)
    assert ("Kamal Rezaei", "PERSON", "person:kamal-rezaei") in got
    assert any(label == "ORG" and kb.startswith("org:") and "pars" in kb for _, label, kb in got)
    assert ("Rezaei", "PERSON", "person:kamal-rezaei") in got
    assert ("Georgia", "STATE", "GEO") in got
    assert not any(label == "SYSTEM" for _, label, _ in got)  # "Pars" is part of the company's name here


def test_unknown_designations_with_their_category() -> None:
    nlp = load_pipeline()
    doc = nlp("Tehran unveiled the Karaj-7 kamikaze drone and the Sepehr-4 cruise missile.")
    assert ("Karaj-7", "SYSTEM", "sys:karaj-7") in _ents(doc)
    assert ("Sepehr-4", "SYSTEM", "sys:sepehr-4") in _ents(doc)
    assert doc._.armstrace_categories == {"sys:karaj-7": "loitering_munition", "sys:sepehr-4": "cruise_missile"}
    plain = nlp("Article 5 was invoked in May 2022 and 600 drones flew. Flight 752 crashed.")
    assert not any(label == "SYSTEM" for _, label, _ in _ents(plain))
    assert plain._.armstrace_categories == {}


def test_context_spans_calls_for_sentence_by_sentence_parsing() -> None:
    nlp = load_pipeline()
    gazetteer = nlp.get_pipe(COMPONENT)
    ctx = gazetteer.resolver.document_context()
    cfg = {COMPONENT: {"context": ctx}}
    nlp("Foreign Minister Ali Bagheri Kani arrived in Moscow.", component_cfg=cfg)
    doc = nlp("Bagheri said Iran would not send missiles.", component_cfg=cfg)
    assert ("Bagheri", "PERSON", "person:ali-bagheri-kani") in _ents(doc)
    alone = nlp("Bagheri said Iran would not send missiles.")
    assert ("Bagheri", "PERSON", "person:ali-bagheri-kani") not in _ents(alone)
    assert ("Bagheri", "PERSON", "person:mohammad-bagheri") not in _ents(alone)


def test_context_set_on_docs_before_pipe() -> None:
    """nlp.pipe over pieces of two documents, each piece carrying its own document's memory."""
    nlp = load_pipeline()
    resolver = nlp.get_pipe(COMPONENT).resolver
    first, second = resolver.document_context(), resolver.document_context()
    pieces = [("Mohammad Bagheri opened the plant.", first), ("Ali Bagheri Kani flew to Moscow.", second),
              ("Bagheri praised the engineers.", first), ("Bagheri met Lavrov.", second)]
    docs = []
    for text, context in pieces:
        doc = nlp.make_doc(text)
        doc._.armstrace_context = context
        docs.append(doc)
    parsed = list(nlp.pipe(docs, batch_size=4))
    assert ("Bagheri", "PERSON", "person:mohammad-bagheri") in _ents(parsed[2])
    assert ("Bagheri", "PERSON", "person:ali-bagheri-kani") in _ents(parsed[3])
    assert parsed[2]._.armstrace_context is first


def test_pipe_and_odd_input() -> None:
    nlp = load_pipeline()
    docs = list(nlp.pipe(["", "   ", "Iran.", "—" * 50, "S-400 " * 200, "U.S.-made F-16s"]))
    assert [_ents(d) for d in docs[:2]] == [[], []]
    assert _ents(docs[2]) == [("Iran", "STATE", "IRN")]
    assert len(docs[4].ents) == 200 and {e.kb_id_ for e in docs[4].ents} == {"sys:s-400"}
    assert _ents(docs[5]) == [("U.S.-made", "DEMONYM", "USA"), ("F-16s", "SYSTEM", "sys:f-16")]
    for doc in docs:
        assert doc._.armstrace_categories is not None
