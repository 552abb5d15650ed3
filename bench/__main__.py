"""Run every benchmark and write BENCHMARKS.md.

    bench/run.sh [--quick] [--out BENCHMARKS.md] [--partners N --sub-orgs N --users N]

PostgreSQL parts need TENANTREE_TEST_POSTGRES_URL (bench/run.sh starts a
throwaway server with scripts/with-postgres.sh when it is unset); without it
they are skipped and the report says so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tenantree.db import make_engine

from . import contention, decisions, http, reports, serving, tiers
from .datagen import Spec, build_world, insert_world
from .markdown import write_report


@dataclass
class Config:
    quick: bool
    spec: Spec
    growth: list[int]  # total sub-orgs for the decision growth ladder
    report_sizes: list[int]
    report_runs: int
    decision_queries: int
    casbin_queries: int
    rounds: int
    http_concurrency: int
    http_seconds: float
    latency_requests: int
    consumers: int
    contention_seconds: float
    contention_quantity: int
    contention_processes: int = 2
    only: set[str] = field(default_factory=set)
    # Distributors x tier-2 MSPs x customers for the three tiers (bench/tiers.py).
    tiers: tuple[int, int, int] = (10, 20, 50)
    # Users of a second, larger world for the per-world sections (0: none).
    large_users: int = 0
    # Rounds of the side-by-side wrk runs; the rows show the median round's.
    wrk_rounds: int = 3


def config_from(args: argparse.Namespace) -> Config:
    if args.quick:
        spec = Spec(partners=2, sub_orgs_per_partner=30, users=300, licenses_per_partner=10,
                    history_days=2, tokens_per_kind=5)  # fmt: skip
        cfg = Config(True, spec, [10, 40], [5, 20], 3, 2000, 200, 2, 4, 1.0, 30, 20, 1.0, 10)
        cfg.tiers = (2, 3, 5)
        # A median says nothing that quick mode checks (every answer a 200): one round.
        cfg.wrk_rounds = 1
    else:
        spec = Spec()
        cfg = Config(False, spec, [100, 1000, 10000], [10, 100, 1000, 10000], 30, 20000,
                     2000, 5, 16, 10.0, 300, 200, 10.0, 100)  # fmt: skip
    overrides = {
        "partners": args.partners,
        "sub_orgs_per_partner": args.sub_orgs,
        "users": args.users,
        "history_days": args.history_days,
    }
    spec_kw = {k: v for k, v in overrides.items() if v is not None}
    if spec_kw:
        cfg.spec = Spec(**{**asdict(cfg.spec), **spec_kw})
    if args.report_sizes:
        cfg.report_sizes = [int(x) for x in args.report_sizes.split(",")]
    if args.growth:
        cfg.growth = [int(x) for x in args.growth.split(",")]
    if args.seconds:
        cfg.http_seconds = cfg.contention_seconds = args.seconds
    if args.only:
        cfg.only = set(args.only.split(","))
    if args.processes:
        cfg.contention_processes = args.processes
    if args.large_users:
        cfg.large_users = args.large_users
    cfg.consumers = min(cfg.consumers, cfg.spec.sub_orgs_per_partner)
    return cfg


SECTIONS = ["generate", "decisions", "reports", "contention", "http", "serving", "tiers"]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_all(cfg: Config, *, out: Path | None, progress: bool, command: str) -> dict:
    """Every benchmark; returns the results (and writes the Markdown when `out`)."""
    want = lambda s: not cfg.only or s in cfg.only  # noqa: E731
    pg_server = os.environ.get("TENANTREE_TEST_POSTGRES_URL")
    results: dict = {"config": cfg, "postgres": bool(pg_server), "command": command}
    # 1-, 5- and 15-minute load averages: on a shared machine they say how far
    # the absolute figures can be trusted (the ratios are read within one run).
    results["load_at_start"] = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="tenantree-bench-"))

    log(f"building the world: {cfg.spec}")
    t = time.perf_counter()
    world = build_world(cfg.spec)
    results["build_s"] = time.perf_counter() - t

    if want("decisions"):
        ladder = []
        for total in cfg.growth:
            partners = cfg.spec.partners if total >= cfg.spec.partners else 1
            per = max(1, total // partners)
            log(f"decisions at {partners * per} sub-orgs")
            w = (
                world
                if per == cfg.spec.sub_orgs_per_partner and partners == cfg.spec.partners
                else build_world(
                    Spec(partners=partners, sub_orgs_per_partner=per,
                         users=max(10 * per * partners, 5 * partners + 1), history_days=0)
                )
            )  # fmt: skip
            ladder.append(
                decisions.run(
                    w,
                    queries=cfg.decision_queries,
                    casbin_queries=cfg.casbin_queries,
                    rounds=cfg.rounds,
                )  # fmt: skip
            )
        results["decisions"] = ladder

    world_parts = want("generate") or want("http") or want("contention") or want("serving")
    if world_parts:
        results.update(
            _world_sections(cfg, world, workdir, pg_server, want, progress=progress, name="world")
        )

    if want("reports"):
        from .db import sqlite_url

        log(f"reports on SQLite at {cfg.report_sizes}")
        rows = reports.run(
            "sqlite", sqlite_url(workdir, "reports"), cfg.report_sizes,
            runs=cfg.report_runs, progress=progress,
        )  # fmt: skip
        results["reports"] = rows
        if pg_server:
            from .db import postgres_database

            with postgres_database(pg_server, "reports") as url:
                log(f"reports on PostgreSQL at {cfg.report_sizes}")
                results["reports"] += reports.run(
                    "postgresql", url, cfg.report_sizes, runs=cfg.report_runs, progress=progress
                )

    if cfg.large_users and world_parts:
        # The same world with more users: do the per-request figures hold at scale?
        big_spec = replace(cfg.spec, users=cfg.large_users)
        log(f"building the large world: {big_spec}")
        t = time.perf_counter()
        big = build_world(big_spec)
        large = {"spec": big_spec, "build_s": time.perf_counter() - t}
        del world  # the smaller world's rows are no longer needed

        def large_want(section: str) -> bool:
            # Serving has no target to hold at scale; quick mode (the test) keeps
            # its time to what the large world adds: generation and contention.
            quick_skip = cfg.quick and section in {"http", "serving"}
            return want(section) and section != "serving" and not quick_skip

        large.update(
            _world_sections(
                cfg,
                big,
                workdir,
                pg_server,
                large_want,
                progress=progress,
                name="world_large",
            )  # fmt: skip
        )
        results["large"] = large

    if want("tiers"):
        from .db import sqlite_url

        distributors, tier_two, customers = cfg.tiers
        shape = {"distributors": distributors, "tier_two": tier_two, "customers": customers}
        log(f"three tiers ({distributors} x {tier_two} x {customers}) on SQLite")
        results["tiers"] = {
            "sqlite": tiers.run(sqlite_url(workdir, "tiers"), **shape, runs=cfg.report_runs)
        }
        if pg_server:
            from .db import postgres_database

            with postgres_database(pg_server, "tiers") as url:
                log("three tiers on PostgreSQL")
                results["tiers"]["postgresql"] = tiers.run(url, **shape, runs=cfg.report_runs)
    if out is not None:
        write_report(results, out)
        log(f"wrote {out}")
    return results


def _world_sections(cfg, world, workdir, pg_server, want, *, progress: bool, name: str) -> dict:  # type: ignore[no-untyped-def]
    """Generation, HTTP under load, serving and pool contention on one world."""
    from .db import postgres_database, sqlite_url

    part: dict = {}
    if want("generate"):
        log(f"generating into SQLite ({world.spec.users:,} users)")
        url = sqlite_url(workdir, name)
        t = time.perf_counter()
        insert_world(make_engine(url), world, progress=progress)
        part["generate"] = {"sqlite": time.perf_counter() - t, "rows": world.count()}
        if want("http"):
            log("HTTP under wrk on SQLite")
            part["http_sqlite"] = http.wrk_side_by_side(
                world, url, concurrency=cfg.http_concurrency, seconds=cfg.http_seconds,
                repeat=cfg.wrk_rounds,
            )  # fmt: skip
    if not pg_server:
        return part
    with postgres_database(pg_server, name) as url:
        log("generating into PostgreSQL")
        t = time.perf_counter()
        insert_world(make_engine(url), world, progress=progress)
        part.setdefault("generate", {"rows": world.count()})
        part["generate"]["postgresql"] = time.perf_counter() - t
        if want("http"):
            log("HTTP throughput and latency")
            part["http"] = http.run(
                world, url, concurrency=cfg.http_concurrency,
                seconds=cfg.http_seconds, latency_requests=cfg.latency_requests,
                wrk_rounds=cfg.wrk_rounds, quick=cfg.quick,
            )  # fmt: skip
        if want("serving"):
            log("serving: 1 vs 2 processes, and overload")
            part["serving"] = serving.run(world, url, seconds=cfg.http_seconds, quick=cfg.quick)
        if want("contention"):
            log(f"pool contention: {cfg.consumers} consumers")
            pid = world.partner_ids[0]
            subs = [r["id"] for r in world.rows["orgs"] if r["parent_id"] == pid]
            part["contention"] = contention.run(
                url, pid, subs, consumers=cfg.consumers,
                seconds=cfg.contention_seconds, quantity=cfg.contention_quantity,
                processes=cfg.contention_processes,
            )  # fmt: skip
    return part


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--quick", action="store_true", help="tiny data, short runs (CI)")
    p.add_argument("--out", default="BENCHMARKS.md")
    p.add_argument("--partners", type=int)
    p.add_argument("--sub-orgs", type=int, help="sub-orgs per partner")
    p.add_argument("--users", type=int)
    p.add_argument("--history-days", type=int)
    p.add_argument(
        "--large-users",
        type=int,
        help="also run generation, HTTP and contention on a world with this many users",
    )
    p.add_argument("--report-sizes", help="children per report, e.g. 10,100,1000")
    p.add_argument("--growth", help="total sub-orgs for the decision ladder, e.g. 100,1000")
    p.add_argument("--seconds", type=float, help="duration of each load run")
    p.add_argument("--only", help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--processes", type=int, help="processes the pool consumers run in (2)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--json", help="also dump raw results here")
    args = p.parse_args(argv)
    cfg = config_from(args)
    command = "bench/run.sh " + " ".join(argv if argv is not None else sys.argv[1:])
    results = run_all(cfg, out=Path(args.out), progress=not args.no_progress, command=command)
    if args.json:
        Path(args.json).write_text(json.dumps(results, default=_plain, indent=1))


def _plain(o: object) -> object:
    if hasattr(o, "__dataclass_fields__"):
        return asdict(o)  # type: ignore[call-overload]
    if isinstance(o, set):
        return sorted(o)
    return str(o)


if __name__ == "__main__":
    main()
