"""SIPRI's names to our ids: parties to ISO3 / org ids, designations to system ids.

The alias tables are data (`data/names.yaml`, `data/categories.yaml`) an
analyst can read and extend. Countries otherwise resolve through pycountry's
exact lookup, never a fuzzy one ("Kosovo" must not become Serbia).
Designations go through the knowledge catalogue's resolver when it is there,
so that SIPRI's "Shahed-136" and the news' "Geran-2" meet on one id; else a
slug.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import pycountry
import yaml
from unidecode import unidecode


@cache
def _data(name: str) -> dict[str, Any]:
    text = resources.files("armstrace.sipri").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unidecode(value).lower()).strip("-")


@cache
def party_id(name: str) -> str | None:
    """The SPEC id of a SIPRI supplier or recipient name, or None for "unknown ..."."""
    name = name.strip()
    tables = _data("names.yaml")
    if not name or name in (tables.get("unknown") or []):
        return None
    if name in tables["organisations"]:
        return str(tables["organisations"][name])
    if name in tables["states"]:
        return str(tables["states"][name])
    if name.endswith("*"):
        bare = re.sub(r"\s*\(.*?\)\s*", " ", name.rstrip("*")).strip()
        return f"org:{slug(bare)}"
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return f"org:{slug(name)}"


def clean_designation(designation: str) -> str:
    """SIPRI's designation without its trailing variant dash ("Piranha-2 -")."""
    return re.sub(r"\s+-$", "", designation.strip())


@cache
def _resolver() -> Any:
    try:
        from armstrace.knowledge import Resolver, default_catalog  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        return Resolver(default_catalog())
    except Exception:  # a broken catalogue must not stop an import; slugs still work
        return None


def _resolve_with_catalogue(designation: str) -> str | None:
    """The catalogue's id for a designation known by this exact name or an alias of it.

    Never a fuzzy match: "Shahed-131" must not become the Shahed-136.
    """
    resolver = _resolver()
    if resolver is None:
        return None
    try:
        ident = resolver.new_id(designation, "system")
    except ValueError:
        return None
    return ident if isinstance(ident, str) and ident.startswith("sys:") else None


@cache
def system_id(designation: str) -> str | None:
    """A system id for a SIPRI designation: the catalogue's, else `sys:` + slug."""
    cleaned = clean_designation(designation)
    if not cleaned:
        return None
    return _resolve_with_catalogue(cleaned) or f"sys:{slug(cleaned)}"


def _matches(rule: str, text: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(rule) + r"(?![a-z0-9])", text) is not None


@cache
def item_category(description: str, armament_category: str) -> str:
    """The SPEC item category of a SIPRI weapon description (data/categories.yaml)."""
    rules = _data("categories.yaml")
    text = description.lower()
    for phrase, category in rules["descriptions"]:
        if _matches(phrase, text):
            return str(category)
    return str(rules["armament_categories"].get(armament_category.strip(), "military_equipment"))


__all__ = ["clean_designation", "item_category", "party_id", "slug", "system_id"]
