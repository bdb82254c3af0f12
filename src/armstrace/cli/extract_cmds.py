"""Commands that read articles and write events without a database: extract, eval."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from armstrace.cli.app import app, err, fail, out


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class Method(StrEnum):
    rules = "rules"
    cooccurrence = "cooccurrence"


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Files, directories, globs, or - for stdin."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="jsonl (SPEC section 4) or table."),
    published: str | None = typer.Option(None, help="Publication date (YYYY-MM-DD) for articles that give none."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Local worker processes."),
    method: Method = typer.Option(Method.rules, help="rules (armstrace) or cooccurrence (the GDELT-style baseline)."),
    scheduler: str | None = typer.Option(
        None, help="Dask scheduler address (tcp://host:8786) for a cluster, or 'local' for a local Dask cluster."
    ),
) -> None:
    """Extract events from articles and print them, without touching a database.

    Example: armstrace extract ../shared/eval/dev/*.txt --format jsonl > pred.jsonl
    """
    from armstrace.extract.parallel import extract_stream, make_extractor
    from armstrace.ingest import IngestFailure, iter_documents
    from armstrace.knowledge import CatalogError

    extractor = None
    try:
        # Built before reading anything, so that a bad catalogue or a missing model is one clear line.
        if workers <= 1 and scheduler is None:
            extractor = make_extractor(method.value)
        else:
            from armstrace.knowledge import default_catalog

            default_catalog()
    except CatalogError as exc:
        raise fail(f"catalogue: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot load the spaCy model: {exc}") from None

    failures: list[IngestFailure] = []

    def documents():  # noqa: ANN202 - streamed, so that a large corpus is never held in memory
        for item in iter_documents(paths, published=published):
            if isinstance(item, IngestFailure):
                failures.append(item)
                where = f"{item.path}:{item.line}" if item.line else item.path
                err.print(f"[yellow]skipped[/yellow] {where}: {item.reason}")
                continue
            for warning in item.warnings:
                err.print(f"[yellow]warning[/yellow] {item.path}: {warning}")
            yield item

    results = extract_stream(documents(), workers=workers, method=method.value, scheduler=scheduler,
                             extractor=extractor)
    errors: list[str] = []

    def checked(stream):  # noqa: ANN001, ANN202 - report documents whose extraction failed, keep going
        for result in stream:
            if result.error:
                errors.append(result.document.path or result.document.id)
                err.print(f"[red]error[/red] {result.document.path or result.document.id}: {result.error}")
            yield result

    results = checked(results)
    if format is OutputFormat.jsonl:
        for result in results:
            sys.stdout.write(result.to_json() + "\n")
        sys.stdout.flush()
    else:
        table = Table("document", "type", "supplier", "recipient", "items", "status", "stance", show_lines=False)
        for result in results:
            name = Path(result.document.path or result.document.id).name
            for ev in result.events:
                table.add_row(
                    name, ev.type, _name(ev.supplier), _name(ev.recipient),
                    ", ".join(i.system.name if i.system else i.category for i in ev.items),
                    ev.status or "", "; ".join(f"{s.actor.id} {s.polarity}" for s in ev.stance),
                )
        out.print(table)
    if failures or errors:
        raise typer.Exit(1)


def _name(ref) -> str:  # noqa: ANN001
    return f"{ref.name} ({ref.id})" if ref else "—"


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(..., help="Gold JSON lines (SPEC section 5)."),
    predicted: Path = typer.Argument(..., help="Output of `armstrace extract --format jsonl`."),
    show_errors: bool = typer.Option(False, "--show-errors", help="List every miss and disagreement."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as one JSON object."),
) -> None:
    """Score predicted events against a gold file (SPEC section 5).

    Example: armstrace eval ../shared/eval/dev/gold.jsonl pred.jsonl --show-errors
    """
    from armstrace.evaluate import score_files

    for p in (gold, predicted):
        if not p.is_file():
            raise fail(f"no such file: {p}")
    try:
        score = score_files(gold, predicted)
    except (ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    if show_errors:
        for line in score.errors:
            out.print(line)
    out.print(json.dumps(score.to_dict()) if as_json else score.summary())
