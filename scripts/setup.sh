#!/usr/bin/env bash
# Create .venv in the repository root and install the pinned, hash-checked dependencies.
# Idempotent: a second run only checks that everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY=$candidate; break; fi
  done
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "armstrace needs Python 3.11 or newer"'
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $PY" >&2
  "$PY" -m venv .venv
fi
stamp=.venv/.armstrace-lock.sha
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing pinned dependencies (requirements.lock, hash-checked)" >&2
  .venv/bin/python -m pip install --quiet --upgrade "pip>=23.2" >&2
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock >&2
  echo "$want" > "$stamp"
fi
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e . >&2 2>/dev/null \
  || .venv/bin/python -m pip install --quiet --no-deps -e . >&2
.venv/bin/python -c 'import spacy, armstrace; from armstrace import config; spacy.load(config.SPACY_MODEL)' \
  || { echo "setup: the spaCy model did not load" >&2; exit 1; }
