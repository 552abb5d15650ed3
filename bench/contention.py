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
# The pool pgbench drives the database function on, with room never reached.
FUNCTION_SKU = "BENCH-FUNCTION"
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
    # The service layer's step with the pool's row locked: the COMMIT after a
    # written change, from the function's return to the COMMIT's answer (ms).
    commit_ms_mean: float
    commit_ms_p50: float
    commit_ms_p99: float
    client_cpu_ms: float  # the consumers' processes' CPU per written change
    # pgbench with the same clients, no Python: the function alone
    # (autocommit), and the service's transaction shape around it.
    function_tps: float | None
    shape_tps: float | None

    @property
    def per_s(self) -> float:
        return (self.adds + self.releases) / self.duration_s

    @property
    def vs_pgbench(self) -> float | None:
        return self.per_s / self.pgbench_tps if self.pgbench_tps else None

    @property
    def serial_bound(self) -> float:
        """Changes/s if the pool's row passed from one change to the next
        after nothing but the commit step."""
        return 1000 / self.commit_ms_mean if self.commit_ms_mean else 0.0


def _setup(url: str, partner_id: uuid.UUID, quantity: int) -> tuple[uuid.UUID, uuid.UUID]:
    engine = make_engine(url)
    now = clock.utcnow()
    pool_id, ceiling_id = uuid.uuid4(), uuid.uuid4()
    pools = [(pool_id, SKU), (ceiling_id, CEILING_SKU), (uuid.uuid4(), FUNCTION_SKU)]
    licensed = [(SKU, quantity), (FUNCTION_SKU, 2_000_000_000)]
    with engine.begin() as conn:
        conn.execute(
            insert(LicensePool.__table__),
            [
                dict(id=pid, holder_org_id=partner_id, sku=sku, unit="seat", used=0)
                for pid, sku in pools
            ],
        )
        conn.execute(
            insert(License.__table__),
            [
                dict(
                    id=uuid.uuid4(),
                    holder_org_id=partner_id,
                    sku=sku,
                    unit="seat",
                    quantity=units,
                    starts_at=now - timedelta(days=1),
                    ends_at=now + timedelta(days=365),
                    overage_policy="block",
                    status="active",
                    created_at=now,
                    updated_at=now,
                )
                for sku, units in licensed
            ],
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
    commits: list[float] = []
    lock = threading.Lock()

    def consumer(org_id: uuid.UUID) -> None:
        holding = 0
        local = dict.fromkeys(counts, 0)
        committed: list[float] = []
        while time.time() < deadline:
            op = UsageOp.RELEASE if holding else UsageOp.ADD
            with sessions() as session:
                try:
                    org = session.get(Org, org_id)
                    trail = AuditTrail(session, None, None, None, "bench")
                    consumption.report_usage(
                        session, trail, org, sku=SKU, op=op, amount=1, sees_pool_figures=False
                    )
                    # From here to the COMMIT's answer the pool's row is locked.
                    returned = time.perf_counter()
                    session.commit()
                    committed.append(time.perf_counter() - returned)
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
            commits.extend(committed)

    cpu_before = time.process_time()
    threads = [threading.Thread(target=consumer, args=(o,)) for o in org_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu_before
    engine.dispose()
    out_q.put((counts, commits, cpu))


def _pgbench(
    url: str, script: str, clients: int, seconds: int, mode: str = "simple"
) -> tuple[float | None, str]:
    """pgbench's transactions/s running `script` (two threads)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    pgbench = shutil.which("pgbench") or (found[-1] if found else None)
    if not pgbench:
        return None, "pgbench not found"
    u = make_url(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
        path = f.name
    cmd = [
        pgbench, "-n", "-M", mode, "-c", str(clients), "-j", "2", "-T", str(seconds),
        "-f", path, "-h", u.host or "127.0.0.1", "-p", str(u.port or 5432),
        "-U", u.username or "postgres", u.database or "postgres",
    ]  # fmt: skip
    env = dict(os.environ, PGPASSWORD=u.password or "")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 120)  # noqa: S603
    os.unlink(path)
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", proc.stdout)
    if proc.returncode or not m:
        return None, f"pgbench failed: {proc.stderr.strip()[-300:]}"
    return float(m.group(1)), " ".join(cmd[:-1] + ["<db>"]).replace(path, "<script>")


def function_scripts(org_ids: list[uuid.UUID]) -> dict[str, str]:
    """pgbench scripts that move a random consumer's use on FUNCTION_SKU's pool
    by the database function: alone, and in the service's transaction shape
    (BEGIN, the org's row, the function, COMMIT)."""
    orgs = "ARRAY[" + ",".join(f"'{o}'" for o in org_ids) + "]::uuid[]"
    pick = f"\\set i random(1, {len(org_ids)})\n\\set a random(0, 1)\n"
    call = (
        f"SELECT * FROM apply_usage_change(({orgs})[:i], '{FUNCTION_SKU}', 'set', :a, now(),"  # noqa: S608 - bench ids
        " NULL, NULL, NULL);\n"
    )
    org_row = f"SELECT * FROM orgs WHERE id = ({orgs})[:i];\n"  # noqa: S608 - bench ids
    return {"function": pick + call, "shape": pick + "BEGIN;\n" + org_row + call + "COMMIT;\n"}


def pgbench_ceiling(
    url: str, pool_id: uuid.UUID, clients: int, seconds: int
) -> tuple[float | None, str]:
    script = CEILING_SQL.replace("<pool>", str(pool_id)) + "\n"
    tps, shown = _pgbench(url, script, clients, seconds)
    return tps, shown.replace("<script>", "ceiling.sql")


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
    commits: list[float] = []
    cpu = 0.0
    for _ in procs:
        counts, committed, used_cpu = q.get(timeout=seconds + 300)
        for k, v in counts.items():
            totals[k] += v
        commits += committed
        cpu += used_cpu
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
    scripts = function_scripts(orgs)
    function_tps, _ = _pgbench(url, scripts["function"], consumers, max(1, int(seconds)))
    shape_tps, _ = _pgbench(url, scripts["shape"], consumers, max(1, int(seconds)))
    commits.sort()
    written = max(1, len(commits))
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
        commit_ms_mean=1000 * sum(commits) / written,
        commit_ms_p50=1000 * commits[len(commits) // 2] if commits else 0.0,
        commit_ms_p99=1000 * commits[int(0.99 * (len(commits) - 1))] if commits else 0.0,
        client_cpu_ms=1000 * cpu / written,
        function_tps=function_tps,
        shape_tps=shape_tps,
        **totals,
    )
