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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from tenantree import clock
from tenantree.alerts.models import Alert
from tenantree.alerts.usage import report_usage_and_alert
from tenantree.api.schemas.licensing import UsageOut
from tenantree.audit.service import AuditTrail
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.errors import DomainError
from tenantree.licensing import consumption
from tenantree.licensing.models import Consumption, License, LicensePool, UsageSnapshot
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org
from tenantree.outbox import MemoryBackend, Outbox

from .locked_window import LockedWindow

SKU = "BENCH-CONTENDED"
CEILING_SKU = "BENCH-PGBENCH"
# The pool pgbench drives the database function on, with room never reached.
FUNCTION_SKU = "BENCH-FUNCTION"
CEILING_SQL = (
    "UPDATE license_pools SET used = used + 1 WHERE id = '<pool>' "  # noqa: S608
    "AND used + 1 <= 9000000000000;"
)


# What each consumer does per change: the product's change, as POST
# /api/v1/orgs/{id}/usage does it, or the consumption alone.
PRODUCT = "product"
ALONE = "consumption"
CHANGES = {
    PRODUCT: "the product's change (`alerts.usage.report_usage_and_alert` with an outbox, "
    "in a unit of work, the answer's model built before the COMMIT)",
    ALONE: "the consumption alone (`licensing.consumption.report_usage`)",
}


@dataclass
class ChangeRun:
    """The consumers' run doing one kind of change on a pool of their own."""

    change: str
    sku: str
    duration_s: float
    adds: int
    releases: int
    refusals: int
    errors: int
    final_used: int
    max_used_seen: int
    # The pool's row locked: from the function's answer to the COMMIT's answer
    # after a written change (ms), and the statements run in between.
    commit_ms_mean: float
    commit_ms_p50: float
    commit_ms_p99: float
    locked_statements: float  # mean per written change
    client_cpu_ms: float  # the consumers' processes' CPU per written change
    alerts_raised: int  # crossings of the pool's thresholds raised in the run
    alerts_cleared: int

    @property
    def per_s(self) -> float:
        return (self.adds + self.releases) / self.duration_s

    @property
    def serial_bound(self) -> float:
        """Changes/s if the pool's row passed from one change to the next
        after nothing but the locked step."""
        return 1000 / self.commit_ms_mean if self.commit_ms_mean else 0.0


@dataclass
class ContentionResult:
    consumers: int
    processes: int
    quantity: int
    runs: list[ChangeRun]  # the product's change first
    pgbench_clients: int
    pgbench_tps: float | None
    pgbench_note: str
    # pgbench with the same clients, no Python: the function alone
    # (autocommit), and the service's transaction shape around it.
    function_tps: float | None
    shape_tps: float | None

    @property
    def product(self) -> ChangeRun:
        return self.runs[0]

    def vs_pgbench(self, run: ChangeRun) -> float | None:
        return run.per_s / self.pgbench_tps if self.pgbench_tps else None


def _pools(url: str, partner_id: uuid.UUID, licensed: list[tuple[str, int | None]]) -> dict:
    """A pool of each SKU held by the partner, with a license of the units given (if any)."""
    engine = make_engine(url)
    now = clock.utcnow()
    ids = {sku: uuid.uuid4() for sku, _ in licensed}
    with engine.begin() as conn:
        conn.execute(
            insert(LicensePool.__table__),
            [
                dict(id=ids[sku], holder_org_id=partner_id, sku=sku, unit="seat", used=0)
                for sku, _ in licensed
            ],
        )
        licenses = [
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
            if units is not None
        ]
        if licenses:  # the ceiling's pool alone has none
            conn.execute(insert(License.__table__), licenses)
    engine.dispose()
    return ids


def _product_change(outbox: Outbox) -> Callable[..., UsageOut]:
    """POST /usage's work: the change and its alerts, then the answer's model
    (the route's unit of work commits after the endpoint answered)."""

    def change(session, trail, org, *, sku, op, amount, sees_pool_figures) -> UsageOut:  # type: ignore[no-untyped-def]
        result = report_usage_and_alert(
            session, trail, outbox, org, sku=sku, op=op, amount=amount,
            sees_pool_figures=sees_pool_figures,
        )  # fmt: skip
        return UsageOut(sku=result.sku, consumed=result.consumed, over_quantity=None)

    return change


