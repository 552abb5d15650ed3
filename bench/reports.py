"""The parent license report at 10..10,000 children: query count and latency.

Timed as GET /license-report serves it to the partner's primary admin: which
sub-orgs the reader sees, the report with its run-out forecasts, the JSON
dict and its encoded body (before round 5 the forecasts and the encoding
were left out: bench/ANALYSIS.md).
"""

from __future__ import annotations

import gc
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse

from tenantree import clock
from tenantree.access.facts import load_actor
from tenantree.access.policy import Actor
from tenantree.access.service import visible_sub_org_ids
from tenantree.alerts.reports import parent_report_with_forecasts
from tenantree.db import make_engine, make_sessionmaker
from tenantree.identity.models import Account, Membership
from tenantree.licensing import export, reports
from tenantree.licensing.reports import ParentReport
from tenantree.orgs.models import Org

from .datagen import Spec, build_world, insert_world
from .db import QueryCounter
from .stats import percentile


@dataclass
class ReportResult:
    backend: str
    variant: str
    children: int
    queries: int
    p50_ms: float
    p95_ms: float
    runs: int


def run(
    backend: str, url: str, sizes: list[int], *, runs: int, progress: bool
) -> list[ReportResult]:
    engine = make_engine(url)
    partners = insert_report_worlds(engine, sizes, progress=progress)
    sessions = make_sessionmaker(engine)
    # The served process's collector policy (server/collector.py, as
    # server/asgi.py sets it once the app is built): the objects left from
    # building the worlds are frozen out of the collector's reach, so no full
    # collection walking them lands inside a timed report, and the collector
    # runs at the served process's thresholds.
    thresholds = gc.get_threshold()
    settle_collector()
    counter = QueryCounter(engine)
    out = []
    for variant in VARIANTS:
        for n, pid in partners:
            # A report over 10,000 children takes seconds: fewer runs there.
            out.append(
                _measure(sessions, counter, backend, variant, n, pid, runs if n < 5000 else 5)
            )
    engine.dispose()
    # The bench's later sections run in this process: they get a collector
    # that sees every object again, at its former thresholds.
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    for variant in VARIANTS:
        seen = {r.queries for r in out if r.variant == variant}
        assert len(seen) == 1, f"{variant}: query count depends on the children: {seen}"
    return out


VARIANTS = ["current", "7-day period"]


def settle_collector() -> None:
    """The served process's collector policy (server/collector.py), which the
    served path is timed under; a tree from before round 13 (an A/B side)
    only froze."""
    try:
        from tenantree.server import collector
    except ImportError:
        gc.collect()
        gc.freeze()
        return
    collector.settle()


def insert_report_worlds(
    engine: Engine, sizes: list[int], *, progress: bool
) -> list[tuple[int, uuid.UUID]]:
    """One partner per size, 2 SKUs per child, 7 days of history: (children, partner id)."""
    partners = []
    offset = 10_000_000
    for n in sizes:
        spec = Spec(partners=1, sub_orgs_per_partner=n, users=n + 5, licenses_per_partner=50,
                    history_days=7, offset=offset)  # fmt: skip
        world = build_world(spec)
        offset += n + 10
        insert_world(engine, world, progress=progress)
        partners.append((n, world.partner_ids[0]))
    return partners


def primary_admin_actor(session: Session, partner_id: uuid.UUID) -> Actor:
    """The partner's primary admin, the reader every report here is served to."""
    admin = session.scalar(
        select(Account)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.org_id == partner_id, Membership.is_primary_admin.is_(True))
    )
    return load_actor(session, admin)


def variant_period(variant: str, today: date) -> reports.Period | None:
    """The report's period for a variant: none, or the 7 days ending today."""
    if variant == "current":
        return None
    return reports.period_between(today - timedelta(days=6), today)


def serve_report(
    session: Session, partner_id: uuid.UUID, actor: Actor, period: reports.Period | None
) -> tuple[ParentReport, dict, bytes]:
    """What GET /license-report does for `actor`: the sub-orgs it sees, the
    report with its forecasts, the JSON dict and its encoded body."""
    org = session.get(Org, partner_id)
    parent = parent_report_with_forecasts(
        session, org, period=period, visible_child_ids=visible_sub_org_ids(session, actor, org)
    )
    body = export.parent_report_dict(parent)
    return parent, body, _encoded(body)


def _encoded(body: dict) -> bytes:
    """The body as the route encodes it; a tree from before round 6 (an A/B
    side) had Starlette's JSONResponse do it."""
    if hasattr(export, "json_body"):
        return export.json_body(body)
    return bytes(JSONResponse(body).body)


def _measure(sessions, counter, backend, variant, n, pid, runs) -> ReportResult:
    with sessions() as session:
        actor = primary_admin_actor(session, pid)
    times, counts = [], set()
    for i in range(runs + 1):
        with sessions() as session:
            before = counter.count
            t = time.perf_counter()
            period = variant_period(variant, clock.utcnow().date())
            parent, body, encoded = serve_report(session, pid, actor, period)
            dt = time.perf_counter() - t
            session.rollback()
        assert len(parent.children) == n, (len(parent.children), n)
        assert sum(len(p.children) for p in parent.pools) == 2 * n
        assert body["org_id"] == str(pid) and encoded
        if i:  # the first run warms caches
            times.append(dt * 1000)
            counts.add(counter.count - before)
    assert len(counts) == 1, f"query count varies between runs: {counts}"
    return ReportResult(
        backend, variant, n, counts.pop(), percentile(times, 50), percentile(times, 95), len(times)
    )
