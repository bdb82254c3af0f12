"""Ingest: files, directories, globs and stdin in; Documents (or failures) out.

    from armstrace.ingest import iter_documents
    for item in iter_documents(["articles/", "feed.jsonl"], published="2022-11-21"):
        ...  # a Document, or an IngestFailure naming the file and the reason

One reader per format (`text`, `html`, `jsonl`), picked by file extension,
or by sniffing the content for stdin and unknown extensions. A bad file
never raises out of `iter_documents`: it becomes an IngestFailure and the
rest of the batch goes on.

Publication date precedence: the article's own metadata (JSONL field, HTML
meta tags), else a dateline near the top of the text, else the `published`
argument, else None.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from armstrace.ingest.base import IngestFailure, domain_of
from armstrace.ingest.dates import normalise_date
from armstrace.ingest.decode import NotText, decode_bytes
from armstrace.ingest.html import NoMainText, document_from_html
from armstrace.ingest.jsonl import read_jsonl_lines
from armstrace.ingest.text import document_from_text
from armstrace.model import Document

STDIN = "-"
STDIN_NAME = "<stdin>"

# Extension → reader kind. Directories are walked for these only; a file
# named explicitly with another extension is sniffed instead.
FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_GLOB_CHARS = set("*?[")


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def expand_paths(paths: Iterable[str]) -> Iterator[str | IngestFailure]:
    """Files from what the user typed: files, directories (recursively), globs, "-".

    Directory contents come in sorted order so that runs are repeatable;
    hidden files and directories are skipped.
    """
    for raw in paths:
        path = str(raw)
        if path == STDIN:
            yield STDIN
            continue
        if os.path.isdir(path):
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or Path(name).suffix.lower() not in FORMATS:
                        continue
                    found = True
                    yield os.path.join(root, name)
            if not found:
                yield IngestFailure(path, "directory holds no .txt, .html or .jsonl files")
            continue
        if os.path.exists(path):
            yield path
            continue
        if _GLOB_CHARS & set(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                yield IngestFailure(path, "no files match this pattern")
                continue
            yield from expand_paths(matches)
            continue
        yield IngestFailure(path, "no such file or directory")


def sniff_kind(head: bytes) -> str:
    """Guess a reader from a document's first bytes (stdin, unknown extensions)."""
    start = head.lstrip()[:2048].lower()
    if start.startswith(b"{"):
        return "jsonl"
    if start.startswith(b"<") and any(
        tag in start for tag in (b"<html", b"<!doctype", b"<body", b"<p", b"<div")
    ):
        return "html"
    return "text"


def _read_whole(
    kind: str, data: bytes, path: str, published: str | None
) -> Iterator[Document | IngestFailure]:
    if not data.strip():
        yield IngestFailure(path, "empty file")
        return
    try:
        text, warnings = decode_bytes(data)
    except NotText as exc:
        yield IngestFailure(path, str(exc))
        return
    if kind == "jsonl":
        yield from read_jsonl_lines((line.encode("utf-8") for line in text.splitlines()), path, published)
        return
    if not text.strip():
        yield IngestFailure(path, "empty file")
        return
    if kind == "html":
        try:
            yield document_from_html(text, path, published, warnings)
        except NoMainText as exc:
            yield IngestFailure(path, str(exc))
        return
    yield document_from_text(text, path, published, warnings)


def _read_path(path: str, published: str | None) -> Iterator[Document | IngestFailure]:
    if path == STDIN:
        data = sys.stdin.buffer.read()
        yield from _read_whole(sniff_kind(data[:4096]), data, STDIN_NAME, published)
        return
    kind = FORMATS.get(Path(path).suffix.lower())
    if kind == "jsonl":
        # Streamed line by line: a JSONL file may hold a whole corpus.
        with open(path, "rb") as handle:
            head = handle.read(8192)
            if not head.strip():
                yield IngestFailure(path, "empty file")
                return
            if b"\x00" in head:
                yield IngestFailure(path, "binary file")
                return
            handle.seek(0)
            yield from read_jsonl_lines(handle, path, published)
        return
    with open(path, "rb") as handle:
        data = handle.read()
    yield from _read_whole(kind or sniff_kind(data[:4096]), data, path, published)


def iter_documents(paths: Iterable[str], published: str | None = None) -> Iterator[Document | IngestFailure]:
    """Documents from files, directories, globs and "-" (stdin), in order.

    `published` (an ISO date, e.g. from `--published`) is the fallback date
    for articles whose metadata and text give none.
    """
    fallback = normalise_date(published) if published else None
    for item in expand_paths(paths):
        if isinstance(item, IngestFailure):
            yield item
            continue
        try:
            yield from _read_path(item, fallback)
        except IsADirectoryError:
            yield IngestFailure(item, "is a directory")
        except PermissionError:
            yield IngestFailure(item, "permission denied")
        except OSError as exc:
            yield IngestFailure(item, f"cannot read file: {_os_reason(exc)}")
        except MemoryError:
            yield IngestFailure(item, "file too large to read into memory")
        except Exception as exc:  # a reader bug must not sink the batch
            yield IngestFailure(item, f"unexpected error reading file: {type(exc).__name__}: {exc}")


__all__ = ["FORMATS", "IngestFailure", "domain_of", "expand_paths", "iter_documents", "sniff_kind"]
