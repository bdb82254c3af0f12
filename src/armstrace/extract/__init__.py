"""Extraction: from a Document to its events (SPEC section 4).

    from armstrace.extract import Extractor
    extractor = Extractor()
    result = extractor.extract(document)          # DocumentResult
    for result in extractor.pipe(documents):      # streaming, batched parsing
        ...

Only paragraphs that mention a weapon word, a designation or a denial are
parsed (cheap Aho-Corasick triage first): most news is not about arms, and
parsing is what costs.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

import ahocorasick

from armstrace import __version__, config
from armstrace.extract.actors import KnowledgeView
from armstrace.extract.document import DocumentReader
from armstrace.extract.lexicon import Lexicon, default_lexicon
from armstrace.extract.merge import merge_document
from armstrace.model import Document, DocumentResult

log = logging.getLogger(__name__)

# Paragraphs longer than this are cut at sentence ends before parsing, so that
# one enormous line (a 50 MB file with no newlines) never reaches spaCy whole.
MAX_CHUNK = 5000


@functools.cache
def extractor_version() -> str:
    """This extractor's version: the package version and a hash of every lexicon and catalogue file.

    Computed without loading spaCy, so that `ingest` can skip documents already extracted by this very
    version, and re-extract them when a rule's words or a catalogue change.
    """
    digest = hashlib.sha1()
    roots = [resources.files("armstrace.extract").joinpath("data"), resources.files("armstrace.knowledge").joinpath("data")]
    for root in roots:
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml", ".csv")):
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    return f"armstrace-{__version__}-rules-{digest.hexdigest()[:10]}"


@dataclass(frozen=True)
class Chunk:
    start: int
    text: str


def split_chunks(text: str) -> list[Chunk]:
    """Paragraphs with their offsets into the document text."""
    chunks: list[Chunk] = []
    for m in re.finditer(r"[^\n]+", text):
        para = m.group(0)
        if not para.strip():
            continue
        base = m.start()
        while len(para) > MAX_CHUNK:
            cut = para.rfind(". ", 0, MAX_CHUNK)
            cut = cut + 2 if cut > MAX_CHUNK // 2 else MAX_CHUNK
            chunks.append(Chunk(base, para[:cut]))
            base += cut
            para = para[cut:]
        if para.strip():
            chunks.append(Chunk(base, para))
    return chunks


def coalesce(text: str, chunks: list[Chunk], keep: list[bool]) -> list[Chunk]:
    """Runs of adjacent kept paragraphs become one piece (up to MAX_CHUNK characters).

    spaCy parses a few long texts faster than many short ones, and a sentence never
    spans a paragraph break anyway.
    """
    out: list[Chunk] = []
    run_start: int | None = None
    run_end = 0
    for chunk, kept in zip(chunks, keep, strict=True):
        end = chunk.start + len(chunk.text)
        if kept and run_start is not None and end - run_start <= MAX_CHUNK:
            run_end = end
            continue
        if run_start is not None:
            out.append(Chunk(run_start, text[run_start:run_end]))
            run_start = None
        if kept:
            run_start, run_end = chunk.start, end
    if run_start is not None:
        out.append(Chunk(run_start, text[run_start:run_end]))
    return out


class Triage:
    """Aho-Corasick over weapon words, designations and denial verbs: is a paragraph worth parsing?"""

    def __init__(self, words: Iterable[str]) -> None:
        self.automaton = ahocorasick.Automaton()
        for w in {w.lower() for w in words if len(w) >= 3}:
            self.automaton.add_word(w, w)
        self.automaton.make_automaton()

    def hits(self, text: str) -> int:
        low = text.lower()
        n = 0
        for end, word in self.automaton.iter(low):
            start = end - len(word) + 1
            before = low[start - 1] if start > 0 else " "
            if before.isalnum():
                continue  # "scam" is no "sam"
            after = low[end + 1: end + 4]
            if after[:1].isalnum() and not (
                    (after[:1] == "s" and not after[1:2].isalnum()) or (after[:2] == "es" and not after[2:3].isalnum())):
                continue  # "Ankara" is no "Anka"; "drones" and "missiles" are fine
            n += 1
        return n


class Extractor:
    """Rule-based event extractor over the spaCy pipeline with the catalogue gazetteer."""

    def __init__(self, nlp=None, catalog=None, lexicon: Lexicon | None = None) -> None:  # noqa: ANN001
        from armstrace.knowledge import Resolver, default_catalog

        self.catalog = catalog or default_catalog()
        if nlp is None:
            from armstrace.nlp import load_pipeline

            nlp = load_pipeline(self.catalog)
        self.nlp = nlp
        self.lexicon = lexicon or default_lexicon()
        self.kb = KnowledgeView(self.catalog, Resolver(self.catalog))
        words = list(self.lexicon.triage_words)
        for entity in self.catalog.entities("system"):
            words.extend(entity.names() if hasattr(entity, "names") else [entity.name])
        self.triage = Triage(words)
        self.stance_triage = Triage(self.lexicon.stance_words)
        self.version = extractor_version()

    def extract(self, document: Document) -> DocumentResult:
        return next(iter(self.pipe([document])))

    def pipe(self, documents: Iterable[Document], batch_size: int | None = None) -> Iterator[DocumentResult]:
        """Extract documents in order; parsing is batched across a small window of documents."""
        batch_size = batch_size or config.BATCH_SIZE
        window: list[Document] = []
        for doc in documents:
            window.append(doc)
            if len(window) >= batch_size:
                yield from self._extract_window(window, batch_size)
                window = []
        if window:
            yield from self._extract_window(window, batch_size)

    def _extract_window(self, docs: list[Document], batch_size: int) -> Iterator[DocumentResult]:
        selected: list[list[Chunk]] = []
        texts: list = []
        for doc in docs:
            chunks = split_chunks(doc.text)
            weapon = [bool(self.triage.hits(c.text)) for c in chunks]
            # A denial paragraph ("Tehran rejected the accusation") names no weapon but belongs to one.
            flags = [w or (any(weapon) and bool(self.stance_triage.hits(c.text)))
                     for c, w in zip(chunks, weapon, strict=True)]
            keep = coalesce(doc.text, chunks, flags)
            selected.append(keep)
            # The paragraphs of one document share one resolver context, so that "Heydari" later in
            # the article links to "Kioumars Heydari" earlier, though each paragraph is parsed alone.
            context = self.kb.resolver.document_context(doc.text) if keep else None
            for c in keep:
                piece = self.nlp.make_doc(c.text)
                if piece.has_extension("armstrace_context"):
                    piece._.armstrace_context = context
                texts.append(piece)
        parsed = iter(self.nlp.pipe(texts, batch_size=batch_size))
        for doc, keep in zip(docs, selected, strict=True):
            parsed_chunks = [(chunk, next(parsed)) for chunk in keep]
            try:
                reader = DocumentReader(self.kb, self.lexicon)
                for chunk, parsed_doc in parsed_chunks:
                    reader.read_paragraph(parsed_doc, chunk.start)
                events = merge_document(reader, doc.published)
            except Exception as exc:  # one odd document must not stop a batch of thousands
                # The caller reports the one-line error; the traceback is for debugging only.
                log.debug("extraction failed for %s", doc.path or doc.id, exc_info=True)
                yield DocumentResult(document=doc, events=[], extractor_version=self.version,
                                     error=f"extraction failed: {type(exc).__name__}: {exc}")
                continue
            yield DocumentResult(document=doc, events=events, extractor_version=self.version)


__all__ = ["Extractor", "Triage", "extractor_version", "split_chunks"]
