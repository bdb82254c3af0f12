"""Store commands: ingest, events, show, export, demo. Thin layers over the library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armstrace.cli.app import app, err, out
from armstrace.ingest import IngestFailure
from armstrace.store import Store, StoreError, open_store

DB_HELP = "Database: a SQLite file path or a SQLAlchemy URL (postgresql://…). Default: $ARMSTRACE_DB, else ./armstrace.db."
WIDE = 200  # columns for tables written to a pipe or file
TABLE_LIMIT = 50  # rows shown after `ingest`; `armstrace events` shows all unless --limit
EVENT_FORMATS = ("table", "jsonl", "csv")


def _open(db: str | None, create: bool = True) -> Store:
    try:
        return open_store(db, create=create)
    except StoreError as exc:
        raise fail_line(str(exc)) from None


def _shown(store: Store) -> str:
    """The database as the user would name it: the file for SQLite, the URL (no password) otherwise."""
    from sqlalchemy.engine import make_url

    url = make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def _ref(ref: dict[str, Any] | None) -> str:
    if not ref:
        return "—"
    name, ref_id = ref.get("name"), ref.get("id")
    if name and ref_id and name != ref_id:
        return f"{name} ({ref_id})"
    return name or ref_id or "—"


def _items(event: dict[str, Any]) -> str:
    parts = []
    for item in event.get("items") or []:
        system = item.get("system")
        label = item.get("category") or "?"
        if system:
            label += f": {system.get('name') or system.get('id')}"
        if label not in parts:
            parts.append(label)
    return ", ".join(parts) or "—"


def _when(event: dict[str, Any]) -> str:
    time = event.get("time") or {}
    start, end = time.get("start"), time.get("end")
    if start and end and start != end:
        return f"{start}…{end}"
    if start or end:
        return str(start or end)
    first = event.get("first_reported")
    return f"reported {first}" if first else "—"


def _stance(event: dict[str, Any]) -> str:
    parts = []
    for entry in event.get("stance") or []:
        actor = (entry.get("actor") or {}).get("id") or "?"
        sign = "+" if entry.get("polarity") == "asserts" else "−"
        if f"{sign}{actor}" not in parts:
            parts.append(f"{sign}{actor}")
    return " ".join(parts)


def _table_console() -> Console:
    """`out`, or for piped/captured output (no terminal width) a wide one, so ids and names are not folded."""
    if out.is_terminal:
        return out
    return Console(file=out.file, highlight=False, soft_wrap=True, width=max(out.width, WIDE))


def fail_line(message: str, code: int = 1) -> typer.Exit:
    """One error line on stderr, never wrapped, markup in the message shown as is."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def events_table(events: list[dict[str, Any]], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False, title_justify="left")
    for name in ("id", "type", "supplier", "recipient", "items", "status", "when", "stance", "sources"):
        table.add_column(name, overflow="fold", no_wrap=name in ("id", "sources"))
    for event in events:
        table.add_row(
            event["id"][:10],
            event.get("type") or "",
            escape(_ref(event.get("supplier"))),
            escape(_ref(event.get("recipient"))),
            escape(_items(event)),
            event.get("status") or "—",
            _when(event),
            _stance(event),
            str(event.get("sources") or 0),
        )
    return table


def print_events(store: Store, filters: dict[str, Any], limit: int | None, format: str) -> None:
    if format == "table":
        found = store.events(**filters, limit=limit)
        total = store.count_events(**filters)
        if not found:
            out.print("no events" + (" match these filters" if any(filters.values()) else " yet"))
            return
        _table_console().print(events_table(found, title=f"{total} event(s)"))
        if total > len(found):
            out.print(f"… {total - len(found)} more; use --limit/--format, or `armstrace export`")
        return
    from armstrace.export import EXPORTERS

    events = store.events(**filters, limit=limit, with_claims=True)
    EXPORTERS[format](sys.stdout).write_all(events)


def _check_format(format: str, allowed: tuple[str, ...] | list[str]) -> None:
    if format not in allowed:
        raise fail_line(f"unknown format {format!r}; choose one of: {', '.join(allowed)}")


