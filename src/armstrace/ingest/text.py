"""Plain-text articles: title from the first line, date from a dateline near the top."""

from __future__ import annotations

from armstrace.ingest.base import clip_title
from armstrace.ingest.dates import find_dateline, iter_lines, parse_dateline
from armstrace.model import Document


def first_title_line(text: str) -> str | None:
    """The first non-empty line that is not itself a dateline."""
    for line in iter_lines(text):
        stripped = line.strip()
        if stripped and not parse_dateline(stripped):
            return stripped
    return None


def document_from_text(text: str, path: str, published: str | None, warnings: list[str]) -> Document:
    """Build a Document from decoded plain text.

    The dateline stays in `text`: offsets into it must match the file.
    Precedence of the date: a dateline in the article, else `published`.
    """
    return Document(
        text=text,
        path=path,
        title=clip_title(first_title_line(text)),
        published=find_dateline(text) or published,
        source=None,
        url=None,
        warnings=warnings,
    )
