"""The application factory: the one module above the API, the console and SCIM."""

from __future__ import annotations

from fastapi import FastAPI

from tenantree import __version__
from tenantree.api.app import install_api
from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings, get_settings
from tenantree.console import install_console
from tenantree.db import make_engine, make_sessionmaker, reads_only_engine
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import EmailBackend, Outbox, backend_from_url
from tenantree.scim import routes as scim_routes
from tenantree.server.admission import AdmissionLimit
from tenantree.server.database_trouble import DatabaseTrouble
from tenantree.web.request_id import RequestIdMiddleware
from tenantree.web.services import Services

# Paths served without a pooled connection: never held back by admission.
UNPOOLED_PATHS = ("/healthz",)


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
    outbox = Outbox(
        email_backend or backend_from_url(settings.email_backend),
        settings.email_from,
        allow_private_relay_hosts=settings.smtp_relay_allow_private_hosts,
    )
    outbox.attach(sessions)

    app = FastAPI(
        title="tenantree",
        version=__version__,
        description=(
            "Organization hierarchy for a platform sold through MSPs and resellers: "
            "orgs and sub-orgs, per-org user directories, partner access, audit."
        ),
    )
    app.state.services = Services(
        settings=settings,
        sessions=sessions,
        identity=IdentityConfig.from_settings(settings, outbox),
        branding=BrandingConfig.from_settings(settings),
        reads_only_bind=reads_only_engine(engine),
    )
    app.state.engine = engine

    # Outermost last: the request id first, then admission, then the
    # database's trouble answered inside the admitted slot (a retried GET
    # keeps its connection's place).
    app.add_middleware(DatabaseTrouble)
    app.add_middleware(
        AdmissionLimit,
        limit=settings.db_pool_size,
        wait_seconds=settings.admission_wait_seconds,
        exempt=UNPOOLED_PATHS,
    )
    app.add_middleware(RequestIdMiddleware)

    install_api(app)
    app.include_router(scim_routes.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    install_console(app)
    return app
