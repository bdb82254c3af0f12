"""Fusion: claims from many documents become events with a claims ledger.

    from armstrace.fuse import fuse_claims, rebuild
    touched = fuse_claims(store, new_claim_ids)   # incremental, called by the pipeline
    report = rebuild(store)                       # everything again, decisions re-applied

`core` (blocking, clustering, ids) and `ledger` (the SPEC section 6 record)
are pure functions over plain records; `decisions` replays analysts'
decisions; `engine` is the glue to the store.
"""

from armstrace.fuse.core import Claim, FusedEvent, fuse
from armstrace.fuse.engine import FuseReport, fuse_claims, rebuild, refuse_events
from armstrace.fuse.ledger import build_record, render_ledger

__all__ = [
    "Claim",
    "FuseReport",
    "FusedEvent",
    "build_record",
    "fuse",
    "fuse_claims",
    "rebuild",
    "refuse_events",
    "render_ledger",
]
