"""Turn the words for times, quantities and values into numbers and dates.

All relative expressions ("last week", "in the past year", "on Tuesday")
are read against the article's publication date; without one, only absolute
dates are normalised and the rest keep their text with null bounds.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from armstrace.model import Quantity, TimeSpan, Value

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_MONTH_ONLY = re.compile(rf"\b({_MONTH_RE})\b", re.I)


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _day(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _past_year_for_month(month: int, published: date | None) -> int | None:
    """A bare month ("in August") is the latest such month not after publication."""
    if published is None:
        return None
    return published.year if month <= published.month else published.year - 1


def normalize_time(text: str, published: str | None) -> TimeSpan:
    """Read a time expression into start/end with the precision the text has."""
    pub = parse_iso(published)
    low = text.lower().strip()
    start = end = None

    if m := _ISO.search(low):
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        start = end = _day(y, mo, int(d)) if d else _month(y, mo)
    elif m := _MONTH_DAY_YEAR.search(low):
        start = end = _day(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    elif m := _DAY_MONTH_YEAR.search(low):
        start = end = _day(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    elif m := _MONTH_YEAR.search(low):
        start = end = _month(int(m.group(2)), MONTHS[m.group(1).lower()])
    elif (m := _MONTH_DAY.search(low)) or (m := _DAY_MONTH.search(low)):
        if m.re is _MONTH_DAY:
            month, day_ = MONTHS[m.group(1).lower()], int(m.group(2))
        else:
            month, day_ = MONTHS[m.group(2).lower()], int(m.group(1))
        year = _past_year_for_month(month, pub)
        if year is not None:
            start = end = _day(year, month, day_)
    elif pub is not None:
        start, end = _relative(low, pub)
    if start is None and (m := _YEAR.search(low)) and not re.search(r"\b(decade|century)\b", low):
        start = end = m.group(1)
        if re.search(r"\b(since|from)\b", low) and pub is not None:
            end = pub.isoformat()
    if start is None and pub is not None and (m := _MONTH_ONLY.search(low)):
        month = MONTHS[m.group(1).lower()]
        year = _past_year_for_month(month, pub)
        if year is not None and not re.fullmatch(r"may", m.group(1).lower()):
            start = end = _month(year, month)
    return TimeSpan(text=text, start=start, end=end)


def _relative(low: str, pub: date) -> tuple[str | None, str | None]:
    if re.search(r"\b(today|this morning|tonight|this evening)\b", low):
        return pub.isoformat(), pub.isoformat()
    if "yesterday" in low:
        d = (pub - timedelta(days=1)).isoformat()
        return d, d
    for name, idx in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", low):
            back = (pub.weekday() - idx) % 7 or (7 if "last" in low else 0)
            d = (pub - timedelta(days=back)).isoformat()
            return d, d
    if re.search(r"\b(this|earlier this|later this|so far this) month\b", low):
        return _month(pub.year, pub.month), _month(pub.year, pub.month)
    if re.search(r"\blast month\b|\bprevious month\b", low):
        prev = pub.replace(day=1) - timedelta(days=1)
        return _month(prev.year, prev.month), _month(prev.year, prev.month)
    if re.search(r"\b(this|earlier this|so far this) year\b", low):
        return str(pub.year), str(pub.year)
    if re.search(r"\blast year\b|\bprevious year\b", low):
        return str(pub.year - 1), str(pub.year - 1)
    if re.search(r"\b(last|past|previous) week\b|\bearlier this week\b|\bthis week\b", low):
        start = pub - timedelta(days=pub.weekday() + (7 if "last" in low or "past" in low or "previous" in low else 0))
        return start.isoformat(), (start + timedelta(days=6)).isoformat()
    if m := re.search(r"\b(?:past|last|preceding|previous)\s+(\w+)\s+(day|week|month|year)s?\b", low):
        n = _small_number(m.group(1))
        if n:
            days = {"day": 1, "week": 7, "month": 30, "year": 365}[m.group(2)] * n
            return (pub - timedelta(days=days)).isoformat(), pub.isoformat()
    if re.search(r"\b(past|last|previous) year\b", low):
        return (pub - timedelta(days=365)).isoformat(), pub.isoformat()
    if re.search(r"\b(recent|in recent) (weeks|days)\b", low):
        return (pub - timedelta(days=30)).isoformat(), pub.isoformat()
    if re.search(r"\b(recent|in recent) months\b", low):
        return (pub - timedelta(days=180)).isoformat(), pub.isoformat()
    return None, None


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "half": 0.5, "couple": 2, "dozen": 12,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "k": 1000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
           "b": 1_000_000_000}


def _small_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    value = _NUMBER_WORDS.get(word.lower())
    return int(value) if value and value >= 1 else None


def _number(text: str) -> float | None:
    """'1,000' -> 1000; '4.5 billion' -> 4.5e9; 'twelve' -> 12; 'two dozen' -> 24."""
    low = text.lower().replace(",", "").strip()
    total: float | None = None
    for tok in re.findall(r"\d+(?:\.\d+)?|[a-z]+", low):
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            total = float(tok) if total is None else total + float(tok)
        elif tok in _SCALES:
            total = (total or 1) * _SCALES[tok]
        elif tok in _NUMBER_WORDS and tok not in {"a", "an"}:
            val = float(_NUMBER_WORDS[tok])
            total = val if total is None else (total * val if val >= 12 and total < 12 else total + val)
    return total


# Vague amounts: the range an analyst would give them (SPEC: "several hundred" -> 200..999).
_VAGUE = [
    (r"\bseveral\s+hundred\b", 200, 999),
    (r"\bhundreds\b", 100, 999),
    (r"\bseveral\s+thousand\b", 2000, 9999),
    (r"\bthousands\b", 1000, 9999),
    (r"\btens of thousands\b", 10000, 99999),
    (r"\bseveral\s+dozen\b", 24, 99),
    (r"\bdozens\b", 24, 99),
    (r"\ba\s+dozen\b", 12, 12),
    (r"\bscores\b", 40, 99),
    (r"\bseveral\b", 3, 9),
    (r"\ba\s+few\b|\bfew\b", 2, 9),
    (r"\ba\s+handful\b", 2, 9),
    (r"\ba\s+small\s+number\b|\blimited\s+numbers?\b", 1, 20),
    (r"\bmillions\b", 1_000_000, 9_999_999),
]


def normalize_quantity(text: str) -> Quantity | None:
    low = text.lower()
    if re.search(r"\btens of thousands\b", low):
        return Quantity(text, 10000, 99999)
    for pattern, lo, hi in _VAGUE:
        if re.search(pattern, low):
            return Quantity(text, lo, hi)
    n = _number(low)
    if n is None:
        return None
    n_int = int(n)
    if re.search(r"\b(at least|more than|over|upwards of|in excess of|no fewer than|some)\b", low):
        return Quantity(text, n_int + (1 if re.search(r"more than|over|in excess", low) else 0), None)
    if re.search(r"\b(up to|as many as|at most|fewer than|less than|under|no more than)\b", low):
        return Quantity(text, None, n_int)
    if re.search(r"\b(about|around|approximately|nearly|almost|roughly|some)\b", low):
        return Quantity(text, n_int, n_int)
    return Quantity(text, n_int, n_int)


_CURRENCIES = [
    (r"\$|\busd\b|\bdollars?\b|-dollar\b", "USD"),
    (r"€|\beur\b|\beuros?\b", "EUR"),
    (r"£|\bgbp\b|\bpounds?\b|\bsterling\b", "GBP"),
    (r"\brubles?\b|\broubles?\b|₽", "RUB"),
    (r"\byuan\b|\brenminbi\b|\bcny\b", "CNY"),
    (r"\bwon\b|₩", "KRW"),
    (r"\brupees?\b|₹", "INR"),
    (r"\byen\b|¥", "JPY"),
    (r"\brials?\b", "IRR"),
]


def normalize_value(text: str) -> Value | None:
    low = text.lower()
    currency = next((code for pattern, code in _CURRENCIES if re.search(pattern, low)), None)
    amount = _number(re.sub(r"-dollar", " ", low))
    if amount is None and re.search(r"\b(billion|million)\b", low):
        amount = _SCALES[re.search(r"\b(billion|million)\b", low).group(1)]  # "billion-dollar"
    if amount is None or currency is None:
        return None
    return Value(text=text, amount=float(amount), currency=currency)


@lru_cache(maxsize=4096)
def looks_like_time(text: str) -> bool:
    return bool(
        _ISO.search(text) or _MONTH_ONLY.search(text) or _YEAR.search(text)
        or re.search(r"\b(week|month|year|day|today|yesterday|monday|tuesday|wednesday|thursday|friday|"
                     r"saturday|sunday)s?\b", text, re.I)
    )
