"""JSON lines: one article a line, {"text", "title", "url", "published", "source"}.

A bad line becomes an IngestFailure naming the file and line; the lines
after it are still read. The file is streamed, never loaded whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from armstrace.ingest.base import IngestFailure, clip_title, domain_of, without_nul
from armstrace.ingest.dates import find_dateline, normalise_date
from armstrace.model import Document


def document_from_record(record: dict, path: str, published: str | None, warnings: list[str]) -> Document:
    """Build a Document from one JSONL record (already checked to have text)."""
    text = without_nul(record["text"].replace("\r\n", "\n").replace("\r", "\n"), warnings)
    url = record.get("url") if isinstance(record.get("url"), str) else None
    given = record.get("published")
    given_iso = normalise_date(given)
    if given not in (None, "") and given_iso is None:
        warnings.append(f"unrecognised 'published' value {str(given)[:40]!r} ignored")
    source = record.get("source") if isinstance(record.get("source"), str) else None
    title = record.get("title") if isinstance(record.get("title"), str) else None
    return Document(
        text=text,
        path=path,
        title=clip_title(title),
        published=given_iso or find_dateline(text) or published,
        source=source or domain_of(url),
        url=url,
        warnings=warnings,
    )


def read_jsonl_lines(
    lines: Iterable[bytes], path: str, published: str | None
) -> Iterator[Document | IngestFailure]:
    """Documents from the byte lines of a JSONL stream, one per non-blank line."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        warnings: list[str] = []
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.decode("utf-8", errors="replace")
            warnings.append(f"invalid UTF-8 at byte {exc.start} of line {number}; replaced with U+FFFD")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestFailure(path, f"malformed JSON: {exc.msg} (column {exc.colno})", line=number)
            continue
        if not isinstance(record, dict):
            yield IngestFailure(path, f"expected a JSON object, got {type(record).__name__}", line=number)
            continue
        text = record.get("text")
        if not isinstance(text, str):
            yield IngestFailure(path, "no 'text' string in record", line=number)
            continue
        if not text.strip():
            yield IngestFailure(path, "empty 'text'", line=number)
            continue
        yield document_from_record(record, f"{path}:{number}", published, warnings)
