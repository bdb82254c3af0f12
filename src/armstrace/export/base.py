"""The common base of every export format.

An exporter writes fused events (SPEC section 6 records, claims included)
to a text stream, one at a time, so memory stays flat however large the
store. A format is one module in this package defining one subclass with a
`format` name; defining it registers it, so adding a format touches nothing
else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, TextIO

EXPORTERS: dict[str, type[Exporter]] = {}


class Exporter:
    """Write events to `stream`: `start()`, then `write(event)` per event, then `finish()`."""

    format: ClassVar[str] = ""
    suffix: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.format:
            EXPORTERS[cls.format] = cls

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0

    def start(self) -> None:
        """Write whatever comes before the first event (a header row, say)."""

    def write(self, event: dict[str, Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Write whatever comes after the last event."""

    def write_all(self, events: Iterable[dict[str, Any]]) -> int:
        self.start()
        for event in events:
            self.write(event)
            self.count += 1
        self.finish()
        return self.count


# A spreadsheet reads a cell that starts with one of these as a formula (or,
# for tab and carriage return, may strip them and read what follows as one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a spreadsheet cell that cannot run as a formula.

    Text from articles (a name, an evidence sentence) can begin with "=",
    "+", "-", "@", a tab or a carriage return, and Excel or LibreOffice would
    evaluate it (`=HYPERLINK(...)`, `=cmd|...`). Such a string gets a leading
    single quote, as OWASP recommends for CSV injection: the spreadsheet then
    shows it as text. Numbers are left alone (a negative number is a number).
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def ref_id(ref: dict[str, Any] | None) -> str:
    return (ref or {}).get("id") or ""


def ref_name(ref: dict[str, Any] | None) -> str:
    return (ref or {}).get("name") or (ref or {}).get("id") or ""


def stance_actors(event: dict[str, Any], polarity: str) -> list[str]:
    """Ids of the actors with this polarity, in order, without repeats."""
    out: list[str] = []
    for entry in event.get("stance") or []:
        actor = ref_id(entry.get("actor"))
        if entry.get("polarity") == polarity and actor and actor not in out:
            out.append(actor)
    return out
