"""Fusion commands: timeline, fuse, decide, decisions, register, import-sipri, compare-sipri.

Thin layers over `armstrace.fuse`, `armstrace.sipri` and
`armstrace.export.register`; every command has a library function behind it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armstrace.cli.app import app, err, out
from armstrace.store import Store, StoreError, open_store

WIDE = 200  # columns for tables written to a pipe or file, so that rows are not wrapped
DB_HELP = "Database: a SQLite file path or a SQLAlchemy URL. Default: $ARMSTRACE_DB, else ./armstrace.db."


def fail(message: str, code: int = 1) -> typer.Exit:
    """One error line on stderr, never wrapped; markup in the message is shown as is."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _open(db: str | None, create: bool = False) -> Store:
    try:
        return open_store(db, create=create)
    except StoreError as exc:
        raise fail(str(exc)) from None


def _ref(ref: dict[str, Any] | None) -> str:
    if not ref:
        return "-"
    name, ident = ref.get("name"), ref.get("id")
    return f"{name} ({ident})" if name and ident and name != ident else str(ident or name)


def _items(record: dict[str, Any]) -> str:
    parts = []
    for item in record.get("items") or []:
        system = item.get("system")
        parts.append(f"{item.get('category')}: {system.get('name') or system.get('id')}" if system
                     else str(item.get("category")))
    return ", ".join(dict.fromkeys(parts)) or "-"


def _print_table(table: Table) -> None:
    Console(file=out.file, highlight=False, soft_wrap=True, width=max(out.width, WIDE)).print(table)


def _check_format(format: str, allowed: tuple[str, ...]) -> None:
    if format not in allowed:
        raise fail(f"unknown format {format!r}; use one of: {', '.join(allowed)}")


# --- timeline ------------------------------------------------------------------


def timeline_rows(store: Store, supplier: str, recipient: str) -> list[dict[str, Any]]:
    """Every claim about a supplier→recipient pair, in date order, with its event."""
    found = store.events(supplier=supplier, recipient=recipient, with_claims=True)
    rows = []
    for record in found:
        for claim in record.get("claims") or []:
            doc = claim.get("doc") or {}
            stance = "; ".join(
                f"{(s.get('actor') or {}).get('id') or (s.get('actor') or {}).get('name')} {s.get('polarity')}"
                + (f" {s['date']}" if s.get("date") else "")
                for s in claim.get("stance") or []
            )
            rows.append({
                "date": doc.get("published"),
                "event": record["id"],
                "type": record.get("type"),
                "items": _items(record),
                "event_status": record.get("status"),
                "claim": claim.get("id"),
                "claim_status": claim.get("status"),
                "outlet": doc.get("source") or doc.get("path") or doc.get("id"),
                "stance": stance,
            })
    rows.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["event"], r["claim"] or ""))
    return rows


