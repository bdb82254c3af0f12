"""Bad input at the library level: every bad file becomes one IngestFailure, never an exception."""

from __future__ import annotations

import time
from pathlib import Path

from armstrace.ingest import IngestFailure, iter_documents
from armstrace.model import Document


def read(path: Path) -> list[Document | IngestFailure]:
    return list(iter_documents([str(path)]))


def test_empty_and_blank_files(tmp_path: Path) -> None:
    for name, content in [
        ("empty.txt", b""),
        ("blank.txt", b" \n\t\n"),
        ("empty.html", b""),
        ("empty.jsonl", b"\n"),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        [failure] = read(path)
        assert isinstance(failure, IngestFailure) and failure.reason == "empty file", (name, failure)


def test_binary_files(tmp_path: Path) -> None:
    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    control = tmp_path / "control.html"
    control.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 500)
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b'{"text": "a"}\n\x00\x01\x02')
    for path in (png, control, feed):
        [failure] = read(path)
        assert isinstance(failure, IngestFailure) and failure.reason == "binary file", path


def test_invalid_utf8_is_replaced_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 owners in Tehran\n\nThe caf\u00e9 sold drones.".encode("latin-1"))
    [doc] = read(path)
    assert isinstance(doc, Document)
    assert doc.title == "Caf\ufffd owners in Tehran"
    assert len(doc.warnings) == 1 and "invalid UTF-8" in doc.warnings[0]
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Headline\n\nBody with \u00e9.".encode("utf-16"))  # with BOM: decoded, not "binary"
    [doc16] = read(utf16)
    assert (
        isinstance(doc16, Document) and doc16.text == "Headline\n\nBody with \u00e9." and not doc16.warnings
    )


def test_unreadable_things(tmp_path: Path) -> None:
    [missing] = read(tmp_path / "missing.txt")
    assert isinstance(missing, IngestFailure) and missing.reason == "no such file or directory"
    fifo_dir = tmp_path / "dir.txt"
    fifo_dir.mkdir()
    [as_dir] = read(fifo_dir)
    assert isinstance(as_dir, IngestFailure)


def test_a_batch_goes_on_past_bad_files(tmp_path: Path) -> None:
    (tmp_path / "1.txt").write_text("Good one\n\nBody.", encoding="utf-8")
    (tmp_path / "2.txt").write_bytes(b"")
    (tmp_path / "3.txt").write_bytes(b"\x00\x00\x00")
    (tmp_path / "4.txt").write_text("Good two\n\nBody.", encoding="utf-8")
    found = list(iter_documents([str(tmp_path), str(tmp_path / "nope")]))
    assert [type(x).__name__ for x in found] == [
        "Document",
        "IngestFailure",
        "IngestFailure",
        "Document",
        "IngestFailure",
    ]


def test_fifty_megabyte_text_file(tmp_path: Path) -> None:
    paragraph = (
        "The ministry said grain exports rose again this spring, and ports stayed open. " * 12 + "\n\n"
    ).encode()
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(b"A very long report\n\nMay 18, 2022\n\n")
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(paragraph)
    started = time.perf_counter()
    [doc] = read(path)
    elapsed = time.perf_counter() - started
    assert isinstance(doc, Document)
    assert len(doc.text) >= 50 * 1024 * 1024
    assert (doc.title, doc.published) == ("A very long report", "2022-05-18")
    # Not a benchmark: a generous bound that only quadratic behaviour would break.
    assert elapsed < 30, elapsed


def test_nul_characters_in_jsonl_text_are_replaced(tmp_path: Path) -> None:
    import json

    path = tmp_path / "nul.jsonl"
    path.write_text(json.dumps({"text": "Iran sent drones\u0000 to Russia."}) + "\n", encoding="utf-8")
    [doc] = read(path)
    assert isinstance(doc, Document)
    assert doc.text == "Iran sent drones\ufffd to Russia."  # same length: offsets still hold
    assert doc.warnings == ["1 NUL character(s) replaced with U+FFFD"]
