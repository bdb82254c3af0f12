"""Times, quantities and values read against the publication date."""

from __future__ import annotations

import pytest

from armstrace.extract.normalize import normalize_quantity, normalize_time, normalize_value


@pytest.mark.parametrize(
    ("text", "published", "start", "end"),
    [
        ("on July 19", "2022-07-20", "2022-07-19", "2022-07-19"),
        ("on July 11", "2022-03-01", "2021-07-11", "2021-07-11"),  # a bare date not after publication
        ("November 13, 2023", None, "2023-11-13", "2023-11-13"),
        ("18 May 2022", None, "2022-05-18", "2022-05-18"),
        ("in November 2022", "2023-01-05", "2022-11", "2022-11"),
        ("in August", "2022-11-21", "2022-08", "2022-08"),
        ("in February", "2022-01-10", "2021-02", "2021-02"),
        ("this month", "2022-07-20", "2022-07", "2022-07"),
        ("earlier this month", "2022-11-21", "2022-11", "2022-11"),
        ("last month", "2022-01-15", "2021-12", "2021-12"),
        ("last year", "2023-06-01", "2022", "2022"),
        ("on Tuesday", "2022-07-20", "2022-07-19", "2022-07-19"),  # 2022-07-20 is a Wednesday
        ("last week", "2022-07-20", "2022-07-11", "2022-07-17"),
        ("in the past year", "2022-11-21", "2021-11-21", "2022-11-21"),
        ("in the preceding three months", "2022-10-31", "2022-08-02", "2022-10-31"),
        ("in 2021", None, "2021", "2021"),
        ("2022-08-04", None, "2022-08-04", "2022-08-04"),
    ],
)
def test_time_is_normalised_against_publication(text: str, published: str | None, start: str, end: str) -> None:
    span = normalize_time(text, published)
    assert (span.start, span.end) == (start, end)
    assert span.text == text


def test_relative_time_without_publication_date_keeps_text_only() -> None:
    span = normalize_time("last week", None)
    assert span.start is None and span.end is None and span.text == "last week"


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("several hundred", 200, 999),
        ("hundreds", 100, 999),
        ("dozens", 24, 99),
        ("a dozen", 12, 12),
        ("at least 1,000", 1000, None),
        ("more than 600", 601, None),
        ("up to 50", None, 50),
        ("24", 24, 24),
        ("twelve", 12, 12),
        ("two dozen", 24, 24),
        ("thousands", 1000, 9999),
        ("a small number", 1, 20),
    ],
)
def test_quantities(text: str, lo: int | None, hi: int | None) -> None:
    q = normalize_quantity(text)
    assert q is not None
    assert (q.min, q.max) == (lo, hi)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("almost $1 billion", 1e9, "USD"),
        ("a $4.5 billion deal", 4.5e9, "USD"),
        ("€2.3 million", 2.3e6, "EUR"),
        ("billion-dollar", 1e9, "USD"),
        ("£800m", 800e6, "GBP"),
        ("$17bn", 17e9, "USD"),
    ],
)
def test_values(text: str, amount: float, currency: str) -> None:
    v = normalize_value(text)
    assert v is not None
    assert v.amount == pytest.approx(amount)
    assert v.currency == currency


def test_not_a_value() -> None:
    assert normalize_value("several drones") is None
    assert normalize_quantity("the drones") is None
