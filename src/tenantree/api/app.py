"""The FastAPI application factory."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from tenantree import __version__
from tenantree.api.deps import Services
from tenantree.api.errors import install_error_handlers
from tenantree.api.routes import (
    access,
    api_tokens,
    audit,
    auth,
    branding,
    invitations,
    licensing,
    orgs,
    password_reset,
    public,
    scim_tokens,
    sso,
    users,
)
from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings, get_settings
from tenantree.console import install_console
from tenantree.db import make_engine, make_sessionmaker
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import EmailBackend, Outbox, backend_from_url
from tenantree.scim import routes as scim_routes

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def create_app(
    settings: Settings | None = None, *, email_backend: EmailBackend | None = None
) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
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
    )
    app.state.engine = engine
    install_error_handlers(app)

    @app.middleware("http")
    async def _request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        request.state.request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    for module in (
        auth,
        password_reset,
        orgs,
        users,
        invitations,
        access,
        licensing,
        audit,
        branding,
        public,
    ):
        app.include_router(module.router)
    for module in (api_tokens, scim_tokens, scim_routes, sso):
        app.include_router(module.router)
    app.include_router(sso.browser)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    install_console(app)
    return app
