"""Serving topologies under wrk: 1 vs 2 processes, and overload.

Every server runs the assembled app on the same PostgreSQL database and is
loaded by wrk (keep-alive connections, one authenticated GET repeated):

- `topologies`: one `tenantree serve` process, `tenantree serve --workers 2`
  (our process manager, TCP_NODELAY kept), and beside them the managers we
  measured before picking ours, when importable: `uvicorn --workers 2`,
  gunicorn with uvicorn workers (`pip install gunicorn`), granian
  (`pip install granian`). They are not dependencies of tenantree.
- `overload`: `tenantree serve --workers 2` at 16, 64, 128 and 256
  connections: requests answered, p99, and the share answered 503 (the
  admission limit sheds what the pools cannot take; everything not 2xx here
  is a 503, since the request itself always succeeds).

Without wrk (`apt-get install wrk`) the section is skipped and says so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .datagen import SECRET_KEY, World
from .http import ROOT, _free_port, wait_ready

OVERLOAD_CONNECTIONS = [16, 64, 128, 256]


@dataclass
class WrkRun:
    topology: str
    connections: int
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def shed_share(self) -> float:
        return self.non_2xx / self.requests if self.requests else 0.0


def _commands(port: int) -> dict[str, list[str] | None]:
    tenantree = str(Path(sys.executable).parent / "tenantree")
    addr = ["--host", "127.0.0.1", "--port", str(port)]
    app = "tenantree.server.asgi:app"
    have = lambda name: importlib.util.find_spec(name) is not None  # noqa: E731
    return {
        "tenantree serve (1 process)": [tenantree, "serve", *addr],
        "tenantree serve --workers 2": [tenantree, "serve", *addr, "--workers", "2"],
        "uvicorn --workers 2": [
            sys.executable, "-m", "uvicorn", app, *addr, "--workers", "2", "--no-access-log",
            "--log-level", "warning",
        ],
        "gunicorn -k uvicorn.workers.UvicornWorker -w 2": [
            sys.executable, "-m", "gunicorn", app, "-k", "uvicorn.workers.UvicornWorker",
            "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
        ] if have("gunicorn") else None,
        "granian --workers 2": [
            sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "2",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log", app,
        ] if have("granian") else None,
    }  # fmt: skip


@contextmanager
def serving(topology: str, database_url: str):
    port = _free_port()
    cmd = _commands(port)[topology]
    assert cmd is not None
    env = dict(
        os.environ,
        TENANTREE_DATABASE_URL=database_url,
        TENANTREE_SECRET_KEY=SECRET_KEY,
        TENANTREE_EMAIL_BACKEND="console",
    )
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(topology, proc, base, "/healthz", tries=600)  # 200, or 503 while not ready
        time.sleep(2)  # every worker process up, not only the first
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_LATENCY = re.compile(r"^\s*(50|99)%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(topology: str, base: str, path: str, token: str, *, connections: int, seconds: int):
    found = shutil.which("wrk")
    assert found
    cmd = [found, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-H", f"Authorization: Bearer {token}", base + path]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)  # noqa: S603
    text = out.stdout
    done = re.search(r"(\d+) requests in ([0-9.]+)(s|m)", text)
    assert done, f"unexpected wrk output: {text[-500:]}"
    latency = {q: float(v) * _UNIT_MS[u] for q, v, u in _LATENCY.findall(text)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    elapsed = float(done.group(2)) * (60 if done.group(3) == "m" else 1)
    return WrkRun(
        topology, connections, int(done.group(1)), elapsed,
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(g) for g in errors.groups()) if errors else 0,
        latency.get("50", 0.0), latency.get("99", 0.0),
    )  # fmt: skip


def run(world: World, database_url: str, *, seconds: float, quick: bool) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    _, token, partner_id = world.samples["partner_admin"][0]
    sub = next(r["id"] for r in world.rows["orgs"] if r["parent_id"] == partner_id)
    path = f"/api/v1/orgs/{sub}"
    duration = max(1, int(seconds))
    topologies = []
    names = [name for name, cmd in _commands(0).items() if cmd is not None]
    if quick:
        names = names[:2]
    overloaded = "tenantree serve --workers 2"
    overload: list = []

    def overload_it(base: str) -> None:
        for connections in OVERLOAD_CONNECTIONS[:2] if quick else OVERLOAD_CONNECTIONS:
            overload.append(
                wrk("overload", base, path, token, connections=connections, seconds=duration)
            )

    for name in names:
        with serving(name, database_url) as base:
            topologies.append(wrk(name, base, path, token, connections=16, seconds=duration))
            if quick and name == overloaded:
                # Quick mode checks that overload is answered, not its figures:
                # the server just measured takes it, instead of a third start.
                overload_it(base)
    if not overload:
        with serving(overloaded, database_url) as base:
            overload_it(base)
    return {"path": "GET /api/v1/orgs/{id}", "topologies": topologies, "overload": overload}
