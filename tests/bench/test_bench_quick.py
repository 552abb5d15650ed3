"""The benchmarks' --quick mode, so the benchmark code can't rot.

Runs every benchmark on tiny data and checks what they check (all three
decision engines agree, constant report query counts, no over-allocation,
every HTTP answer a 200) and that BENCHMARKS.md gets its tables. Nothing
here asserts a time. The PostgreSQL parts run when TENANTREE_TEST_POSTGRES_URL
names a server (as in `make test`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from bench.__main__ import config_from, run_all

pytestmark = pytest.mark.bench

# The peer engine comes with the `bench` extra (pip install -e '.[dev,bench]').
pytest.importorskip("casbin", reason="install the bench extra: pip install -e '.[dev,bench]'")


def _quick_config() -> object:
    args = argparse.Namespace(
        quick=True, partners=None, sub_orgs=None, users=None, history_days=None,
        report_sizes=None, growth=None, seconds=0.5, only=None, processes=None,
        large_users=600,
    )  # fmt: skip
    cfg = config_from(args)
    cfg.latency_requests = 10
    return cfg


def test_quick_benchmarks_run_and_their_invariants_hold(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    results = run_all(_quick_config(), out=out, progress=False, command="bench/run.sh --quick")
    text = out.read_text()

    for heading in ("Machine and versions", "Access decisions", "Parent license report",
                    "Three tiers beside two", "Targets", "Reproduce"):  # fmt: skip
        assert heading in text
    # The per-world sections again on a world with more users (--large-users).
    large = results["large"]
    assert "The same at 600 users" in text
    assert large["spec"].users == 600 and large["generate"]["rows"] > results["generate"]["rows"]
    ladder = results["decisions"]
    assert [d.sub_orgs for d in ladder] == [10, 40]
    assert all(0 < d.allowed_share < 1 for d in ladder)
    assert all(d.ours_per_s > 0 and d.casbin_per_s > 0 and d.bare_per_s > 0 for d in ladder)
    for backend, variant in {(r.backend, r.variant) for r in results["reports"]}:
        same = [r for r in results["reports"] if (r.backend, r.variant) == (backend, variant)]
        assert len(same) == 2 and len({r.queries for r in same}) == 1

    if os.environ.get("TENANTREE_TEST_POSTGRES_URL"):
        assert "Pool contention" in text and "Whole requests" in text
        c = results["contention"]
        # The product's change (with its alerts) and the consumption alone, each its row.
        assert [r.change for r in c.runs] == ["product", "consumption"]
        for r in c.runs:
            assert r.adds > 0 and r.max_used_seen <= c.quantity and r.errors == 0
            assert f"service layer, {r.change}" in text
        assert results["http"]["bare"]["statuses"] == {"200": results["http"]["bare"]["requests"]}
        assert all(r.max_used_seen <= c.quantity for r in large["contention"].runs)
        assert "Serving: processes and overload" in text
        serving = results["serving"]
        if "skipped" not in serving:  # wrk installed
            assert results["http"]["wrk"]["minimal"]["req_per_s"] > 0
            assert "The minimal peer" in text
            assert results["http"]["wrk"]["minimal_async"]["req_per_s"] > 0
            assert "| minimal peer, async |" in text
            assert [r.topology for r in serving["topologies"]] == [
                "tenantree serve (1 process)",
                "tenantree serve --workers 2",
            ]
            assert all(r.requests > 0 and r.socket_errors == 0 for r in serving["overload"])
    else:
        assert "PostgreSQL was not available" in text
