"""License report and consumption at 3 tiers beside 2 tiers.

    python -m bench.tiers [--distributors 10 --tier-two 20 --customers 50] [--url URL]

Three tiers: D distributors, each over T tier-2 MSPs, each over C customers
drawing on its pool (the shape of issue 15: 10 x 20 x 50). Each tier-2 MSP
draws on its distributor's pool (source parent_pool): its pool is linked
(licensing.linked), holds no license, and has one row in the distributor's
pool equal to its use, so a tier-3 use moves two pools. Two tiers beside
it: one MSP with C customers (a tier-2 MSP's report is the same size) and one
with T x C (a distributor's whole subtree under one partner). Built through
the rows the services write (orgs placed by depth, pools, one license each,
one use per customer), then measured through the services: the parent
report of a distributor, of a tier-2 MSP and of each 2-tier MSP; and
`report_usage` (an ADD of one unit) by customers at tier 3 and at tier 2.
On SQLite by default; `--url` for PostgreSQL.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from tenantree.audit.service import AuditTrail
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.licensing import consumption, export, reports
from tenantree.licensing.models import Consumption, License, LicensePool, LicenseSourceChange
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgAccess

from .stats import percentile

SKU = "mon"
_START, _END = datetime(2020, 1, 1, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC)


class _Rows:
    """Rows to bulk-insert, and Salesforce IDs that never repeat."""

    def __init__(self) -> None:
        self.orgs: list[dict] = []
        self.access: list[dict] = []
        self.pools: list[dict] = []
        self.licenses: list[dict] = []
        self.uses: list[dict] = []
        self.sources: list[dict] = []
        self._n = 0

    def org(self, name: str, kind: str, partner_type: str | None, parent: dict | None) -> dict:
        self._n += 1
        row = {
            "id": uuid.uuid4(), "name": name, "kind": kind, "partner_type": partner_type,
            "edition": "pro", "salesforce_id": f"001T{self._n:011d}AAA", "status": "active",
            "parent_id": parent["id"] if parent else None,
            "parent_depth": parent["depth"] if parent else None,
            "depth": parent["depth"] + 1 if parent else 0,
            "deactivated_with_partner": False,
            "created_at": _START, "updated_at": _START,
        }  # fmt: skip
        self.orgs.append(row)
        if parent is not None:
            self.access.append({"org_id": row["id"]})
        return row

    def pool(
        self, holder: dict, customers: list[dict], *, units: int = 5, linked: bool = False
    ) -> int:
        """The holder's pool, each customer using `units`; a linked pool holds no license."""
        pool_id = uuid.uuid4()
        self.pools.append(
            {"id": pool_id, "holder_org_id": holder["id"], "sku": SKU, "unit": "devices",
             "used": units * len(customers)}
        )  # fmt: skip
        self.uses += [
            {"id": uuid.uuid4(), "pool_id": pool_id, "org_id": c["id"], "units": units}
            for c in customers
        ]
        if linked:
            self.sources.append(
                {"id": uuid.uuid4(), "org_id": holder["id"], "source": "parent_pool", "at": _START}
            )
            return units * len(customers)
        self.licenses.append(
            {"id": uuid.uuid4(), "holder_org_id": holder["id"], "sku": SKU, "unit": "devices",
             "quantity": 1_000_000_000, "starts_at": _START, "ends_at": _END,
             "overage_policy": "block", "status": "active",
             "created_at": _START, "updated_at": _START}
        )  # fmt: skip
        return units * len(customers)

    def msp(self, name: str, parent: dict | None, customers: int) -> tuple[dict, list[dict]]:
        """An MSP and its customers; under a distributor its pool is linked."""
        kind = "sub_org" if parent else "partner"
        partner = self.org(name, kind, "msp", parent)
        subs = [
            self.org(f"{name} customer {i}", "sub_org", None, partner) for i in range(customers)
        ]
        self.pool(partner, subs, linked=parent is not None)
        return partner, subs


