#!/usr/bin/env bash
# First README command: set up .venv, ingest the bundled example articles into
# ./armstrace.db (embedded SQLite) and print the events table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/armstrace demo "$@"
