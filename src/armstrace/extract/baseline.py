"""The baseline armstrace is measured against: sentence co-occurrence.

What GDELT-style pipelines do: a sentence that names two states and a weapon
word is read as a transfer from the first state to the second. No roles, no
modality, no attribution. It shares our parser and gazetteer, so the
difference in score is the difference the event readers make.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from armstrace import config
from armstrace.extract import Extractor, split_chunks
from armstrace.extract.actors import EntityIndex, ItemFinder, actor_ref
from armstrace.model import Document, DocumentResult, Event, Evidence


class CooccurrenceBaseline(Extractor):
    def pipe(self, documents: Iterable[Document], batch_size: int | None = None) -> Iterator[DocumentResult]:
        batch_size = batch_size or config.BATCH_SIZE
        for doc in documents:
            chunks = [c for c in split_chunks(doc.text) if self.triage.hits(c.text)]
            events: dict[tuple, Event] = {}
            for chunk, parsed in zip(chunks, self.nlp.pipe([c.text for c in chunks], batch_size=batch_size),
                                     strict=True):
                index = EntityIndex(parsed)
                finder = ItemFinder(index, self.kb, self.lexicon, {})
                for sent in parsed.sents:
                    states: list = []
                    for ent in sent.ents:
                        got = actor_ref(ent, self.kb)
                        if got and got[0].id and len(got[0].id) == 3 and got[0].id not in [s.id for s in states]:
                            states.append(got[0])
                    items = [h.item for t in sent if t.pos_ in ("NOUN", "PROPN") for h in finder.items(t)]
                    if len(states) < 2 or not items:
                        continue
                    key = (states[0].id, states[1].id)
                    ev = events.setdefault(key, Event("transfer", states[0], states[1], status="delivered"))
                    for it in items:
                        if it not in ev.items:
                            ev.items.append(it)
                    ev.evidence.append(Evidence(sent.text, chunk.start + sent.start_char,
                                                chunk.start + sent.end_char))
            yield DocumentResult(doc, list(events.values()), extractor_version="baseline-cooccurrence")
