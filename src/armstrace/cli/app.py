"""The Typer application that every command module registers on.

Each command is a thin layer over a library function; modules under
armstrace.cli own one group of commands each (extraction, store, knowledge,
fusion, web), so that they can grow apart.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(
    name="armstrace",
    help="Turn news articles into a sourced, queryable record of arms transfers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Results go to stdout; progress, warnings and errors to stderr, so that
# `armstrace extract ... --format jsonl > out.jsonl` stays clean.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line (never wrapped, never read as markup) and return the Exit to raise."""
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)
