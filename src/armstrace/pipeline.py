"""The ingest pipeline: read → extract → store → fuse, resumable at any point.

    from armstrace.pipeline import ingest_paths
    from armstrace.store import open_store
    summary = ingest_paths(["articles/"], open_store("news.db"))
    print(summary.new, summary.duplicate, summary.failed)

Documents already in the store (same text, same extractor version) are not
extracted again, so a re-run, or a run after Ctrl-C or SIGKILL, does only
what is missing. Each document is stored in its own transaction, so an
interrupted run leaves whole documents or nothing, never half of one.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from armstrace import config
from armstrace.ingest import IngestFailure, iter_documents
from armstrace.model import Document, DocumentResult
from armstrace.store import Store

# New claims are handed to fusion in groups of this many documents: small
# enough that an interrupted run leaves little unfused, large enough that
# fusion is not called once per article. Whatever an interrupted run left
# unfused is picked up at the end of the next one.
FUSE_EVERY_DOCS = 64


class ExtractorLike(Protocol):
    def pipe(self, docs: Iterable[Document], batch_size: int = ...) -> Iterator[DocumentResult]: ...


@dataclass
class IngestSummary:
    """What one ingest run did. `read` counts documents read (failures apart)."""

    read: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    new_claims: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "path: warning", for documents stored in this run

    def fail(self, failure: IngestFailure) -> None:
        self.failed += 1
        self.failures.append(failure)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "new": self.new,
            "duplicate": self.duplicate,
            "failed": self.failed,
            "failures": [{"path": f.path, "line": f.line, "reason": f.reason} for f in self.failures],
            "new_claims": len(self.new_claims),
            "events": len(self.events),
            "warnings": list(self.warnings),
        }


Progress = Callable[[IngestSummary], None]


def default_extractor() -> ExtractorLike:
    from armstrace.extract import Extractor

    return Extractor()


def ingest_paths(
    paths: Iterable[str],
    store: Store,
    extractor: ExtractorLike | Callable[[], ExtractorLike] | None = None,
    published: str | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
) -> IngestSummary:
    """Ingest files, directories, globs or "-" into `store`; returns what happened.

    `extractor` is an Extractor, or a factory called only when a document
    actually needs extracting (so a run over already-stored articles never
    loads spaCy); None means `armstrace.extract.Extractor()`.
    `published` is the fallback publication date (`--published`).
    `progress`, if given, is called with the running summary after each item.
    """
    from armstrace.fuse import fuse_claims as fuse

    summary = IngestSummary()
    version = _extractor_version(extractor)
    tick = progress or (lambda _summary: None)
    in_flight: deque[Document] = deque()

    def pending() -> Iterator[Document]:
        """Documents not yet stored; failures and duplicates are counted on the way."""
        for item in iter_documents(paths, published=published):
            if isinstance(item, IngestFailure):
                summary.fail(item)
                tick(summary)
                continue
            summary.read += 1
            if store.has_document(item.id, version):
                summary.duplicate += 1
                tick(summary)
                continue
            in_flight.append(item)
            yield item

    unfused: list[str] = []
    docs_since_fuse = 0
    source = pending()
    first = next(source, None)
    if first is not None:
        active = _resolve_extractor(extractor)
        batch = batch_size or config.BATCH_SIZE
        stream: Iterator[Document] = _prepend(first, source)
        while True:
            try:
                for result in active.pipe(stream, batch_size=batch):
                    expected = in_flight.popleft() if in_flight else result.document
                    if result.document.id != expected.id:
                        # The extractor must keep order; if not, trust the result's document.
                        in_flight.appendleft(expected)
                        with contextlib.suppress(ValueError):
                            in_flight.remove(result.document)
                    try:
                        written, new_ids = store.store_result(result)
                    except (KeyboardInterrupt, SystemExit):
                        raise
                    except Exception as exc:
                        # This document only (its transaction rolled back); the rest go on.
                        where = result.document.path or result.document.id
                        summary.fail(IngestFailure(where, _reason("cannot store", exc)))
                        tick(summary)
                        continue
                    if not written:
                        summary.duplicate += 1  # the same text twice within this run
                    else:
                        summary.new += 1
                        where = result.document.path or result.document.id
                        summary.warnings.extend(f"{where}: {w}" for w in result.document.warnings)
                        summary.new_claims.extend(new_ids)
                        unfused.extend(new_ids)
                        docs_since_fuse += 1
                        if docs_since_fuse >= FUSE_EVERY_DOCS:
                            summary.events.extend(fuse(store, unfused))
                            unfused, docs_since_fuse = [], 0
                    tick(summary)
                break
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:
                # One bad document must not sink the batch: the documents
                # being extracted when it broke are failures, the rest go on
                # through a fresh pipe over the same source.
                reason = _reason("extraction failed", exc)
                while in_flight:
                    doc = in_flight.popleft()
                    summary.fail(IngestFailure(doc.path or "?", reason))
                tick(summary)
                stream = source
    # Whatever is still unfused, including claims an interrupted earlier run
    # stored but never fused.
    leftover = list(dict.fromkeys(unfused + store.unfused_claim_ids()))
    if leftover:
        summary.events.extend(fuse(store, leftover))
    summary.events = list(dict.fromkeys(summary.events))
    return summary


def _reason(what: str, exc: BaseException) -> str:
    """One line: what failed and why."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{what}: {type(exc).__name__}: {detail[0]}" if detail else f"{what}: {type(exc).__name__}"


def _prepend(first: Document, rest: Iterator[Document]) -> Iterator[Document]:
    yield first
    yield from rest


def _resolve_extractor(extractor: Any) -> ExtractorLike:
    if extractor is None:
        return default_extractor()
    if hasattr(extractor, "pipe"):
        return extractor
    return extractor()


def _extractor_version(extractor: Any) -> str | None:
    """The extractor's version when known before extracting (so unchanged documents are skipped).

    From the extractor itself, else from `armstrace.extract.extractor_version()`
    or `EXTRACTOR_VERSION` without loading spaCy; None when neither exists, in
    which case any stored copy of a document counts as done.
    """
    if extractor is not None and hasattr(extractor, "pipe"):
        return getattr(extractor, "version", None)
    import armstrace.extract as extract

    known = getattr(extract, "extractor_version", None) or getattr(extract, "EXTRACTOR_VERSION", None)
    if known is None:
        return None
    return str(known() if callable(known) else known)


__all__ = ["FUSE_EVERY_DOCS", "IngestSummary", "default_extractor", "ingest_paths"]
