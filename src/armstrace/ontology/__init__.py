"""The ontology (SPEC sections 1-3), read from ontology.yaml."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def ontology() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("ontology.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def event_types() -> list[str]:
    return list(ontology()["event_types"])


def item_categories() -> list[str]:
    return list(ontology()["item_categories"])


def statuses() -> list[str]:
    return list(ontology()["statuses"])


def status_rank(status: str | None) -> int:
    """0 for no status, then 1.. from weakest to strongest."""
    order = statuses()
    return order.index(status) + 1 if status in order else 0


def coarse_category(category: str) -> str:
    """The family a category counts as (a loitering munition is a uav)."""
    return ontology()["item_categories"].get(category, {}).get("counts_as", category)


def has_status(event_type: str) -> bool:
    return bool(ontology()["event_types"].get(event_type, {}).get("has_status"))
