"""Command-line interface: `armstrace --help`."""

from __future__ import annotations

import importlib
import sys

from armstrace.cli.app import app, err

# Command modules register themselves on `app` when imported, one module per group of commands.
COMMAND_MODULES = [
    "armstrace.cli.extract_cmds",
    "armstrace.cli.store_cmds",
    "armstrace.cli.knowledge_cmds",
    "armstrace.cli.fuse_cmds",
    "armstrace.cli.web_cmds",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
