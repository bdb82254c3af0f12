"""The spaCy pipeline, assembled once per process: the model named in
`armstrace.config.SPACY_MODEL` plus the `armstrace_gazetteer` component.

    from armstrace.nlp import load_pipeline
    nlp = load_pipeline()
    doc = nlp("Iran supplied Russia with Shahed-136 drones.")
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from armstrace.knowledge import Catalog

_PIPELINES: dict[int | None, Language] = {}


@Language.component("armstrace_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Mark the token after a line break as a sentence start; the parser keeps preset boundaries."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


def load_pipeline(catalog: Catalog | None = None) -> Language:
    """spacy.load(config.SPACY_MODEL) + the gazetteer for `catalog` (default: the
    bundled catalogues), cached per process and per catalogue."""
    from armstrace.knowledge import default_catalog

    # The default catalogue passed explicitly is the same pipeline as none passed.
    key = None if catalog is None or catalog is default_catalog() else id(catalog)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        import spacy

        from armstrace import config
        from armstrace.nlp.gazetteer import add_gazetteer

        pipeline = spacy.load(config.SPACY_MODEL)
        # A line break ends a sentence: headlines and date lines have no full stop.
        pipeline.add_pipe("armstrace_line_breaks", before="parser")
        add_gazetteer(pipeline, catalog if catalog is not None else default_catalog())
        _PIPELINES[key] = pipeline
    return pipeline


__all__ = ["load_pipeline"]
