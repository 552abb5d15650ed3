"""Load from a separate process: an async httpx client, bounded concurrency and duration.

    python -m bench.loadgen --base http://127.0.0.1:PORT --plan plan.json \
        --concurrency 16 --seconds 10 [--requests N]

The plan is a JSON list of requests [{"method", "path", "token", "json"}] taken
round-robin. Prints one JSON object: counts, statuses, req/s and latencies (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time

import httpx

from .stats import percentile


async def _main(args: argparse.Namespace) -> dict:
    plan = json.loads(open(args.plan).read())  # noqa: SIM115, ASYNC230
    cycle = itertools.cycle(plan)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    budget = args.requests

    async with httpx.AsyncClient(base_url=args.base, limits=limits, timeout=30) as client:
        # Warm up: one pass over the plan, not counted, and not on the clock
        # (a slow warm-up once left no time for a single counted request).
        for item in plan[: min(len(plan), 20)]:
            await _send(client, item)
        deadline = time.perf_counter() + args.seconds

        async def worker() -> None:
            nonlocal budget
            while time.perf_counter() < deadline:
                if budget is not None:
                    if budget <= 0:
                        return
                    budget -= 1
                item = next(cycle)
                t = time.perf_counter()
                try:
                    status: int | str = await _send(client, item)
                except httpx.HTTPError as exc:  # counted, and the caller fails on it
                    status = type(exc).__name__
                latencies.append((time.perf_counter() - t) * 1000)
                statuses[str(status)] = statuses.get(str(status), 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "req_per_s": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "statuses": statuses,
        "concurrency": args.concurrency,
    }


async def _send(client: httpx.AsyncClient, item: dict) -> int:
    headers = {"authorization": f"Bearer {item['token']}"} if item.get("token") else {}
    response = await client.request(
        item.get("method", "GET"), item["path"], headers=headers, json=item.get("json")
    )
    await response.aread()
    return response.status_code


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--plan", required=True)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--requests", type=int, default=None)
    args = p.parse_args()
    json.dump(asyncio.run(_main(args)), sys.stdout)


if __name__ == "__main__":
    main()
