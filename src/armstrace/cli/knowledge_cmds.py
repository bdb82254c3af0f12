"""Knowledge commands: `entities` (list and search the catalogues) and `entity` (one entry).

Thin layers over `armstrace.knowledge`: Catalog.load, Catalog.search, Resolver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armstrace.cli.app import app, err, out
from armstrace.knowledge import Catalog, CatalogError, Entity, Resolver

KINDS = ("state", "org", "person", "system")
CATALOG_HELP = "An extra catalogue file or folder of YAML files (repeatable); added to the bundled ones."
EVENTS_SHOWN = 20
WIDE = 200  # columns for tables written to a pipe or file


def _fail(message: str, code: int = 1) -> typer.Exit:
    """One error line on stderr, never wrapped."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _note(message: str) -> None:
    err.print(escape(message), soft_wrap=True)


def _console() -> Console:
    if out.is_terminal:
        return out
    return Console(file=out.file, highlight=False, soft_wrap=True, width=max(out.width, WIDE))


def _catalog(extra: list[Path] | None) -> Catalog:
    try:
        return Catalog.load(extra=extra or [])
    except CatalogError as exc:
        raise _fail(str(exc)) from None


def _detail(entity: Entity) -> str:
    """The one field that says most about an entry of this kind."""
    if entity.kind == "system":
        return entity.category or ""
    if entity.kind == "person":
        return entity.office or ""
    if entity.kind == "org":
        return entity.subtype or ""
    return ", ".join(entity.demonyms[:2])


@app.command("entities")
def entities_command(
    query: str = typer.Argument(None, help="Text to search for in names and aliases; omit to list."),
    kind: str = typer.Option(None, "--kind", "-k", help="Only this kind: state, org, person or system."),
    limit: int = typer.Option(25, "--limit", "-n", min=1, help="Show at most this many."),
    catalog: list[Path] = typer.Option(None, "--catalog", "-c", help=CATALOG_HELP),
) -> None:
    """List or search the catalogues of states, organisations, people and weapon systems.

    Examples:

      armstrace entities shahed

      armstrace entities --kind person bagheri

      armstrace entities --kind system --limit 100

      armstrace entities xyz --catalog my_systems.yaml
    """
    if kind is not None and kind not in KINDS:
        raise _fail(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    cat = _catalog(catalog)
    found = cat.search(query, kind=kind, limit=limit) if query else cat.entities(kind)[:limit]
    if not found:
        _note(f"no entity matches {query!r}" + (f" among {kind}s" if kind else ""))
        raise typer.Exit(1)
    table = Table(show_lines=False, header_style="bold")
    for column in ("id", "kind", "name", "state", "detail", "aliases"):
        table.add_column(column, overflow="fold")
    for entity in found:
        aliases = [a for a in entity.aliases if a != entity.name]
        shown = ", ".join(aliases[:4]) + (f" (+{len(aliases) - 4})" if len(aliases) > 4 else "")
        table.add_row(escape(entity.id), entity.kind, escape(entity.name), entity.state or "",
                      escape(_detail(entity)), escape(shown))
    _console().print(table)
    counts = cat.count()
    total = ", ".join(f"{counts[k]} {k}s" for k in KINDS)
    _note(f"{len(found)} shown; the catalogues hold {total}")


@app.command("entity")
def entity_command(
    entity_id: str = typer.Argument(..., help="An id (IRN, org:irgc, person:…, sys:…) or a name to resolve."),
    catalog: list[Path] = typer.Option(None, "--catalog", "-c", help=CATALOG_HELP),
    db: str = typer.Option(None, "--db", help="Database to look up the entity's events in. "
                                             "Default: $ARMSTRACE_DB, else ./armstrace.db."),
) -> None:
    """Show one catalogue entry: its aliases, state, category, maker or office, and its events in the store.

    Examples:

      armstrace entity sys:shahed-136

      armstrace entity "Amir-Abdolhian"

      armstrace entity IRN --db news.db
    """
    cat = _catalog(catalog)
    resolver = Resolver(cat)
    entity = cat.get(entity_id) or cat.get(entity_id.upper())
    if entity is None:
        found = resolver.resolve(entity_id)
        entity = cat.get(found.id) if found else None
    if entity is None:
        raise _fail(f"no entity {entity_id!r} in the catalogues (try `armstrace entities {entity_id}`)")

    rows: list[tuple[str, str]] = [("id", entity.id), ("kind", entity.kind), ("name", entity.name)]
    aliases = [a for a in entity.aliases if a != entity.name]
    if aliases:
        rows.append(("aliases", ", ".join(aliases)))
    for label, values in (("demonyms", entity.demonyms), ("capitals", entity.capitals),
                          ("institutions", entity.institutions), ("surnames", entity.surnames)):
        if values:
            rows.append((label, ", ".join(values)))
    state = resolver.state_of(entity.id)
    if state and state != entity.id:
        state_entity = cat.get(state)
        label = "origin" if entity.kind == "system" else "state"
        rows.append((label, f"{state_entity.name} ({state})" if state_entity else state))
    for label, value in (("type", entity.subtype), ("category", entity.category), ("office", entity.office)):
        if value:
            rows.append((label, value))
    for label, ref in (("maker", entity.maker), ("part of" if entity.kind == "org" else "organisation", entity.org)):
        if ref:
            ref_entity = cat.get(ref)
            rows.append((label, f"{ref_entity.name} ({ref})" if ref_entity else ref))
    if entity.start or entity.end:
        rows.append(("in office", f"{entity.start or '?'} – {entity.end or 'now'}"))
    rows.append(("defined in", entity.source))
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, escape(value))
    _console().print(table)
    _print_events(entity, db)


