"""What fusion asks the knowledge catalogues: the item category of a named system.

A catalogued system lends its own category to the claims that name it, so
"Shahed-136" called a drone in one article and a missile in another still
blocks as one family. Without the catalogue (not installed, or a system it
does not know) fusion goes by the category each claim gives.
"""

from __future__ import annotations

from functools import cache

from armstrace.fuse.core import SystemFamily


@cache
def default_system_family() -> SystemFamily | None:
    try:
        from armstrace.knowledge import default_catalog  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        catalog = default_catalog()
    except Exception:  # a broken catalogue file must not stop fusion; claims still carry categories
        return None

    def category_of(system_id: str) -> str | None:
        entity = catalog.get(system_id)
        return entity.category if entity is not None and entity.kind == "system" else None

    return category_of