def build(url: str, distributors: int, tier_two: int, customers: int) -> dict[str, object]:
    rows = _Rows()
    tiers = []
    for d in range(distributors):
        dist = rows.org(f"Distributor {d}", "partner", "distributor", None)
        below = [rows.msp(f"D{d} MSP {t}", dist, customers) for t in range(tier_two)]
        # Each linked pool's row in the distributor's pool equals its use.
        rows.pool(dist, [msp for msp, _ in below], units=5 * customers)
        tiers.append((dist, below))
    small = rows.msp("Two-tier MSP", None, customers)
    large = rows.msp("Two-tier large MSP", None, tier_two * customers)
    migrations.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        by_depth = sorted(rows.orgs, key=lambda r: r["depth"])  # parents first
        for model, table_rows in (
            (Org, by_depth), (SubOrgAccess, rows.access), (LicensePool, rows.pools),
            (License, rows.licenses), (Consumption, rows.uses),
            (LicenseSourceChange, rows.sources),
        ):  # fmt: skip
            for i in range(0, len(table_rows), 5000):
                conn.execute(insert(model.__table__), table_rows[i : i + 5000])
    engine.dispose()
    dist, below = tiers[0]
    return {
        "distributor": dist["id"], "tier_two": below[0][0]["id"],
        "tier_three_customers": [c["id"] for _, subs in below[:4] for c in subs[:10]],
        "tier_two_msps": [msp["id"] for msp, _ in below[:10]],
        "small": small[0]["id"], "large": large[0]["id"],
        "two_tier_customers": [c["id"] for c in small[1][:40]],
    }  # fmt: skip


def _timed(runs: int, work: Callable[[], None]) -> tuple[float, float]:
    work()  # the first run warms caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 95)


def measure(url: str, ids: dict, runs: int) -> list[tuple[str, str, float, float]]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    out = []

    def report(org_id: uuid.UUID) -> Callable[[], None]:
        def work() -> None:
            with sessions() as session:
                org = session.get_one(Org, org_id)
                export.parent_report_dict(
                    reports.parent_report(session, org, period=None, visible_child_ids=None)
                )

        return work

    for label, key in (
        ("3 tiers: a distributor's report", "distributor"),
        ("3 tiers: a tier-2 MSP's report", "tier_two"),
        ("2 tiers: an MSP's report, as many customers as a tier-2 MSP", "small"),
        ("2 tiers: an MSP's report, as many customers as a distributor's subtree", "large"),
    ):
        out.append(("report", label, *_timed(runs, report(ids[key]))))

    def consume(org_ids: list[uuid.UUID]) -> Callable[[], None]:
        turn = iter(range(10**9))

        def work() -> None:
            org_id = org_ids[next(turn) % len(org_ids)]
            with sessions() as session:
                org = session.get_one(Org, org_id)
                consumption.report_usage(
                    session, AuditTrail(session, actor_id=None), org,
                    sku=SKU, op=UsageOp.ADD, amount=1, sees_pool_figures=True,
                )  # fmt: skip
                session.commit()

        return work

    for label, key in (
        ("3 tiers: a tier-2 MSP's customer (two pools)", "tier_three_customers"),
        ("3 tiers: a tier-2 MSP's own use (two pools)", "tier_two_msps"),
        ("2 tiers: an MSP's customer (one pool)", "two_tier_customers"),
    ):
        out.append(("consumption", label, *_timed(runs * 4, consume(ids[key]))))
    with sessions() as session:  # every ADD landed once: each pool's use is its consumers' sum
        drawn = dict(
            session.execute(
                select(Consumption.pool_id, func.sum(Consumption.units)).group_by(
                    Consumption.pool_id
                )
            ).all()
        )
        pools = session.execute(select(LicensePool.id, LicensePool.holder_org_id, LicensePool.used))
        used_by = {}
        for pool_id, holder_id, used in pools:
            assert drawn.get(pool_id, 0) == used, (pool_id, used, drawn.get(pool_id))
            used_by[holder_id] = used
        # Every linked pool's row in its distributor's pool equals its use.
        for msp_id, units in session.execute(
            select(Consumption.org_id, Consumption.units)
            .where(Consumption.org_id.in_(ids["tier_two_msps"]))
            .join(LicensePool, LicensePool.id == Consumption.pool_id)
            .where(LicensePool.holder_org_id != Consumption.org_id)
        ):
            assert units == used_by[msp_id], (msp_id, units, used_by[msp_id])
    engine.dispose()
    return out


def run(url: str, *, distributors: int, tier_two: int, customers: int, runs: int) -> dict:
    """Build and measure on one database: the rows bench/markdown.py renders."""
    started = time.perf_counter()
    ids = build(url, distributors, tier_two, customers)
    built = time.perf_counter() - started
    return {
        "shape": [distributors, tier_two, customers],
        "build_s": built,
        "rows": [list(row) for row in measure(url, ids, runs)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributors", type=int, default=10)
    parser.add_argument("--tier-two", type=int, default=20)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='tenantree-tiers-')}/bench.db"
    started = time.perf_counter()
    ids = build(url, args.distributors, args.tier_two, args.customers)
    print(f"built {args.distributors} x {args.tier_two} x {args.customers} "
          f"in {time.perf_counter() - started:.1f}s on {url.split(':')[0]}")  # fmt: skip
    print("| what | case | p50 ms | p95 ms |\n|---|---|---|---|")
    for what, label, p50, p95 in measure(url, ids, args.runs):
        print(f"| {what} | {label} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
