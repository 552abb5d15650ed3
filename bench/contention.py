"""Pool contention on PostgreSQL: many consumers on one MSP pool, and pgbench's ceiling."""

from __future__ import annotations

import glob
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from tenantree import clock
from tenantree.audit.service import AuditTrail
from tenantree.db import make_engine, make_sessionmaker
from tenantree.errors import DomainError
from tenantree.licensing import consumption
from tenantree.licensing.models import Consumption, License, LicensePool, UsageSnapshot
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org

SKU = "BENCH-CONTENDED"
CEILING_SKU = "BENCH-PGBENCH"
CEILING_SQL = (
    "UPDATE license_pools SET used = used + 1 WHERE id = '<pool>' "  # noqa: S608
    "AND used + 1 <= 9000000000000;"
)


@dataclass
class ContentionResult:
    consumers: int
    processes: int
    duration_s: float
    quantity: int
    adds: int
    releases: int
    refusals: int
    errors: int
    final_used: int
    max_used_seen: int
    pgbench_clients: int
    pgbench_tps: float | None
    pgbench_note: str

    @property
    def per_s(self) -> float:
        return (self.adds + self.releases) / self.duration_s

    @property
    def vs_pgbench(self) -> float | None:
        return self.per_s / self.pgbench_tps if self.pgbench_tps else None


def _setup(url: str, partner_id: uuid.UUID, quantity: int) -> tuple[uuid.UUID, uuid.UUID]:
    engine = make_engine(url)
    now = clock.utcnow()
    pool_id, ceiling_id = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            insert(LicensePool.__table__),
            [
                dict(id=pool_id, holder_org_id=partner_id, sku=SKU, unit="seat", used=0),
                dict(
                    id=ceiling_id,
                    holder_org_id=partner_id,
                    sku=CEILING_SKU,
                    unit="seat",
                    used=0,
                ),
            ],
        )
        conn.execute(
            insert(License.__table__),
            dict(
                id=uuid.uuid4(),
                holder_org_id=partner_id,
                sku=SKU,
                unit="seat",
                quantity=quantity,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=365),
                overage_policy="block",
                status="active",
                created_at=now,
                updated_at=now,
            ),
        )
    engine.dispose()
    return pool_id, ceiling_id


def _consumer_process(url, org_ids, seconds, ready_q, go, out_q) -> None:
    engine = make_engine(url, pool_size=len(org_ids), max_overflow=0)
    sessions = make_sessionmaker(engine)
    # Open every connection before the clock starts.
    conns = [engine.connect() for _ in org_ids]
    for conn in conns:
        conn.close()
    ready_q.put(True)
    go.wait()
    deadline = time.time() + seconds
    counts = {"adds": 0, "releases": 0, "refusals": 0, "errors": 0}
    lock = threading.Lock()

    def consumer(org_id: uuid.UUID) -> None:
        holding = 0
        local = dict.fromkeys(counts, 0)
        while time.time() < deadline:
            op = UsageOp.RELEASE if holding else UsageOp.ADD
            with sessions() as session:
                try:
                    org = session.get(Org, org_id)
                    trail = AuditTrail(session, None, None, None, "bench")
                    consumption.report_usage(
                        session, trail, org, sku=SKU, op=op, amount=1, sees_pool_figures=False
                    )
                    session.commit()
                    holding = 1 - holding
                    local["releases" if op == UsageOp.RELEASE else "adds"] += 1
                except DomainError as refusal:
                    if refusal.status == 409:
                        session.commit()  # the refusal's audit event, as the API does
                        local["refusals"] += 1
                    else:
                        local["errors"] += 1
                except Exception:  # noqa: BLE001 - counted and reported
                    session.rollback()
                    local["errors"] += 1
        with lock:
            for k, v in local.items():
                counts[k] += v

    threads = [threading.Thread(target=consumer, args=(o,)) for o in org_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    out_q.put(counts)


def pgbench_ceiling(
    url: str, pool_id: uuid.UUID, clients: int, seconds: int
) -> tuple[float | None, str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    pgbench = shutil.which("pgbench") or (found[-1] if found else None)
    if not pgbench:
        return None, "pgbench not found"
    u = make_url(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(CEILING_SQL.replace("<pool>", str(pool_id)) + "\n")
        script = f.name
    cmd = [
        pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", script,
        "-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres",
        u.database or "postgres",
    ]  # fmt: skip
    env = dict(os.environ, PGPASSWORD=u.password or "")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 120)  # noqa: S603
    os.unlink(script)
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", proc.stdout)
    if proc.returncode or not m:
        return None, f"pgbench failed: {proc.stderr.strip()[-300:]}"
    shown = " ".join(cmd[:-1] + ["<db>"]).replace(script, "ceiling.sql")
    return float(m.group(1)), shown


def run(
    url: str,
    partner_id: uuid.UUID,
    sub_org_ids: list[uuid.UUID],
    *,
    consumers: int,
    seconds: float,
    quantity: int,
    processes: int = 2,
) -> ContentionResult:
    pool_id, ceiling_id = _setup(url, partner_id, quantity)
    orgs = sub_org_ids[:consumers]
    assert len(orgs) == consumers, "need one sub-org per consumer"
    ctx = mp.get_context("spawn")
    q, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_consumer_process, args=(url, orgs[i::processes], seconds, ready, go, q))
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=300)
    go.set()
    start = time.time()
    totals = {"adds": 0, "releases": 0, "refusals": 0, "errors": 0}
    for _ in procs:
        for k, v in q.get(timeout=seconds + 300).items():
            totals[k] += v
    for p in procs:
        p.join()
    # Consumers stop starting work at the deadline; the last transactions end a bit later.
    elapsed = max(seconds, time.time() - start)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        used = s.scalar(select(LicensePool.used).where(LicensePool.id == pool_id))
        summed = s.scalar(
            select(func.coalesce(func.sum(Consumption.units), 0)).where(
                Consumption.pool_id == pool_id
            )
        )
        max_seen = s.scalar(
            select(func.coalesce(func.max(UsageSnapshot.pool_used), 0)).where(
                UsageSnapshot.pool_id == pool_id
            )
        )
    engine.dispose()
    assert used == summed, f"pool used {used} != sum of consumptions {summed}"
    assert max_seen <= quantity, f"over-allocation: use reached {max_seen} > {quantity}"
    assert totals["errors"] == 0, f"{totals['errors']} consumers failed"
    tps, note = pgbench_ceiling(url, ceiling_id, consumers, max(1, int(seconds)))
    return ContentionResult(
        consumers=consumers,
        processes=processes,
        duration_s=elapsed,
        quantity=quantity,
        final_used=used,
        max_used_seen=max_seen,
        pgbench_clients=consumers,
        pgbench_tps=tps,
        pgbench_note=note,
        **totals,
    )