@app.command()
def timeline(
    supplier: str = typer.Argument(..., help="Supplier: an id (IRN, org:irgc) or a name (Iran)."),
    recipient: str = typer.Argument(..., help="Recipient: an id or a name."),
    format: str = typer.Option("table", "--format", "-f", help="table or jsonl."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """One supplier→recipient pair over time: its events and their claims, by date.

    Example:  armstrace timeline Iran Russia
    """
    _check_format(format, ("table", "jsonl"))
    store = _open(db)
    rows = timeline_rows(store, supplier, recipient)
    if format == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not rows:
        err.print(f"no events from {supplier} to {recipient}")
        return
    table = Table(title=f"{supplier} → {recipient}: {len({r['event'] for r in rows})} event(s), "
                        f"{len(rows)} claim(s)")
    for column in ("date", "event", "type", "items", "claim status", "outlet", "stance"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["date"] or "undated", row["event"][:10], row["type"], escape(row["items"]),
                      row["claim_status"] or "-", escape(str(row["outlet"])), escape(row["stance"]))
    _print_table(table)


# --- fuse ------------------------------------------------------------------------


@app.command("fuse")
def fuse_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute every event from the claims."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Fuse claims into events: those not yet fused, or with --rebuild all of them (decisions kept).

    Example:  armstrace fuse --rebuild
    """
    from armstrace.fuse import FuseReport, fuse_claims
    from armstrace.fuse import rebuild as rebuild_all

    store = _open(db)
    if rebuild:
        report = rebuild_all(store)
    else:
        report = FuseReport()
        fuse_claims(store, store.unfused_claim_ids(), report=report)
    err.print(f"{report.claims} claim(s) read; events: {len(report.created)} new, {len(report.changed)} "
              f"changed, {len(report.removed)} removed, {report.unchanged} unchanged"
              + (f"; {len(report.dormant_decisions)} decision(s) found no event" if report.dormant_decisions
                 else ""))


# --- decisions -------------------------------------------------------------------


def _pair(value: str, what: str) -> tuple[str, str]:
    key, sep, rest = value.partition("=")
    if not sep or not key.strip():
        raise fail(f"{what} must look like NAME=VALUE, got {value!r}")
    return key.strip(), rest.strip()


@app.command()
def decide(
    event_id: str = typer.Argument(..., help="The event (id or unambiguous prefix)."),
    action: str = typer.Argument(..., help="accept, reject, merge, split, correct or link."),
    arguments: list[str] = typer.Argument(None, help="merge OTHER | split CLAIM_ID... | correct FIELD=VALUE | "
                                                     "link MENTION=ID"),
    author: str | None = typer.Option(None, "--author", help="Who decides (kept with the decision)."),
    note: str | None = typer.Option(None, "--note", help="Why, in a few words."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Record an analyst's decision on an event; it is re-applied after every fusion and re-extraction.

    Examples:  armstrace decide 3f9a2c reject --author ana --note "same as the 2015 deal"
               armstrace decide 3f9a2c merge 81be07 --author ana
               armstrace decide 3f9a2c split 5d0e... 77aa... --author ana
               armstrace decide 3f9a2c correct status=agreed
               armstrace decide 3f9a2c link "Ansar Allah=org:houthis"
    """
    from armstrace.fuse.review import DecisionError
    from armstrace.fuse.review import decide as record_decision

    arguments = list(arguments or [])
    options: dict[str, Any] = {}
    if action in ("accept", "reject"):
        if arguments:
            raise fail(f"{action} takes no arguments")
    elif action == "merge":
        if len(arguments) != 1:
            raise fail("merge takes one other event id: armstrace decide EVENT merge OTHER")
        options["other"] = arguments[0]
    elif action == "split":
        if not arguments:
            raise fail("split takes the claim ids to move out: armstrace decide EVENT split CLAIM_ID...")
        options["claim_ids"] = arguments
    elif action == "correct":
        if len(arguments) != 1:
            raise fail("correct takes one FIELD=VALUE")
        options["field"], options["value"] = _pair(arguments[0], "correct")
    elif action == "link":
        if len(arguments) != 1:
            raise fail("link takes one MENTION=ID")
        options["mention"], options["entity_id"] = _pair(arguments[0], "link")
    else:
        raise fail(f"unknown action {action!r}; use accept, reject, merge, split, correct or link")
    store = _open(db)
    try:
        decision_id, on = record_decision(store, event_id, action, author=author, note=note, **options)
    except DecisionError as exc:
        raise fail(str(exc)) from None
    if on:
        out.print(f"decision {decision_id}: {action} in force on event {on}")
    else:
        out.print(f"decision {decision_id}: {action} recorded, but it found no event to apply to")


@app.command("decisions")
def decisions_command(
    event_id: str | None = typer.Argument(None, help="Only the decisions about this event."),
    format: str = typer.Option("table", "--format", "-f", help="table or jsonl."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """List analysts' decisions, oldest first, and the event each is in force on now.

    Example:  armstrace decisions 3f9a2c
    """
    from armstrace.fuse.review import DecisionError, list_decisions

    _check_format(format, ("table", "jsonl"))
    store = _open(db)
    try:
        found = list_decisions(store, event_id)
    except DecisionError as exc:
        raise fail(str(exc)) from None
    if format == "jsonl":
        for decision in found:
            sys.stdout.write(json.dumps(decision, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(title=f"{len(found)} decision(s)")
    for column in ("when", "decision", "action", "details", "author", "made on", "in force on"):
        table.add_column(column)
    for decision in found:
        payload = decision.get("payload") or {}
        details = {
            "merge": (payload.get("other") or {}).get("event_id", ""),
            "split": " ".join(payload.get("claims") or []),
            "correct": f"{payload.get('field')}={payload.get('value')}",
            "link": f"{payload.get('mention')}={payload.get('id')}",
        }.get(decision["action"], "")
        if payload.get("note"):
            details = (details + " " if details else "") + f"({payload['note']})"
        table.add_row(str(payload.get("decided_at") or decision["created_at"])[:19], decision["id"],
                      decision["action"], escape(details), escape(decision.get("author") or "-"),
                      decision["event_id"][:10], (decision.get("in_force_on") or "dormant")[:10])
    _print_table(table)


# --- register and SIPRI -------------------------------------------------------------


@app.command()
def register(
    output: Path = typer.Option(..., "--output", "-o", help="The CSV file to write ('-' for stdout)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Write a SIPRI-style register CSV of the fused transfers and production deals.

    Columns: supplier, recipient, designation, category, number, agreement year, delivery years,
    status, comments, sources (and the ids behind them).

    Example:  armstrace register -o register.csv
    """
    from armstrace.export.register import RegisterExporter

    store = _open(db)
    events = store.iter_events(with_claims=False)
    if str(output) == "-":
        exporter = RegisterExporter(sys.stdout)
        exporter.write_all(events)
    else:
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                exporter = RegisterExporter(stream)
                exporter.write_all(events)
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"wrote {exporter.rows} register row(s) from {exporter.count} event(s)")


def _read_register(path: Path) -> list[Any]:
    from armstrace.sipri import RegisterError, read_register

    problems: list[Any] = []
    try:
        deals = read_register(path, problems)
    except RegisterError as exc:
        raise fail(f"{path}: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from None
    for problem in problems[:20]:
        err.print(f"[yellow]skipped[/yellow] {path}: {problem}")
    if len(problems) > 20:
        err.print(f"… and {len(problems) - 20} more skipped line(s)")
    return deals


@app.command("import-sipri")
def import_sipri(
    register_file: Path = typer.Argument(..., help="A SIPRI trade-register CSV export."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Import a SIPRI trade-register export into the sipri_deals table (re-importing replaces deals).

    Example:  armstrace import-sipri trade_register.csv
    """
    from armstrace.sipri.store import import_deals

    deals = _read_register(register_file)
    store = _open(db, create=True)
    count = import_deals(store, deals, source_file=str(register_file))
    err.print(f"imported {count} deal(s) from {register_file}")


@app.command("compare-sipri")
def compare_sipri(
    register_file: Path | None = typer.Argument(
        None, help="A SIPRI trade-register CSV export; omit to use the deals imported with import-sipri."),
    format: str = typer.Option("table", "--format", "-f", help="table or jsonl."),
    slack: int = typer.Option(2, "--slack", help="Years news and register may differ and still match."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Compare the news events with the SIPRI register: deals covered (with differences), events it lacks.

    Example:  armstrace compare-sipri trade_register.csv --format jsonl
    """
    from armstrace.sipri import compare
    from armstrace.sipri.store import stored_deals

    _check_format(format, ("table", "jsonl"))
    store = _open(db)
    if register_file is not None:
        deals = [d.to_dict() for d in _read_register(register_file)]
    else:
        deals = stored_deals(store)
        if not deals:
            raise fail("no SIPRI deals imported; give REGISTER.csv or run `armstrace import-sipri` first")
    result = compare(deals, store.iter_events(with_claims=False), slack=slack)
    if format == "jsonl":
        for row in result.rows():
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    _print_comparison(result)


def _print_comparison(result: Any) -> None:
    covered = Table(title=f"Register deals the news covers: {len(result.covered)}")
    for column in ("deal", "supplier → recipient", "designation", "match", "events", "number", "years",
                   "status"):
        covered.add_column(column)

    def cell(diff: dict[str, Any]) -> str:
        mark = {True: "=", False: "≠", None: "?"}[diff["agrees"]]
        return f"{diff['register'] or '-'} {mark} {diff['news'] or '-'}"

    for row in result.covered:
        deal = row["deal"]
        diffs = {d["field"]: d for d in row["differences"]}
        covered.add_row(
            str(deal["deal_id"]), escape(f"{deal['supplier']} → {deal['recipient']}"),
            escape(deal["designation"] or ""), row["basis"], " ".join(e[:10] for e in row["events"]),
            escape(cell(diffs["number"])) if "number" in diffs else "-",
            escape(cell(diffs["years"])), escape(cell(diffs["status"])),
        )
    _print_table(covered)
    missing = Table(title=f"News events the register lacks: {len(result.missing_from_register)}")
    for column in ("event", "type", "supplier → recipient", "items", "status", "sources"):
        missing.add_column(column)
    for row in result.missing_from_register:
        event = row["event"]
        missing.add_row(event["id"][:10], event["type"],
                        escape(f"{_ref(event['supplier'])} → {_ref(event['recipient'])}"),
                        escape(_items(event)), event.get("status") or "-", str(event.get("sources") or 0))
    _print_table(missing)
    if result.register_only:
        out.print(f"{len(result.register_only)} register deal(s) between these parties have no news event "
                  f"(--format jsonl lists them as register_only).")