def _print_events(entity: Entity, db: str | None) -> None:
    """The events the entity takes part in, if a store is there to ask."""
    try:
        from armstrace import config
        from armstrace.store import open_store
    except ImportError as exc:
        _note(f"events: not shown (the store is not available: {exc})")
        return
    url = config.database_url(db)
    try:
        store = open_store(url, create=False)
    except Exception as exc:  # the store is optional here; say why and carry on
        _note(f"events: not shown ({str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__})")
        return
    try:
        found = _events_of(store, entity)
    except Exception as exc:
        _note(f"events: not shown (the store could not be read: {str(exc).splitlines()[0]})")
        return
    finally:
        store.close()
    console = _console()
    console.print()
    if not found:
        console.print(f"[bold]events[/bold]: none in {escape(url)}")
        return
    console.print(f"[bold]events[/bold] ({len(found)} in {escape(url)}):")
    table = Table(header_style="bold")
    for column in ("event", "type", "supplier", "recipient", "items", "status", "sources"):
        table.add_column(column, overflow="fold")
    for event in found[:EVENTS_SHOWN]:
        items = ", ".join(
            (i.get("system") or {}).get("name") or i.get("category", "") for i in event.get("items") or [])
        table.add_row(str(event.get("id", ""))[:12], event.get("type", ""), _ref(event.get("supplier")),
                      _ref(event.get("recipient")), escape(items), event.get("status") or "",
                      str(event.get("sources", "")))
    console.print(table)
    if len(found) > EVENTS_SHOWN:
        _note(f"{len(found) - EVENTS_SHOWN} more not shown")


def _events_of(store: Any, entity: Entity) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    if entity.kind == "system":
        batches = [store.events(system=entity.id)]
    elif entity.kind == "person":
        # People appear as speakers of a stance, which the store does not index: scan.
        batches = [[e for e in store.iter_events(with_claims=False)
                    if any((s.get("speaker") or {}).get("id") == entity.id for s in e.get("stance") or [])]]
    else:
        batches = [store.events(supplier=entity.id), store.events(recipient=entity.id)]
    for batch in batches:
        for event in batch:
            found.setdefault(event["id"], event)
    return list(found.values())


def _ref(ref: dict[str, Any] | None) -> str:
    if not ref:
        return "—"
    return escape(str(ref.get("name") or ref.get("id") or "—"))
