"""The query plans of the requests the benchmarks time, on a built world.

    python -m bench.explain --samples FILE [--db URL] [--out FILE.md]

Serves each request of the samples file (`python -m bench.compare_trees
--build` writes it: GET org, the sub-orgs page, GET /orgs, each as a partner
admin), plus the partner's license report with a 7-day period, through the
app in process, records every statement the request sends, and then runs each
read again under EXPLAIN: `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL,
`EXPLAIN QUERY PLAN` on SQLite (with the statement's own time measured). The
output says, per request, how many statements it sent, how long the server
took on each, and the plan of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event

from tenantree import clock
from tenantree.config import Settings
from tenantree.server.app import create_app

from .compare_trees import PLANS
from .datagen import SECRET_KEY


@dataclass
class Statement:
    sql: str
    parameters: object
    plan: list[str] = field(default_factory=list)
    server_ms: float | None = None


def requests_of(samples: dict) -> dict[str, dict]:
    """The requests to explain: the samples' plans and the partner's report."""
    items = {label: samples["items"][plan] for label, plan in PLANS.items()}
    partner = items["page"]["path"].split("/")[4]
    today = clock.utcnow().date()
    first = today - timedelta(days=6)
    items["report"] = {
        "path": f"/api/v1/orgs/{partner}/license-report?from={first}&to={today}",
        "token": items["page"]["token"],
    }
    return items


def record(client: TestClient, engine, item: dict) -> tuple[int, float, list[Statement]]:  # type: ignore[no-untyped-def]
    sent: list[Statement] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        sent.append(Statement(statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        started = time.perf_counter()
        response = client.get(item["path"], headers={"Authorization": f"Bearer {item['token']}"})
        wall_ms = (time.perf_counter() - started) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return response.status_code, wall_ms, sent


def explain(engine, statements: list[Statement]) -> None:  # type: ignore[no-untyped-def]
    postgres = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for s in statements:
            if not s.sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if postgres:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + s.sql, s.parameters)
                s.plan = [row[0] for row in cursor.fetchall()]
                for line in s.plan:
                    if line.startswith("Execution Time:"):
                        s.server_ms = float(line.split()[2])
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + s.sql, s.parameters)
                s.plan = [f"{'  ' * (row[1] > 0)}{row[3]}" for row in cursor.fetchall()]
                started = time.perf_counter()
                cursor.execute(s.sql, s.parameters)
                cursor.fetchall()
                s.server_ms = (time.perf_counter() - started) * 1000
        raw.rollback()
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--samples", required=True)
    p.add_argument("--db", help="database URL (default: the samples file's)")
    p.add_argument("--out", help="write the plans here too (markdown)")
    args = p.parse_args(argv)
    with open(args.samples) as f:
        samples = json.load(f)
    settings = Settings(
        database_url=args.db or samples["url"], secret_key=SECRET_KEY, email_backend="console"
    )
    app = create_app(settings)
    engine = app.state.engine
    lines: list[str] = []
    with TestClient(app) as client:
        for label, item in requests_of(samples).items():
            record(client, engine, item)  # warm: plans and caches as a served process has them
            status, wall_ms, statements = record(client, engine, item)
            explain(engine, statements)
            server = sum(s.server_ms or 0 for s in statements)
            lines.append(f"### {label}: `GET {item['path'].split('?')[0]}`\n")
            lines.append(
                f"{status}; {len(statements)} statements; request {wall_ms:.1f} ms in process,"
                f" of which the statements' own time {server:.2f} ms.\n"
            )
            for s in statements:
                if not s.plan:
                    continue
                head = " ".join(s.sql.split())[:160]
                lines.append(f"- `{head}…` ({s.server_ms:.3f} ms)\n\n```")
                lines.extend(s.plan)
                lines.append("```\n")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
