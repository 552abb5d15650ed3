"""Readiness and metrics endpoints, served beside the app without its admission.

They use a connection pool of their own (one connection, short timeouts) and
a thread of their own, so a saturated or stalled request path never keeps a
probe from answering, and a probe never takes a request's connection.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from tenantree.access.permissions import Permission
from tenantree.access.service import require_platform
from tenantree.authn.signin import authenticate
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.errors import DomainError
from tenantree.identity.context import IdentityConfig
from tenantree.outbox.operations import queue_counts
from tenantree.server.telemetry import Metrics

log = logging.getLogger("tenantree.probes")

PROBE_PATHS = ("/healthz", "/readyz", "/metrics")


def allowed_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TENANTREE_METRICS_ALLOW_IPS: comma-separated addresses or networks."""
    return [ipaddress.ip_network(p.strip(), strict=False) for p in setting.split(",") if p.strip()]


def address_allowed(address: str | None, networks: list[Any]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def readiness(
    engine: Engine, heads: tuple[str, ...], outbox_check: Callable[[Connection], str]
) -> dict[str, str]:
    """Each check's result: "ok", or why not."""
    checks = {"database": "ok", "migrations": "ok", "outbox": "unknown"}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = tuple(MigrationContext.configure(conn).get_current_heads())
            if set(current) != set(heads):
                at, head = ", ".join(current) or "none", ", ".join(heads)
                checks["migrations"] = f"at {at}, head is {head}; run tenantree db upgrade"
                return checks  # the outbox's tables may not be there yet
            checks["outbox"] = outbox_check(conn)
    except SQLAlchemyError as error:
        checks["database"] = f"unreachable: {type(getattr(error, 'orig', error)).__name__}"
        checks["migrations"] = "unknown"
    return checks


def install_probes(
    app: FastAPI,
    database_url: str,
    identity: IdentityConfig,
    metrics: Metrics,
    allow_ips: str,
    *,
    outbox_check: Callable[[Connection], str],
) -> None:
    engine = make_engine(database_url, pool_size=1, pool_timeout=2)
    sessions = make_sessionmaker(engine)
    app.state.probe_engine = engine
    heads = migrations.head_revisions()
    networks = allowed_networks(allow_ips)
    one_thread = anyio.CapacityLimiter(1)

    def outbox_counts() -> dict[str, int] | None:
        try:
            with engine.connect() as conn:
                return queue_counts(conn)
        except SQLAlchemyError:
            return None  # the database is away: readiness says so; no figure here

    metrics.watch_outbox(outbox_counts)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await anyio.to_thread.run_sync(
            readiness, engine, heads, outbox_check, limiter=one_thread
        )
        failed = [name for name, result in checks.items() if result != "ok"]
        if failed:
            return JSONResponse(
                {"status": "not_ready", "failed": failed, "checks": checks},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"status": "ready", "checks": checks})

    def operator_token(token: str) -> bool:
        try:
            with sessions() as session, UnitOfWork(session):
                _, actor = authenticate(session, identity, token)
                require_platform(actor, Permission.PLATFORM_ORGS_MANAGE)
        except (DomainError, SQLAlchemyError):
            return False
        return True

    @app.get("/metrics", include_in_schema=False)
    async def metrics_page(request: Request) -> Response:
        client = request.client.host if request.client else None
        if not address_allowed(client, networks):
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            allowed = bool(token) and scheme.lower() == "bearer"
            if allowed:
                allowed = await anyio.to_thread.run_sync(
                    operator_token, token.strip(), limiter=one_thread
                )
            if not allowed:
                return JSONResponse(
                    {
                        "error": {
                            "code": "forbidden",
                            "message": "metrics are for operators and allowed addresses",
                            "field": None,
                        }
                    },
                    status_code=403,
                )
        # In a thread: the outbox's figures are read from the database.
        page = await anyio.to_thread.run_sync(generate_latest, metrics.registry, limiter=one_thread)
        return Response(page, media_type=CONTENT_TYPE_LATEST)
