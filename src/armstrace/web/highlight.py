"""Article text with evidence sentences marked, built safely.

Article text is untrusted: it may hold `<script>` or `onerror=` attributes.
Every piece of text is escaped on its own and only our own `<mark>` tags are
put between the escaped pieces, so nothing from an article can become markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """A stretch of the document text to mark, and what it belongs to."""

    start: int
    end: int
    label: str = ""  # shown as the mark's title (escaped)
    anchor: str = ""  # an id for the mark, so a page can link to it


def locate(text: str, sentence: str | None, start: int | None, end: int | None) -> tuple[int, int] | None:
    """Where an evidence sentence sits in `text`, without surrounding whitespace (see `_locate`)."""
    found = _locate(text, sentence, start, end)
    if found is None:
        return None
    first, last = found
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    return (first, last) if first < last else None


def _locate(text: str, sentence: str | None, start: int | None, end: int | None) -> tuple[int, int] | None:
    """Where an evidence sentence sits in `text`.

    The stored offsets are trusted when they point at the sentence; when they
    do not (a document re-cleaned since), the sentence is searched for, so a
    highlight is shown in the right place or not at all.
    """
    length = len(text)
    valid = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length
    if valid and (not sentence or text[start:end].strip() == sentence.strip()):
        return start, end  # type: ignore[return-value]
    if sentence:
        found = text.find(sentence.strip())
        if found >= 0:
            return found, found + len(sentence.strip())
    if valid:
        return start, end  # type: ignore[return-value]
    return None


def _merged(spans: Iterable[Span], length: int) -> list[Span]:
    """Spans in text order, clipped to the text, overlaps joined (the first label wins)."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = max(0, span.start), min(length, span.end)
        if start >= end:
            continue
        if out and start < out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, end), last.label, last.anchor)
        else:
            out.append(Span(start, end, span.label, span.anchor))
    return out


def highlight(text: str, spans: Iterable[Span]) -> Markup:
    """`text` as HTML with each span inside a `<mark>`; everything else escaped."""
    parts: list[str] = []
    position = 0
    for span in _merged(spans, len(text)):
        parts.append(str(escape(text[position : span.start])))
        attributes = ""
        if span.anchor:
            attributes += f' id="{escape(span.anchor)}"'
        if span.label:
            attributes += f' title="{escape(span.label)}"'
        parts.append(f"<mark{attributes}>{escape(text[span.start : span.end])}</mark>")
        position = span.end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def excerpt(text: str, span: Span, context: int = 280) -> Markup:
    """The marked span with some text either side, cut at whitespace, "…" where cut."""
    start = max(0, span.start - context)
    end = min(len(text), span.end + context)
    if start > 0:
        space = text.find(" ", start, span.start)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", span.end, end)
        end = space if space >= 0 else end
    inner = highlight(text[start:end], [Span(span.start - start, span.end - start, span.label, span.anchor)])
    return Markup(("… " if start > 0 else "") + str(inner) + (" …" if end < len(text) else ""))


__all__ = ["Span", "excerpt", "highlight", "locate"]
