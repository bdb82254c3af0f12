"""What a reader yields: a Document, or a failure that names what went wrong."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class IngestFailure:
    """A file (or one line of a JSONL file) that could not become a Document.

    `reason` is one clear line for the user; no traceback ever leaves ingest.
    """

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


# Titles come from the first line of a plain-text article; a file with no
# newlines must not turn into a 50 MB title.
MAX_TITLE_CHARS = 300


def clip_title(title: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return title or None


def domain_of(url: str | None) -> str | None:
    """The outlet's domain from a URL, without "www.", else None."""
    if not url:
        return None
    try:
        host = urlsplit(url if "://" in url else f"//{url}").hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def without_nul(text: str, warnings: list[str]) -> str:
    """`text` with NUL characters replaced by U+FFFD (same length, so offsets hold), with a warning.

    No article means a NUL, and PostgreSQL text cannot store one.
    """
    if "\x00" not in text:
        return text
    warnings.append(f"{text.count(chr(0))} NUL character(s) replaced with U+FFFD")
    return text.replace("\x00", "\ufffd")
