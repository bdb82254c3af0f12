"""Export formats, one module each over `armstrace.export.base.Exporter`.

    from armstrace.export import export_events
    with open("events.jsonl", "w") as fh:
        export_events(store, "jsonl", fh)

Every module in this package is imported here, so a new format module
registers itself just by existing.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, TextIO

from armstrace.export.base import EXPORTERS, Exporter

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def formats() -> list[str]:
    return sorted(EXPORTERS)


def export_events(store: Any, format: str, stream: TextIO, **filters: Any) -> int:
    """Write every event matching `filters` (as `Store.events` takes them) to `stream`; returns the count."""
    try:
        exporter_class = EXPORTERS[format]
    except KeyError:
        raise ValueError(f"unknown export format {format!r} (known: {', '.join(formats())})") from None
    return exporter_class(stream).write_all(store.iter_events(with_claims=True, **filters))


__all__ = ["EXPORTERS", "Exporter", "export_events", "formats"]
