"""Command-line interface: `armstrace --help`."""

from __future__ import annotations

import importlib
import sys

from armstrace.cli.app import app, err

# Command modules register themselves on `app` when imported. A module that
# is not there yet (a feature still being built) is skipped, not fatal.
COMMAND_MODULES = [
    "armstrace.cli.extract_cmds",
    "armstrace.cli.store_cmds",
    "armstrace.cli.knowledge_cmds",
    "armstrace.cli.fuse_cmds",
    "armstrace.cli.web_cmds",
]

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:
        if exc.name != _name:
            raise


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
