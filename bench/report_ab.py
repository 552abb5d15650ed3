"""The served parent report against one world built once, for before/after runs.

    PYTHONPATH=src:. python -m bench.report_ab URL --build [--sizes 1000,10000]   # once
    PYTHONPATH=OLD/src:. python -m bench.report_ab URL [--runs 20]                # before
    PYTHONPATH=src:. python -m bench.report_ab URL [--runs 20]                    # after

`--build` migrates URL (a SQLite file or a PostgreSQL database that exists)
and writes the `bench.reports` worlds into it: one partner per size, 2 SKUs
per child, a rollup row per consumer and day for 8 days. Without it, each
partner found there is timed as GET /license-report serves it to its
primary admin (visibility, the report with its forecasts, the JSON body),
without and with a 7-day period ending today. Run it with each source tree
in turn (alternate them: the machine's load moves the figures), the same
world for both. Each line gives wall-clock p50/p95 and this process's CPU
time p50: under a shared machine's load the wall clock mostly measures the
scheduler, the CPU time what the served path itself costs in Python (on
SQLite that includes the database's work; on PostgreSQL the server's is
not in it). Before timing, the process takes the served process's collector
policy (server/collector.py, as server/asgi.py does once the app is built):
its objects frozen out of the collector's reach (otherwise a full collection
walking the imported modules and the world's leftovers lands inside some
reports and not others) and the served thresholds. `--no-freeze` times with
CPython's defaults instead. `--dump PREFIX` writes each body at one fixed
moment (PREFIX.now) instead, to check that two trees serve the same figures.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from sqlalchemy import func, select

from tenantree import clock
from tenantree.db import make_engine, make_sessionmaker, migrate
from tenantree.orgs.models import Org

from .reports import (
    VARIANTS,
    insert_report_worlds,
    primary_admin_actor,
    serve_report,
    settle_collector,
    variant_period,
)
from .stats import percentile


def _build(url: str, sizes: list[int]) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    insert_report_worlds(engine, sizes, progress=False)
    engine.dispose()


def _served(sessions, pid: uuid.UUID, actor, period) -> tuple[float, float, bytes]:  # type: ignore[no-untyped-def]
    """Wall-clock ms, this process's CPU ms, the body."""
    with sessions() as session:
        started, cpu = time.perf_counter(), time.process_time()
        _, _, body = serve_report(session, pid, actor, period)
        session.rollback()
        return (
            (time.perf_counter() - started) * 1000,
            (time.process_time() - cpu) * 1000,
            body,
        )


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.report_ab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("url")
    p.add_argument("--build", action="store_true")
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--runs", type=int, default=20, help="a quarter of them at 5,000+ children")
    p.add_argument("--dump")
    p.add_argument("--no-freeze", action="store_true", help="CPython's collector defaults")
    args = p.parse_args()
    if args.build:
        _build(args.url, [int(x) for x in args.sizes.split(",")])
        return
    engine = make_engine(args.url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        partners = session.execute(
            select(Org.parent_id, func.count())
            .where(Org.parent_id.is_not(None))
            .group_by(Org.parent_id)
            .having(func.count() >= 100)
            .order_by(func.count())
        ).all()
    if not args.no_freeze:
        settle_collector()
    moment = clock.utcnow()
    if args.dump:
        stamp = Path(args.dump + ".now")
        if not stamp.exists():
            stamp.write_text(moment.isoformat())
        moment = datetime.fromisoformat(stamp.read_text()).astimezone(UTC)
    for pid, n in partners:
        with sessions() as session:
            actor = primary_admin_actor(session, pid)
        for variant in VARIANTS:
            period = variant_period(variant, moment.date())
            if args.dump:
                with mock.patch.object(clock, "utcnow", lambda: moment):
                    _, _, body = _served(sessions, pid, actor, period)
                Path(f"{args.dump}-{n}-{variant.replace(' ', '_')}.json").write_bytes(body)
                continue
            runs = args.runs if n < 5000 else max(3, args.runs // 4)
            _served(sessions, pid, actor, period)  # warm
            timed = [_served(sessions, pid, actor, period) for _ in range(runs)]
            times, cpu = [t[0] for t in timed], [t[1] for t in timed]
            print(
                f"{engine.dialect.name} {n} children, {variant}: p50 {percentile(times, 50):.1f} "
                f"p95 {percentile(times, 95):.1f} ms, CPU p50 {percentile(cpu, 50):.1f} ms "
                f"({runs} runs, load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    engine.dispose()


if __name__ == "__main__":
    main()
