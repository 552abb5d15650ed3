"""The period report before and after a change to `period_usage`, side by side.

    PYTHONPATH=src python -m bench.period_ab --before OLD/history.py [--sizes 1000,10000]
        [--rounds 5] [--runs 20] [--history-days 7] [--explain]

One world per size (`bench.datagen`, as `bench.reports` builds it), then
rounds that alternate the two: `--before` names a former
`licensing/history.py` (main's, where period_usage was), loaded as a module of its own; "after"
is the one on the path. Each round times `period_usage` alone (the report's
pools, a 7-day period ending today) and the whole parent report with it, and
checks both give the same figures. On a shared machine read the ratios and
the median round, not one run. PostgreSQL when TENANTREE_TEST_POSTGRES_URL is
set (scripts/with-postgres.sh), SQLite otherwise; `--explain` prints EXPLAIN
(ANALYZE, BUFFERS) of both queries on PostgreSQL.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from unittest import mock

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.db import make_engine, make_sessionmaker
from tenantree.licensing import periods, reports
from tenantree.licensing.models import LicensePool
from tenantree.orgs.models import Org

from .datagen import Spec, build_world, insert_world
from .stats import median, percentile


def _load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("former_history", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@contextmanager
def _database(stack: ExitStack) -> Iterator[str]:
    server = os.environ.get("TENANTREE_TEST_POSTGRES_URL")
    if server:
        from .db import postgres_database

        yield stack.enter_context(postgres_database(server, "period"))
    else:
        from .db import sqlite_url

        yield sqlite_url(Path(tempfile.mkdtemp(prefix="tenantree-period-")), "period")


def _timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, out


def _explain(session: Session, fn: Callable[[], object]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the one statement `fn` sends."""
    sent: list[tuple[str, object]] = []
    conn = session.connection()

    def seen(_c, _cur, statement, parameters, _ctx, _many):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", seen)
    fn()
    event.remove(conn, "before_cursor_execute", seen)
    statement, parameters = sent[-1]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
    return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.period_ab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument(
        "--before", required=True, help="a former licensing/periods.py (history.py before round 4)"
    )
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--runs", type=int, default=20, help="timed runs per round and side")
    p.add_argument("--history-days", type=int, default=7)
    p.add_argument("--explain", action="store_true")
    args = p.parse_args()
    former = _load(args.before)
    sides = {"before": former.period_usage, "after": periods.period_usage}
    with ExitStack() as stack, _database(stack) as url:
        engine = make_engine(url)
        backend = engine.dialect.name
        offset = 10_000_000
        worlds = []
        for n in [int(x) for x in args.sizes.split(",")]:
            spec = Spec(partners=1, sub_orgs_per_partner=n, users=n + 5, licenses_per_partner=50,
                        history_days=args.history_days, offset=offset)  # fmt: skip
            world = build_world(spec)
            offset += n + 10
            insert_world(engine, world, progress=False)
            worlds.append((n, world.partner_ids[0]))
        sessions = make_sessionmaker(engine)
        print(f"{backend}, load {os.getloadavg()[0]:.1f}, history {args.history_days} days")
        for n, pid in worlds:
            _compare(sessions, sides, backend, n, pid, args)
        print(f"load at the end {os.getloadavg()[0]:.1f}")
        engine.dispose()


def _compare(sessions, sides, backend, n, pid, args) -> None:  # type: ignore[no-untyped-def]
    today = clock.utcnow().date()
    period = reports.period_between(today - timedelta(days=6), today)
    assert period is not None
    days = {"first_day": period.first_day, "last_day": period.last_day}
    now = clock.utcnow()  # both compared at one moment: today counts up to it
    with sessions() as session:
        org = session.get(Org, pid)
        pools = list(
            session.scalars(
                select(LicensePool.id).where(
                    (LicensePool.holder_org_id == pid)
                    | LicensePool.holder_org_id.in_(select(Org.id).where(Org.parent_id == pid))
                )
            )
        )
        # As plain pairs: each side has its own PeriodUse class.
        figures = {
            side: {
                key: (use.peak, use.average)
                for key, use in fn(session, pools, **days, now=now).items()
            }
            for side, fn in sides.items()
        }
        differ = {
            k: (v, figures["after"].get(k))
            for k, v in figures["before"].items()
            if figures["after"].get(k) != v
        }
        assert not differ and len(figures["before"]) == len(figures["after"]), list(differ.items())[
            :3
        ]
    if args.explain and backend == "postgresql":
        for side, fn in sides.items():
            # A transaction of its own: a side's SET LOCAL (jit) must not reach the other.
            with sessions() as session:
                plan = _explain(session, functools.partial(fn, session, pools, **days))
            print(f"--- EXPLAIN {side}, {n} children\n{plan}")
    runs = args.runs if n < 5000 else max(3, args.runs // 4)
    query: dict[str, list[float]] = {side: [] for side in sides}
    report: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(args.rounds):
        for side, fn in sides.items():
            with sessions() as session:
                fn(session, pools, **days)  # warm
                times, _ = _timed(functools.partial(fn, session, pools, **days), runs)
                query[side].append(percentile(times, 95))
                query[side + " p50"] = query.get(side + " p50", []) + [percentile(times, 50)]
            with mock.patch.object(reports.common, "period_usage", fn), sessions() as session:
                org = session.get(Org, pid)
                times, parent = _timed(
                    lambda s=session, o=org: reports.parent_report(s, o, period=period), runs
                )
                assert len(parent.children) == n  # type: ignore[attr-defined]
                report[side].append(percentile(times, 95))
                report[side + " p50"] = report.get(side + " p50", []) + [percentile(times, 50)]
    for label, data in (("period_usage", query), ("parent report", report)):
        b, a = data["before"], data["after"]
        print(
            f"{backend} {n:>6} children, {label:<13} p95 per round before "
            f"{_ms(b)} after {_ms(a)}; median p95 {median(b):.1f} -> {median(a):.1f} ms "
            f"(p50 {median(data['before p50']):.1f} -> {median(data['after p50']):.1f}), "
            f"ratio {median([x / y for x, y in zip(a, b, strict=True)]):.2f}"
        )


def _ms(values: list[float]) -> str:
    return "[" + " ".join(f"{v:.0f}" for v in values) + "]"


if __name__ == "__main__":
    main()