def _consumer_process(url, change, sku, org_ids, seconds, ready_q, go, out_q) -> None:
    engine = make_engine(url, pool_size=len(org_ids), max_overflow=0)
    sessions = make_sessionmaker(engine)
    window = LockedWindow(engine)
    do = consumption.report_usage if change == ALONE else _product_change(_bench_outbox())
    # Open every connection before the clock starts.
    conns = [engine.connect() for _ in org_ids]
    for conn in conns:
        conn.close()
    ready_q.put(True)
    go.wait()
    deadline = time.time() + seconds
    counts = {"adds": 0, "releases": 0, "refusals": 0, "errors": 0}
    windows: list[tuple[float, int]] = []
    lock = threading.Lock()

    def consumer(org_id: uuid.UUID) -> None:
        holding = 0
        local = dict.fromkeys(counts, 0)
        locked: list[tuple[float, int]] = []
        while time.time() < deadline:
            op = UsageOp.RELEASE if holding else UsageOp.ADD
            window.start()
            try:
                # As the API: committed when the work answers; a refusal
                # rolled back and its kept audit event written again.
                with sessions() as session, UnitOfWork(session):
                    org = session.get(Org, org_id)
                    trail = AuditTrail(session, None, None, None, "bench")
                    do(session, trail, org, sku=sku, op=op, amount=1, sees_pool_figures=False)
                closed = window.closed()
                assert closed is not None
                locked.append(closed)
                holding = 1 - holding
                local["releases" if op == UsageOp.RELEASE else "adds"] += 1
            except DomainError as refusal:
                local["refusals" if refusal.status == 409 else "errors"] += 1
            except Exception:  # noqa: BLE001 - counted and reported
                local["errors"] += 1
        with lock:
            for k, v in local.items():
                counts[k] += v
            windows.extend(locked)

    cpu_before = time.process_time()
    threads = [threading.Thread(target=consumer, args=(o,)) for o in org_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu_before
    engine.dispose()
    out_q.put((counts, windows, cpu))


def _bench_outbox() -> Outbox:
    return Outbox(MemoryBackend(), "bench@tenantree.invalid")


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


def _consumers(
    url: str, change: str, sku: str, orgs: list[uuid.UUID], seconds: float, processes: int
) -> tuple[dict[str, int], list[tuple[float, int]], float, float]:
    """The consumers' counts, locked windows and CPU, and the run's wall time."""
    ctx = mp.get_context("spawn")
    q, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(
            target=_consumer_process,
            args=(url, change, sku, orgs[i::processes], seconds, ready, go, q),
        )
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=300)
    go.set()
    start = time.time()
    totals = {"adds": 0, "releases": 0, "refusals": 0, "errors": 0}
    windows: list[tuple[float, int]] = []
    cpu = 0.0
    for _ in procs:
        counts, locked, used_cpu = q.get(timeout=seconds + 300)
        for k, v in counts.items():
            totals[k] += v
        windows += locked
        cpu += used_cpu
    for p in procs:
        p.join()
    # Consumers stop starting work at the deadline; the last transactions end a bit later.
    return totals, windows, cpu, max(seconds, time.time() - start)


def run_change(
    url: str,
    partner_id: uuid.UUID,
    orgs: list[uuid.UUID],
    change: str,
    *,
    seconds: float,
    quantity: int,
    processes: int = 2,
    sku: str | None = None,
) -> ChangeRun:
    """The consumers doing `change` (PRODUCT or ALONE) on a new pool of the partner's."""
    sku = sku or f"{SKU}-{change.upper()}"
    pool_id = _pools(url, partner_id, [(sku, quantity)])[sku]
    totals, windows, cpu, elapsed = _consumers(url, change, sku, orgs, seconds, processes)
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
        raised = s.scalar(select(func.count()).where(Alert.subject_id == pool_id))
        cleared = s.scalar(
            select(func.count()).where(Alert.subject_id == pool_id, Alert.cleared_at.is_not(None))
        )
    engine.dispose()
    assert used == summed, f"pool used {used} != sum of consumptions {summed}"
    assert max_seen <= quantity, f"over-allocation: use reached {max_seen} > {quantity}"
    assert totals["errors"] == 0, f"{totals['errors']} consumers failed"
    times = sorted(t for t, _ in windows)
    written = max(1, len(times))
    return ChangeRun(
        change=change,
        sku=sku,
        duration_s=elapsed,
        final_used=used,
        max_used_seen=max_seen,
        commit_ms_mean=1000 * sum(times) / written,
        commit_ms_p50=1000 * times[len(times) // 2] if times else 0.0,
        commit_ms_p99=1000 * times[int(0.99 * (len(times) - 1))] if times else 0.0,
        locked_statements=sum(n for _, n in windows) / written,
        client_cpu_ms=1000 * cpu / written,
        alerts_raised=raised,
        alerts_cleared=cleared,
        **totals,
    )


def run(
    url: str,
    partner_id: uuid.UUID,
    sub_org_ids: list[uuid.UUID],
    *,
    consumers: int,
    seconds: float,
    quantity: int,
    processes: int = 2,
    changes: tuple[str, ...] = (PRODUCT, ALONE),
) -> ContentionResult:
    """Each kind of change on a pool of its own, one after the other, then
    pgbench with the same clients on two more pools of the partner's."""
    orgs = sub_org_ids[:consumers]
    assert len(orgs) == consumers, "need one sub-org per consumer"
    runs = [
        run_change(url, partner_id, orgs, change, seconds=seconds, quantity=quantity,
                   processes=processes)
        for change in changes
    ]  # fmt: skip
    pools = _pools(url, partner_id, [(CEILING_SKU, None), (FUNCTION_SKU, 2_000_000_000)])
    tps, note = pgbench_ceiling(url, pools[CEILING_SKU], consumers, max(1, int(seconds)))
    scripts = function_scripts(orgs)
    function_tps, _ = _pgbench(url, scripts["function"], consumers, max(1, int(seconds)))
    shape_tps, _ = _pgbench(url, scripts["shape"], consumers, max(1, int(seconds)))
    return ContentionResult(
        consumers=consumers,
        processes=processes,
        quantity=quantity,
        runs=runs,
        pgbench_clients=consumers,
        pgbench_tps=tps,
        pgbench_note=note,
        function_tps=function_tps,
        shape_tps=shape_tps,
    )
