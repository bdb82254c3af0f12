"""Publication dates: a dateline near the top of an article, and ISO normalisation.

Only a line that is *nothing but* a date (with an optional "Published:"-style
label, weekday and time) counts as a dateline. A photo caption or a sentence
that merely contains a date ("... unveils its drone, May 21, 2021.") is not
the article's date, and guessing from it would misdate the article.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_LABEL = r"(?:(?:published|updated|last\s+updated|posted|date|first\s+published)\s*(?:on|at)?\s*[:\-–]?\s*)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?:\s*(?:[-–—|,@]|at)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5}|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?)?)?"

_DATE_FORMS = [
    rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})",  # May 18, 2022
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})",  # 21 Nov 2022
    r"(?P<year>\d{4})[-/](?P<mnum>\d{1,2})[-/](?P<day>\d{1,2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?",  # 2022-11-21
]

DATELINE_RES = [
    re.compile(rf"^\s*{_LABEL}{_WEEKDAY}{form}{_TIME}\s*$", re.IGNORECASE) for form in _DATE_FORMS
]
# A dateline is short; longer lines are prose and are not tried at all.
MAX_DATELINE_CHARS = 80
# How many non-empty lines from the top may hold the dateline.
DATELINE_WINDOW = 12


def _to_iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    try:
        year = int(groups["year"])
        month = MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["mnum"])
        day = int(groups["day"])
        return date(year, month, day).isoformat()
    except (ValueError, KeyError, TypeError):
        return None


def parse_dateline(line: str) -> str | None:
    """The ISO date of a line that is only a date, else None."""
    if len(line) > MAX_DATELINE_CHARS:
        return None
    for pattern in DATELINE_RES:
        match = pattern.match(line)
        if match:
            return _to_iso(match)
    return None


def find_dateline(text: str, window: int = DATELINE_WINDOW) -> str | None:
    """The date of the first dateline among the first `window` non-empty lines.

    Walks lines lazily, so a 50 MB article costs no more than a short one.
    """
    seen = 0
    for line in iter_lines(text):
        if not line.strip():
            continue
        found = parse_dateline(line)
        if found:
            return found
        seen += 1
        if seen >= window:
            break
    return None


def iter_lines(text: str, max_line: int = 4096):
    """Lines of `text` from the top, without splitting the whole string.

    A line longer than `max_line` is cut (a file with no newlines would
    otherwise be one 50 MB "line").
    """
    pos = 0
    size = len(text)
    while pos < size:
        end = text.find("\n", pos, pos + max_line)
        if end == -1:
            end = min(size, pos + max_line)
            yield text[pos:end]
            # Skip the rest of an over-long line.
            nxt = text.find("\n", end)
            if nxt == -1:
                return
            pos = nxt + 1
        else:
            yield text[pos:end]
            pos = end + 1


def normalise_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD, or YYYY-MM / YYYY as given) from metadata, else None.

    Accepts ISO dates and datetimes and the dateline forms above.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", text)
    if match:
        year, month, day = match.groups()
        try:
            if day:
                return date(int(year), int(month), int(day)).isoformat()
            if month:
                date(int(year), int(month), 1)
                return f"{year}-{month}"
            return year
        except ValueError:
            return None
    return parse_dateline(text)
