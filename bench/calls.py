"""Python function calls per request, the ASGI app called in process (no HTTP).

    PYTHONPATH=TREE/src:. python -m bench.calls --samples FILE [--plan org] [--requests 200]

A deterministic measure for an A/B of two source trees on one machine,
where wrk's figures move with the machine's load: the app of whichever tree
is on the path serves a plan's request (`--samples` as `bench.compare_trees
--build` writes it) `--warm-up` times, then `--requests` times with a
profile function counting every Python function entered, in every thread.
C functions are not counted (cProfile counts them too, so its figures are
higher). Prints the status, a digest of the body (two trees must serve the
same) and the calls per request.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import threading
from types import FrameType
from typing import Any

from tenantree.config import Settings
from tenantree.server.app import create_app

from .compare_trees import PLANS
from .datagen import SECRET_KEY


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--samples", required=True)
    p.add_argument("--plan", choices=sorted(PLANS), default="org")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warm-up", type=int, default=50)
    args = p.parse_args(argv)
    samples = json.loads(open(args.samples).read())  # noqa: PTH123, SIM115
    item = samples["items"][PLANS[args.plan]]
    app = create_app(
        Settings(
            database_url=samples["url"],
            secret_key=SECRET_KEY,
            email_backend="console",
            outbox_worker="external",
            alerts_sweep_seconds=0,
        )
    )
    status, body, calls = asyncio.run(_count(app, item, args.warm_up, args.requests))
    digest = hashlib.sha256(body).hexdigest()[:12]
    print(f"{args.plan}: status {status}, body {digest}, {calls:,.0f} Python calls per request")


async def _count(
    app: Any, item: dict[str, str], warm_up: int, requests: int
) -> tuple[int, bytes, float]:
    path, _, query = item["path"].partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": item.get("method", "GET"), "scheme": "http", "path": path,
        "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"127.0.0.1"),
                    (b"authorization", f"Bearer {item['token']}".encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["body"] = message["status"], b""
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    counted = [0]

    def count(_frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            counted[0] += 1

    async with app.router.lifespan_context(app):
        for _ in range(warm_up):
            await app(dict(scope), receive, send)
        threading.setprofile(count)  # type: ignore[arg-type]
        sys.setprofile(count)  # type: ignore[arg-type]
        try:
            for _ in range(requests):
                await app(dict(scope), receive, send)
        finally:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]
    return answer["status"], answer["body"], counted[0] / requests


if __name__ == "__main__":
    main()
