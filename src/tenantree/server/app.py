"""The application factory: the one module above the API, the console and SCIM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from tenantree import __version__
from tenantree.alerts.loop import SweepLoop
from tenantree.api.app import install_api
from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings, get_settings
from tenantree.console import install_console
from tenantree.db import loop_reads_engine, make_engine, make_sessionmaker, reads_only_engine
from tenantree.db.loop_reads import LoopConnections
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import EmailBackend
from tenantree.scim import routes as scim_routes
from tenantree.server.admission import AdmissionLimit, Occupancy
from tenantree.server.database_trouble import DatabaseTrouble
from tenantree.server.mail import make_outbox, make_worker, outbox_readiness
from tenantree.server.probes import PROBE_PATHS, install_probes
from tenantree.server.telemetry import Metrics, RequestTelemetry
from tenantree.web.body_limit import BodyLimitMiddleware
from tenantree.web.request_id import RequestIdMiddleware
from tenantree.web.services import Services
from tenantree.webhooks.config import WebhookConfig

# FastAPI's OpenTelemetry off unless asked for: otherwise every request asks
# the global providers whether one is configured.
_NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    settings: Settings | None = None, *, email_backend: EmailBackend | None = None
) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    sessions = make_sessionmaker(engine)
    outbox = make_outbox(settings, email_backend)
    outbox.attach(sessions)
    occupancy = Occupancy()
    metrics = Metrics(engine, settings.db_pool_size, occupancy)
    worker = make_worker(settings, sessions, outbox, on_failure=metrics.outbox_failed_attempt)
    # Usage changes raise their alerts at once; the sweep catches licenses
    # nearing their end and changed quantities or thresholds.
    alerts_sweep = (
        SweepLoop(sessions, outbox, every_seconds=settings.alerts_sweep_seconds)
        if settings.alerts_sweep_seconds > 0
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The server's own outbox worker, unless separate processes deliver.
        background = settings.outbox_worker == "background"
        if background:
            worker.start()
        if alerts_sweep is not None:
            alerts_sweep.start()
        try:
            yield
        finally:
            if alerts_sweep is not None:
                await anyio.to_thread.run_sync(alerts_sweep.stop)
            if background:
                await anyio.to_thread.run_sync(worker.stop)

    app = FastAPI(
        title="tenantree",
        version=__version__,
        description=(
            "Organization hierarchy for a platform sold through MSPs and resellers: "
            "orgs and sub-orgs, per-org user directories, partner access, audit."
        ),
        lifespan=lifespan,
        telemetry=None if settings.opentelemetry else _NO_OPENTELEMETRY,
    )
    loop_engine = loop_reads_engine(engine)
    app.state.services = Services(
        settings=settings,
        sessions=sessions,
        identity=IdentityConfig.from_settings(settings, outbox),
        branding=BrandingConfig.from_settings(settings),
        reads_only_bind=reads_only_engine(engine),
        loop_reads=LoopConnections(loop_engine) if loop_engine is not None else None,
        webhooks=WebhookConfig.from_settings(settings),
    )
    app.state.engine = engine
    app.state.outbox_worker = worker
    app.state.alerts_sweep = alerts_sweep
    metrics.count_sign_in_failures(sessions)
    app.state.metrics = metrics

    # Outermost last: the request id first, then the request's metrics and
    # log line, admission, and the database's trouble answered inside the
    # admitted slot (a retried GET keeps its connection's place).
    app.add_middleware(DatabaseTrouble, on_unavailable=metrics.shed_database_unavailable)
    app.add_middleware(
        AdmissionLimit,
        limit=settings.db_pool_size,
        wait_seconds=settings.admission_wait_seconds,
        exempt=PROBE_PATHS,
        on_shed=metrics.shed_overloaded,
        occupancy=occupancy,
    )
    app.add_middleware(RequestTelemetry, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    install_api(app)
    app.include_router(scim_routes.router)

    install_probes(
        app,
        settings.database_url,
        app.state.services.identity,
        metrics,
        settings.metrics_allow_ips,
        outbox_check=outbox_readiness(settings, worker),
    )

    install_console(app)
    return app
