"""Readers, path expansion and publication dates, on real files written per test."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from armstrace.ingest import IngestFailure, expand_paths, iter_documents
from armstrace.ingest.dates import find_dateline, normalise_date, parse_dateline
from armstrace.model import Document


def docs_of(*paths: Path | str, published: str | None = None) -> list[Document | IngestFailure]:
    return list(iter_documents([str(p) for p in paths], published=published))


def only_doc(*paths: Path | str, published: str | None = None) -> Document:
    found = docs_of(*paths, published=published)
    assert len(found) == 1, found
    assert isinstance(found[0], Document), found[0]
    return found[0]


BODY = "Officials said the drones were shipped by sea.\nA second paragraph follows here.\n"


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("May 18, 2022 - 21:18", "2022-05-18"),
        ("November 21, 2022", "2022-11-21"),
        ("2022-11-21", "2022-11-21"),
        ("Published: 21 Nov 2022", "2022-11-21"),
        ("Updated on Monday, 3rd March 2021 at 10:15 GMT", "2021-03-03"),
        ("Sept. 9, 2023", "2023-09-09"),
    ],
)
def test_text_reader_title_and_dateline(tmp_path: Path, dateline: str, expected: str) -> None:
    path = tmp_path / "story.txt"
    path.write_text(f"\n  Iran sends drones to Russia  \n\n{dateline}\n\n{BODY}", encoding="utf-8")
    doc = only_doc(path, published="2000-01-01")
    assert doc.title == "Iran sends drones to Russia"
    assert doc.published == expected
    # The dateline stays in the text: evidence offsets must match the file.
    assert dateline in doc.text
    assert doc.path == str(path)
    assert doc.source is None


def test_text_reader_ignores_dates_inside_sentences_and_captions(tmp_path: Path) -> None:
    path = tmp_path / "caption.txt"
    path.write_text(
        "Iran to help Russia build drones\n\n"
        'The IRGC unveils its new "Gaza" drone, May 21, 2021. (Sepah News)\n'
        "On November 13, 2022 the minister spoke.\n",
        encoding="utf-8",
    )
    assert only_doc(path).published is None
    assert only_doc(path, published="2022-11-20").published == "2022-11-20"


def test_dateline_must_be_near_the_top(tmp_path: Path) -> None:
    lines = [f"Paragraph {i} of the story, with words." for i in range(30)]
    lines.insert(20, "May 18, 2022")
    path = tmp_path / "late.txt"
    path.write_text("Title\n" + "\n".join(lines), encoding="utf-8")
    assert only_doc(path).published is None


def test_title_skips_a_leading_dateline(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("November 21, 2022\nThe real headline\n\nBody text.", encoding="utf-8")
    doc = only_doc(path)
    assert (doc.title, doc.published) == ("The real headline", "2022-11-21")


def test_crlf_is_normalised_and_id_is_the_text_hash(tmp_path: Path) -> None:
    unix = tmp_path / "unix.txt"
    dos = tmp_path / "dos.txt"
    unix.write_bytes(b"Headline\n\nBody line one.\nBody line two.\n")
    dos.write_bytes(b"Headline\r\n\r\nBody line one.\r\nBody line two.\r\n")
    a, b = only_doc(unix), only_doc(dos)
    assert a.text == b.text and a.id == b.id


HTML = """<!doctype html>
<html><head>
<title>Iran ships drones to Russia | Example Wire</title>
<meta property="og:site_name" content="Example Wire">
<link rel="canonical" href="https://www.example-wire.com/world/iran-drones">
{meta}
<script>var headline = "Scripted text that must not appear"; document.write(headline);</script>
<style>.x {{ color: red }}</style>
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Iran ships drones to Russia</h1>
{dateline}
<p>Iran has shipped several hundred Shahed-136 drones to Russia since August, US officials said on Monday,
in a deal that Tehran denies.</p>
<p>The drones were used against power plants in October, according to officials in Kyiv, who said most of
them were shot down before reaching their targets.</p>
<script>console.log("inline script in the article body");</script>
<p>Washington has imposed sanctions on the companies that make the engines.</p>
</article>
<footer>Copyright Example Wire. All rights reserved.</footer>
</body></html>
"""


def test_html_reader_main_text_title_date_source(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    meta = '<meta property="article:published_time" content="2022-11-21T08:00:00Z">'
    path.write_text(HTML.format(meta=meta, dateline=""), encoding="utf-8")
    doc = only_doc(path, published="2000-01-01")
    assert "several hundred Shahed-136 drones" in doc.text
    assert "sanctions on the companies" in doc.text
    assert "Scripted text" not in doc.text and "console.log" not in doc.text
    assert "All rights reserved" not in doc.text and "Sport" not in doc.text
    assert doc.title == "Iran ships drones to Russia"
    assert doc.published == "2022-11-21"
    assert doc.source == "Example Wire"
    assert doc.url == "https://www.example-wire.com/world/iran-drones"


def test_html_date_falls_back_to_dateline_then_argument(tmp_path: Path) -> None:
    with_dateline = tmp_path / "dl.htm"
    with_dateline.write_text(HTML.format(meta="", dateline="<p>May 18, 2022</p>"), encoding="utf-8")
    assert only_doc(with_dateline, published="2000-01-01").published == "2022-05-18"
    bare = tmp_path / "bare.htm"
    bare.write_text(HTML.format(meta="", dateline=""), encoding="utf-8")
    assert only_doc(bare, published="2022-12-01").published == "2022-12-01"


def test_html_source_falls_back_to_url_domain(tmp_path: Path) -> None:
    path = tmp_path / "nosite.html"
    page = HTML.format(meta="", dateline="").replace(
        '<meta property="og:site_name" content="Example Wire">', ""
    )
    path.write_text(page, encoding="utf-8")
    assert only_doc(path).source in {
        "example-wire.com",
        "Example Wire",
    }  # trafilatura may read the <title> suffix
    assert only_doc(path).url == "https://www.example-wire.com/world/iran-drones"


def test_html_without_article_text_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(
        "<html><head><script>x=1</script></head><body><script>var y = 2;</script><style>p {}</style></body></html>",
        encoding="utf-8",
    )
    [failure] = docs_of(path)
    assert isinstance(failure, IngestFailure)
    assert "no article text" in failure.reason


def test_jsonl_reader_metadata_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    records = [
        {"text": "First story about drones.\nMore text.", "title": "One", "url": "https://www.wire.example/a",
         "published": "2022-07-20T10:00:00Z", "source": "Wire"},
        "{this is not json",
        {"title": "no text here"},
        {"text": "Second story.\n\nNovember 21, 2022\n\nBody.", "url": "https://news.example.net/b"},
        ["a", "list"],
        {"text": "Third story, with a date I cannot read.", "published": "sometime"},
        {"text": "   "},
    ]  # fmt: skip
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    lines.insert(3, "")  # blank lines are skipped, and still count for line numbers
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = docs_of(path, published="2023-01-01")
    docs = [d for d in found if isinstance(d, Document)]
    failures = [f for f in found if isinstance(f, IngestFailure)]
    assert [(f.line, f.path) for f in failures] == [
        (2, str(path)),
        (3, str(path)),
        (6, str(path)),
        (8, str(path)),
    ]
    assert "malformed JSON" in failures[0].reason
    assert "no 'text'" in failures[1].reason
    assert "expected a JSON object" in failures[2].reason
    assert "empty" in failures[3].reason
    first, second, third = docs
    assert (first.title, first.published, first.source, first.path) == (
        "One",
        "2022-07-20",
        "Wire",
        f"{path}:1",
    )
    assert (second.published, second.source, second.title) == ("2022-11-21", "news.example.net", None)
    assert third.published == "2023-01-01"
    assert any("published" in w for w in third.warnings)


def test_metadata_date_beats_dateline_beats_argument(tmp_path: Path) -> None:
    path = tmp_path / "prec.jsonl"
    text = "Headline\nMay 18, 2022\nBody."
    path.write_text(
        json.dumps({"text": text, "published": "2022-06-01"})
        + "\n"
        + json.dumps({"text": text + " More."})
        + "\n",
        encoding="utf-8",
    )
    given, from_text = docs_of(path, published="2020-01-01")
    assert given.published == "2022-06-01"
    assert from_text.published == "2022-05-18"


def test_expand_paths_directories_globs_missing(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "report.pdf").write_bytes(b"%PDF")
    for name in ["a.txt", "b/c.html", "b/deep/d.jsonl", "b/notes.pdf", ".hidden/e.txt", "b/.f.txt"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    listed = list(expand_paths([str(tmp_path)]))
    assert listed == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b" / "c.html"),
        str(tmp_path / "b" / "deep" / "d.jsonl"),
    ]
    assert list(expand_paths([str(tmp_path / "b" / "*.html")])) == [str(tmp_path / "b" / "c.html")]
    assert list(expand_paths([str(tmp_path / "**" / "*.jsonl")])) == [
        str(tmp_path / "b" / "deep" / "d.jsonl")
    ]
    missing, nomatch, empty_dir = list(
        expand_paths([str(tmp_path / "nope.txt"), str(tmp_path / "*.xml"), str(tmp_path / "pdfs")])
    )
    assert isinstance(missing, IngestFailure) and missing.reason == "no such file or directory"
    assert isinstance(nomatch, IngestFailure) and "no files match" in nomatch.reason
    assert isinstance(empty_dir, IngestFailure) and "holds no" in empty_dir.reason
    # A file named explicitly is read whatever its extension.
    assert list(expand_paths([str(tmp_path / "b" / "notes.pdf")])) == [str(tmp_path / "b" / "notes.pdf")]


def test_stdin_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = json.dumps({"text": "Piped story one."}) + "\n" + json.dumps({"text": "Piped story two."}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    found = docs_of("-")
    assert [d.text for d in found if isinstance(d, Document)] == ["Piped story one.", "Piped story two."]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Plain headline\n\nPlain body.\n")))
    [doc] = docs_of("-")
    assert isinstance(doc, Document) and doc.title == "Plain headline" and doc.path == "<stdin>"


def test_same_text_from_two_paths_is_one_id(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Same story\n\nSame body.", encoding="utf-8")
    (tmp_path / "two.txt").write_text("Same story\n\nSame body.", encoding="utf-8")
    a, b = docs_of(tmp_path / "one.txt", tmp_path / "two.txt")
    assert isinstance(a, Document) and isinstance(b, Document)
    assert a.id == b.id and a.path != b.path


def test_date_helpers() -> None:
    assert parse_dateline("Posted: Tuesday, 14 June 2022 | 09:05 am") == "2022-06-14"
    assert parse_dateline("February 30, 2022") is None  # not a day
    assert parse_dateline("Iran said on May 18, 2022 that it would") is None
    assert normalise_date("2022-07") == "2022-07" and normalise_date("2022") == "2022"
    assert normalise_date("2022-13-01") is None and normalise_date("") is None
    # One huge first line is cut, not scanned: the dateline on the next line is still found.
    assert find_dateline("x" * 10_000_000 + "\nMay 18, 2022") == "2022-05-18"
