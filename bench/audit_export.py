"""Peak memory of the server while it streams a large audit export (issue 16).

    .venv/bin/python -m bench.audit_export --events 1000000 [--database-url URL]

Builds a small hierarchy (bench.datagen), gives one partner N audit events
(Core executemany), starts the real server (uvicorn, one process), and reads
GET /api/v1/orgs/{id}/audit-events/export?format=ndjson|csv from this
process, counting lines. The server's peak RSS (VmHWM from /proc) is read
after start-up and after each export: with keyset pages the export adds a
constant, not something that grows with N. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from tenantree.audit.models import AuditEvent
from tenantree.db import make_engine
from tenantree.db import migrate as migrations

from .datagen import Spec, build_world, insert_world
from .http import serve


def _vm(pid: int, field: str) -> int:
    """A /proc/<pid>/status figure, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _server_pid() -> int:
    """The uvicorn child this process started (bench.http.serve does not expose it)."""
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one server process, found {children}")
    return int(children[0])


def insert_events(database_url: str, org_id: uuid.UUID, count: int, chunk: int = 20_000) -> None:
    engine = make_engine(database_url)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for first in range(0, count, chunk):
            rows = [
                {
                    "id": uuid.uuid4(),
                    "at": start + timedelta(seconds=i),
                    "action": "user.updated",
                    "actor_id": uuid.uuid4(),
                    "actor_org_id": org_id,
                    "org_id": org_id,
                    "target_type": "user",
                    "target_id": str(uuid.uuid4()),
                    "request_id": f"bench-{i}",
                    "details": {"role": {"from": "user", "to": "admin"}},
                    "client_address": "192.0.2.1",
                }
                for i in range(first, min(first + chunk, count))
            ]
            conn.execute(insert(AuditEvent), rows)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--formats", default="ndjson,csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/audit-export.db"
        migrations.upgrade(url)
        world = build_world(Spec(partners=1, sub_orgs_per_partner=2, users=10))
        engine = make_engine(url)
        insert_world(engine, world, progress=False)
        engine.dispose()
        _, token, org_id = world.samples["partner_admin"][0]
        began = time.perf_counter()
        insert_events(url, org_id, args.events)
        took = time.perf_counter() - began
        print(f"inserted {args.events:,} events in {took:.1f} s", flush=True)
        with serve("tenantree.server.asgi:app", url, "/healthz") as base:
            pid = _server_pid()
            headers = {"Authorization": f"Bearer {token}"}
            httpx.get(f"{base}/api/v1/orgs/{org_id}/audit-events", headers=headers)
            baseline = _vm(pid, "VmHWM") / 1024
            print(f"server peak RSS after start-up and one request: {baseline:.1f} MiB", flush=True)
            for fmt in args.formats.split(","):
                lines = size = 0
                began = time.perf_counter()
                path = f"{base}/api/v1/orgs/{org_id}/audit-events/export"
                with httpx.stream(
                    "GET", path, params={"format": fmt}, headers=headers, timeout=600
                ) as response:
                    response.raise_for_status()
                    for line in response.iter_lines():
                        lines += 1
                        size += len(line) + 1
                elapsed = time.perf_counter() - began
                print(
                    f"{fmt}: {lines:,} lines, {size / 2**20:.0f} MiB in {elapsed:.1f} s; "
                    f"server peak RSS {_vm(pid, 'VmHWM') / 1024:.1f} MiB, "
                    f"RSS now {_vm(pid, 'VmRSS') / 1024:.1f} MiB"
                )


if __name__ == "__main__":
    main()
