"""The served process's garbage collector: one policy, set once the app is built.

What the app is made of (routes, models, tables, compiled schemas) lives as
long as the process: collected once and frozen, the collector's full passes
skip it. Each pass walked ~240,000 such objects and held every request in
flight for 150-250 ms, the tail of p99 under load (bench/ANALYSIS.md, round 5).

The youngest generation is collected after THRESHOLD net allocations of
tracked objects, not CPython's 700: a big partner's license report builds
~100,000 tracked objects that live until its body is sent, and at 700 the
collector made ~285 passes over them per report at 10,000 sub-orgs (two of
them full), a tenth to a quarter of its CPU; at 10,000 it makes ~16 and none
full, 4-13% less CPU per report, with no measurable change in memory or in
GET org and the sub-orgs page (bench/ANALYSIS.md, round 13). What a request
drops is mostly freed by its reference count, not by the collector: the
threshold bounds only how much cyclic garbage waits for a pass.
"""

from __future__ import annotations

import gc

THRESHOLD = 10_000


def settle() -> None:
    """Freeze what the process has built so far and set the collector's policy."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(THRESHOLD)