@app.command()
def ingest(
    paths: list[str] = typer.Argument(
        ..., help="Files, directories (read recursively), globs, or - for stdin."
    ),
    published: str | None = typer.Option(
        None,
        "--published",
        help="Publication date (YYYY-MM-DD) for articles whose text and metadata give none.",
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print the events table afterwards."),
) -> None:
    """Read articles (.txt, .html, .jsonl), extract arms-transfer claims, store and fuse them.

    Articles already stored are skipped, so re-running (or resuming after an
    interruption) only does what is missing. Failures are listed, one line
    each, and make the exit code 1; the rest of the batch still lands.

    Example:  armstrace ingest articles/ feed.jsonl --published 2022-11-21 --db news.db
    """
    from armstrace.ingest.dates import normalise_date
    from armstrace.pipeline import ingest_paths

    if published is not None and normalise_date(published) is None:
        raise fail_line(f"--published {published!r} is not a date (use YYYY-MM-DD)")
    store = _open(db)
    summary, interrupted = _guarded_ingest(ingest_paths, paths, store, published)
    _print_summary(summary)
    if interrupted:
        err.print(
            "[yellow]interrupted[/yellow]: what was stored is complete; run the same command again to ingest the rest"
        )
        raise typer.Exit(130)
    if not quiet:
        print_events(store, {}, TABLE_LIMIT, "table")
    if summary.failed:
        raise typer.Exit(1)


def _guarded_ingest(
    ingest_paths: Any, paths: list[str], store: Store, published: str | None
) -> tuple[Any, bool]:
    """Run the ingest; a problem that stops the whole run (the database, the extractor) is one line.

    Set ARMSTRACE_DEBUG=1 to get the traceback instead.
    """
    try:
        return _run_ingest(ingest_paths, paths, store, published)
    except StoreError as exc:
        raise fail_line(str(exc)) from None
    except Exception as exc:
        if os.environ.get("ARMSTRACE_DEBUG"):
            raise
        message = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
        raise fail_line(f"ingest stopped: {detail} (set ARMSTRACE_DEBUG=1 for the traceback)") from None


def _run_ingest(ingest_paths: Any, paths: list[str], store: Store, published: str | None) -> tuple[Any, bool]:
    """Run the pipeline (with a progress bar on a terminal); returns (summary, interrupted).

    On Ctrl-C the summary so far is returned: every document it counts as
    new is completely stored.
    """
    from armstrace.pipeline import IngestSummary

    latest: list[Any] = [IngestSummary()]
    bar = None
    task = None
    if err.is_terminal:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        bar = Progress(
            SpinnerColumn(),
            TextColumn("ingesting"),
            BarColumn(),
            TextColumn("{task.completed} read · {task.fields[stats]}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        task = bar.add_task("ingest", total=None, stats="")

    def tick(current: Any) -> None:
        latest[0] = current
        if bar is not None and task is not None:
            bar.update(
                task,
                completed=current.read + current.failed,
                stats=f"{current.new} new · {current.duplicate} duplicate · {current.failed} failed",
            )

    try:
        if bar is not None:
            bar.start()
        return ingest_paths(paths, store, published=published, progress=tick), False
    except KeyboardInterrupt:
        return latest[0], True
    finally:
        if bar is not None:
            bar.stop()


def _print_summary(summary: Any) -> None:
    style = "red" if summary.failed else "green"
    err.print(
        f"[{style}]read {summary.read}, new {summary.new}, duplicate {summary.duplicate}, "
        f"failed {summary.failed}[/{style}]"
        + (
            f"; {len(summary.new_claims)} new claim(s), {len(summary.events)} event(s) updated"
            if summary.new
            else ""
        )
    )
    for warning in summary.warnings:
        err.print(f"  [yellow]warning[/yellow] {escape(warning)}", soft_wrap=True)
    for failure in summary.failures:
        assert isinstance(failure, IngestFailure)
        err.print(f"  [red]failed[/red] {escape(str(failure))}", soft_wrap=True)


@app.command()
def events(
    supplier: str | None = typer.Option(None, help="Supplier id or name, e.g. IRN or Iran."),
    recipient: str | None = typer.Option(None, help="Recipient id or name, e.g. RUS or org:houthis."),
    type: str | None = typer.Option(
        None, "--type", help="Event type: transfer, production, training, offer, use, sanction, export_total."
    ),
    system: str | None = typer.Option(
        None, help="Weapon system id or designation, e.g. sys:shahed-136 or 'Shahed 136'."
    ),
    status: str | None = typer.Option(None, help="speculative, planned, agreed or delivered."),
    since: str | None = typer.Option(
        None, help="Only events on or after this (partial) date, e.g. 2022 or 2022-06."
    ),
    until: str | None = typer.Option(None, help="Only events on or before this (partial) date."),
    text: str | None = typer.Option(
        None, "--text", help="Words that must occur in an article behind the event."
    ),
    limit: int | None = typer.Option(None, help="At most this many events."),
    format: str = typer.Option("table", "--format", "-f", help="table, jsonl (SPEC section 6) or csv."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """List fused events, latest first, filtered by party, type, system, status, date or text.

    Example:  armstrace events --supplier Iran --type transfer --since 2022-06 --format table
    """
    _check_format(format, EVENT_FORMATS)
    store = _open(db, create=False)
    filters = {
        "supplier": supplier,
        "recipient": recipient,
        "type": type,
        "system": system,
        "status": status,
        "since": since,
        "until": until,
        "text": text,
    }
    print_events(store, filters, limit, format)


@app.command()
def show(
    event_id: str = typer.Argument(..., help="An event id, or an unambiguous prefix of one."),
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Show one event: its parties, items, status and stance, and every claim with its evidence.

    Example:  armstrace show 3f9a2c
    """
    _check_format(format, ("text", "json"))
    store = _open(db, create=False)
    matches = store.resolve_event_id(event_id.strip())
    if not matches:
        raise fail_line(f"no event with id {event_id!r}")
    if len(matches) > 1 and event_id not in matches:
        shown = ", ".join(matches[:5]) + (" …" if len(matches) > 5 else "")
        raise fail_line(f"event id prefix {event_id!r} is ambiguous: {shown}")
    record = store.event(event_id if event_id in matches else matches[0])
    assert record is not None
    if format == "json":
        out.print_json(json.dumps(record, ensure_ascii=False))
        return
    _print_event(record)


def _print_event(record: dict[str, Any]) -> None:
    out.print(f"[bold]event {record['id']}[/bold]  {record.get('type')}")
    out.print(f"  supplier   {escape(_ref(record.get('supplier')))}")
    out.print(f"  recipient  {escape(_ref(record.get('recipient')))}")
    out.print(f"  items      {escape(_items(record))}")
    out.print(f"  status     {record.get('status') or '—'}")
    time = record.get("time") or {}
    out.print(f"  time       {_when(record)}" + (f"  ({escape(time['text'])})" if time.get("text") else ""))
    for field in ("quantity", "value"):
        if record.get(field):
            out.print(f"  {field:<10} {escape(str(record[field].get('text')))}")
    for field in ("place", "target"):
        if record.get(field):
            out.print(f"  {field:<10} {escape(_ref(record[field]))}")
    out.print(f"  sources    {record.get('sources')} outlet(s), {len(record.get('claims') or [])} claim(s)")
    for entry in record.get("stance") or []:
        speaker = entry.get("speaker")
        who = _ref(entry.get("actor")) + (f" via {_ref(speaker)}" if speaker else "")
        out.print(
            f"  stance     {escape(who)} {entry.get('polarity')}"
            + (f" on {entry['date']}" if entry.get("date") else "")
        )
    for claim in record.get("claims") or []:
        doc = claim.get("doc") or {}
        outlet = doc.get("source") or "unknown outlet"
        out.print()
        out.print(
            f"[bold]claim {claim.get('id', '')}[/bold]  {escape(outlet)}, {doc.get('published') or 'undated'}"
            f"  status {claim.get('status') or '—'}"
        )
        out.print(f"  [dim]{escape(doc.get('path') or '')}[/dim]")
        for evidence in claim.get("evidence") or []:
            out.print(
                f"  “{escape(evidence.get('sentence', '').strip())}” [dim]@{evidence.get('start')}–{evidence.get('end')}[/dim]"
            )


@app.command()
def export(
    format: str = typer.Option(
        "jsonl",
        "--format",
        "-f",
        help="jsonl (SPEC section 6, claims and evidence included), csv (one flat row per event), "
        "or another format module in armstrace/export/ (register: a SIPRI-style register).",
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Export every fused event: JSON lines (SPEC section 6, claims and evidence included) or CSV.

    Example:  armstrace export --format jsonl -o events.jsonl
    """
    from armstrace.export import EXPORTERS, export_events, formats

    _check_format(format, formats())
    store = _open(db, create=False)
    if output is None:
        count = export_events(store, format, sys.stdout)
    else:
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = export_events(store, format, stream)
        except OSError as exc:
            raise fail_line(f"cannot write {output}: {(exc.strerror or str(exc)).lower()}") from None
    err.print(
        f"exported {count} event(s) as {format}"
        + (f" to {output}" if output else "")
        + f" ({EXPORTERS[format].description})",
        soft_wrap=True,
    )


def bundled_examples() -> Path:
    """examples/articles/ of the source checkout armstrace runs from."""
    return Path(__file__).resolve().parents[3] / "examples" / "articles"


@app.command()
def demo(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Ingest the bundled example articles (examples/articles/) and print the events found.

    Example:  armstrace demo --db demo.db
    """
    from armstrace.pipeline import ingest_paths

    folder = bundled_examples()
    if not folder.is_dir():
        raise fail_line(f"bundled examples not found at {folder} (demo runs from a source checkout)")
    store = _open(db)
    err.print(
        f"ingesting the example articles in {escape(str(folder))} into {escape(_shown(store))}",
        soft_wrap=True,
    )
    summary, interrupted = _guarded_ingest(ingest_paths, [str(folder)], store, None)
    _print_summary(summary)
    if interrupted:
        raise typer.Exit(130)
    print_events(store, {}, None, "table")
    if summary.failed:
        raise typer.Exit(1)
