"""API throughput and whole-request latency over HTTP on loopback.

Both servers run the same way (one uvicorn process on httptools and uvloop,
as `tenantree serve` runs, no access log) and are
loaded from a separate process (bench.loadgen), one after the other; and,
when it is installed, by wrk as well: a load generator in Python saturates
before a bare endpoint does, which understates the bare rate and flatters
the ratio to it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .datagen import SECRET_KEY, World

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_ports(n: int) -> list[int]:
    """n distinct free ports (held together while chosen, so none is given twice)."""
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


def server_command(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--log-level", "warning", "--no-access-log",
        "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip


@contextmanager
def serve(app: str, database_url: str, ready_path: str):
    with serve_all(database_url, {app: ready_path}) as bases:
        yield bases[app]


@contextmanager
def serve_all(database_url: str, apps: dict[str, str]):
    """Each app (its ready path the value) in its own server, all started before
    any is waited for: their imports overlap. Yields each app's base URL."""
    env = dict(
        os.environ,
        TENANTREE_DATABASE_URL=database_url,
        TENANTREE_SECRET_KEY=SECRET_KEY,
        TENANTREE_EMAIL_BACKEND="console",
        # Throughput, not shedding (section 7 measures that): on a loaded
        # machine a request may wait past the default 1 s for its turn.
        TENANTREE_ADMISSION_WAIT_SECONDS="30",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    started: dict[str, tuple[subprocess.Popen, str]] = {}
    try:
        for app, port in zip(apps, _free_ports(len(apps)), strict=True):
            proc = subprocess.Popen(server_command(app, port), env=env, cwd=ROOT)  # noqa: S603
            started[app] = (proc, f"http://127.0.0.1:{port}")
        for app, ready_path in apps.items():
            wait_ready(app, *started[app], ready_path)
        yield {app: base for app, (_, base) in started.items()}
    finally:
        for proc, _ in started.values():
            proc.terminate()
        for proc, _ in started.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(
    app: str, proc: subprocess.Popen, base: str, ready_path: str, *, tries: int = 300
) -> None:
    """Poll the path every 0.1 s until it answers below 500; raise if the
    server exits or `tries` polls pass."""
    for _ in range(tries):
        try:
            if httpx.get(base + ready_path, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{app} exited with {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def load(
    base: str, plan: list[dict], *, concurrency: int, seconds: float, requests: int | None = None
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
        path = f.name
    cmd = [
        sys.executable, "-m", "bench.loadgen", "--base", base, "--plan", path,
        "--concurrency", str(concurrency), "--seconds", str(seconds),
    ]  # fmt: skip
    if requests is not None:
        cmd += ["--requests", str(requests)]
    out = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, check=True, timeout=seconds + 300, cwd=ROOT
    )
    os.unlink(path)
    return json.loads(out.stdout)


_WRK_LATENCY = re.compile(r"^\s*(50|99)%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_command(base: str, item: dict, *, concurrency: int, seconds: float) -> list[str] | None:
    found = shutil.which("wrk")
    if found is None:
        return None
    cmd = [found, "-t2", f"-c{concurrency}", f"-d{max(1, int(seconds))}s", "--latency"]
    if item.get("token"):
        cmd += ["-H", f"Authorization: Bearer {item['token']}"]
    return [*cmd, base + item["path"]]


def wrk_load(base: str, item: dict, *, concurrency: int, seconds: float) -> dict | None:
    """One GET under wrk (one path: wrk repeats it), or None without wrk."""
    cmd = wrk_command(base, item, concurrency=concurrency, seconds=seconds)
    if cmd is None:
        return None
    out = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, check=True, timeout=seconds + 120
    ).stdout
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    latency = {q: float(v) * _UNIT_MS[u] for q, v, u in _WRK_LATENCY.findall(out)}
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert rate and "50" in latency and "99" in latency, f"unexpected wrk output: {out[-500:]}"
    assert failed is None, f"{item['path']}: {failed.group(1)} responses were not 2xx"
    return {"req_per_s": float(rate.group(1)), "p50_ms": latency["50"], "p99_ms": latency["99"]}


@dataclass
class HttpRow:
    name: str
    result: dict
    expected: set[int]

    def check(self) -> None:
        got = {int(s) if s.isdigit() else s for s in self.result["statuses"]}
        assert got <= self.expected, f"{self.name}: statuses {self.result['statuses']}"
        assert self.result["requests"] > 0, f"{self.name}: no request was answered in time"


def plans(world: World) -> dict[str, list[dict]]:
    admins = world.samples["partner_admin"]
    customers = world.samples["customer"]
    subs_by_partner: dict = {}
    for row in world.rows["orgs"]:
        if row["parent_id"] is not None:
            subs_by_partner.setdefault(row["parent_id"], []).append(row["id"])
    api_tokens = world.samples.get("partner_admin_api") or []
    # A sub-org restricted to named partner users admits its primary admin but
    # not the admin's API token (its service account is not named): 404.
    restricted = {
        row["org_id"] for row in world.rows["sub_org_access"] if row["partner_users_restricted"]
    }
    get_org, get_org_api, page, usage, lists = [], [], [], [], []
    for i in range(200):
        acct, tok, pid = admins[i % len(admins)]
        subs = subs_by_partner[pid]
        get_org.append({"path": f"/api/v1/orgs/{subs[(i * 37) % len(subs)]}", "token": tok})
        if api_tokens:
            # The same partner's sub-org, with an admin API token its primary admin made.
            _, api_tok, api_pid = api_tokens[i % len(api_tokens)]
            api_subs = [s for s in subs_by_partner[api_pid] if s not in restricted]
            get_org_api.append(
                {"path": f"/api/v1/orgs/{api_subs[(i * 37) % len(api_subs)]}", "token": api_tok}
            )
        page.append({"path": f"/api/v1/orgs/{pid}/sub-orgs?limit=50", "token": tok})
        lists.append({"path": "/api/v1/orgs?limit=50", "token": tok})
        _, ctok, sid = customers[i % len(customers)]
        usage.append(
            {
                "method": "POST",
                "path": f"/api/v1/orgs/{sid}/usage",
                "token": ctok,
                "json": {"sku": "SKU-00", "set": 1 + i % 5},
            }
        )
    return {
        "GET /orgs/{id} (partner admin, a sub-org)": get_org,
        "GET /orgs/{id}/sub-orgs?limit=50": page,
        "GET /orgs?limit=50": lists,
        "POST /orgs/{id}/usage (set)": usage,
        **({API_TOKEN_GET_ORG: get_org_api} if get_org_api else {}),
    }


# Last in `plans`: the rows before it keep their places in BENCHMARKS.md.
API_TOKEN_GET_ORG = "GET /orgs/{id} (partner admin's API token, a sub-org)"  # noqa: S105 - a row name


WRK_ROUNDS = 3


# The side by side's servers: each app and the path that answers once it is up.
BARE, APP = "bench.bare:app", "tenantree.server.asgi:app"
SIDE_BY_SIDE = {
    BARE: "/api/v1/bare",
    "bench.minimal:app": "/openapi.json",
    "bench.minimal_async:app": "/openapi.json",
    APP: "/healthz",
}


def wrk_side_by_side(
    world: World, database_url: str, *, concurrency: int, seconds: float, repeat: int = WRK_ROUNDS
):
    """Bare endpoint, GET org, the sub-orgs page and GET org with an API token
    under wrk, both servers up at once and measured in turn, round after round:
    on a shared machine the load drifts between runs, so each ratio is taken
    within one round and the rows show the round with the median GET org ratio.
    None without wrk."""
    if shutil.which("wrk") is None:
        return None
    with serve_all(database_url, SIDE_BY_SIDE) as bases:
        return _wrk_rounds(world, bases, concurrency=concurrency, seconds=seconds, repeat=repeat)


def _wrk_rounds(
    world: World, bases: dict[str, str], *, concurrency: int, seconds: float, repeat: int
) -> dict:
    all_plans = plans(world)
    names = [*list(all_plans)[:2], *([API_TOKEN_GET_ORG] if API_TOKEN_GET_ORG in all_plans else [])]
    items = {name: all_plans[name][0] for name in names}
    bare_item = {"path": "/api/v1/bare"}
    first = next(iter(items))
    minimal_item = {**items[first], "path": minimal_path(items[first]["path"])}
    bare_base, minimal_base, async_base, base = (bases[app] for app in SIDE_BY_SIDE)
    peers = {MINIMAL: minimal_base, MINIMAL_ASYNC: async_base}
    peers_answer_alike(peers.values(), minimal_item)
    rounds = []
    for r in range(repeat):
        one = {"bare": wrk_load(bare_base, bare_item, concurrency=concurrency, seconds=seconds)}
        # The peers take turns going first: a load that drifts favours neither.
        for peer, peer_base in list(peers.items())[:: 1 if r % 2 == 0 else -1]:
            one[peer] = wrk_load(peer_base, minimal_item, concurrency=concurrency, seconds=seconds)
        for name, item in items.items():
            one[name] = wrk_load(base, item, concurrency=concurrency, seconds=seconds)
        rounds.append(one)
    rounds.sort(key=lambda r: r[first]["req_per_s"] / r["bare"]["req_per_s"])
    median = rounds[len(rounds) // 2]
    return {
        "bare": median["bare"],
        "minimal": median[MINIMAL],
        "minimal_async": median[MINIMAL_ASYNC],
        "throughput": [(name, median[name]) for name in items],
        "rounds": [
            {name: r[name]["req_per_s"] / r["bare"]["req_per_s"] for name in items} for r in rounds
        ],
        "minimal_rounds": [
            {
                "of_bare": r[MINIMAL]["req_per_s"] / r["bare"]["req_per_s"],
                "org_of_minimal": r[first]["req_per_s"] / r[MINIMAL]["req_per_s"],
                "async_of_bare": r[MINIMAL_ASYNC]["req_per_s"] / r["bare"]["req_per_s"],
                "async_of_minimal": r[MINIMAL_ASYNC]["req_per_s"] / r[MINIMAL]["req_per_s"],
            }
            for r in rounds
        ],
    }


MINIMAL, MINIMAL_ASYNC = "minimal peer", "minimal peer, async"


def _answers_ok(base: str, item: dict) -> bytes:
    """A peer measured on refusals would flatter nothing: it must answer 200."""
    got = httpx.get(base + item["path"], headers={"Authorization": f"Bearer {item['token']}"})
    if got.status_code != 200:
        raise RuntimeError(f"{item['path']} answered {got.status_code}: {got.text[:200]}")
    return got.content


def peers_answer_alike(bases, item: dict) -> None:  # type: ignore[no-untyped-def]
    """Each minimal peer answers 200, and all with the same body (the same work)."""
    bodies = {_answers_ok(base, item) for base in bases}
    if len(bodies) != 1:
        raise RuntimeError(f"{item['path']}: the peers answered differently: {bodies}")


def minimal_path(org_path: str) -> str:
    """GET org's path on the minimal peers (bench.minimal, bench.minimal_async)."""
    return org_path.replace("/api/v1/orgs/", "/api/v1/minimal/orgs/", 1)


def run(
    world: World,
    database_url: str,
    *,
    concurrency: int,
    seconds: float,
    latency_requests: int,
    wrk_rounds: int = WRK_ROUNDS,
    quick: bool = False,
) -> dict:
    """The Python load generator's rows, then the side by side under wrk. A full
    run gives each part servers of its own, started afresh; quick mode, which
    checks that every part works and not its figures, runs both parts on the
    side by side's three servers (two server starts fewer)."""
    out: dict = {"concurrency": concurrency, "seconds": seconds, "throughput": [], "latency": []}
    sizes = {"concurrency": concurrency, "seconds": seconds, "latency_requests": latency_requests}
    if quick and shutil.which("wrk") is not None:
        with serve_all(database_url, SIDE_BY_SIDE) as bases:
            _bare_rows(out, bases[BARE], **sizes)
            _app_rows(world, out, bases[APP], **sizes)
            out["wrk"] = _wrk_rounds(
                world, bases, concurrency=concurrency, seconds=seconds, repeat=wrk_rounds
            )
        return out
    with serve(BARE, database_url, SIDE_BY_SIDE[BARE]) as base:
        _bare_rows(out, base, **sizes)
    with serve(APP, database_url, SIDE_BY_SIDE[APP]) as base:
        _app_rows(world, out, base, **sizes)
    wrk = wrk_side_by_side(
        world, database_url, concurrency=concurrency, seconds=seconds, repeat=wrk_rounds
    )
    if wrk is not None:
        out["wrk"] = wrk
    return out


def _bare_rows(
    out: dict, base: str, *, concurrency: int, seconds: float, latency_requests: int
) -> None:
    bare_plan = [{"path": "/api/v1/bare"}]
    bare = load(base, bare_plan, concurrency=concurrency, seconds=seconds)
    HttpRow("bare", bare, {200}).check()
    out["bare"] = bare
    out["bare_sequential"] = load(
        base, bare_plan, concurrency=1, seconds=seconds, requests=latency_requests
    )


def _app_rows(
    world: World, out: dict, base: str, *, concurrency: int, seconds: float, latency_requests: int
) -> None:
    all_plans = plans(world)
    for name in list(all_plans)[:2]:
        r = load(base, all_plans[name], concurrency=concurrency, seconds=seconds)
        HttpRow(name, r, {200}).check()
        out["throughput"].append((name, r))
    for name, plan in all_plans.items():
        r = load(base, plan, concurrency=1, seconds=seconds, requests=latency_requests)
        HttpRow(name, r, {200}).check()
        out["latency"].append((name, r))
