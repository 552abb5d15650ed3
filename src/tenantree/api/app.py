"""The FastAPI application factory."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantree import __version__
from tenantree.api.body_limit import BodyLimitMiddleware
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
from tenantree.db import make_engine, make_sessionmaker, reads_only_engine
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import EmailBackend, Outbox, backend_from_url
from tenantree.scim import routes as scim_routes

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_REQUEST_ID_HEADER = b"x-request-id"


class RequestIdMiddleware:
    """An id for every HTTP request, for the audit trail and the logs.

    The caller's X-Request-ID when it is well formed, else a new UUID; kept in
    `request.state.request_id` and echoed in the response's X-Request-ID.
    Plain ASGI: `@app.middleware("http")` ran every request through a task
    and memory streams, a measurable share of a cheap authenticated read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == _REQUEST_ID_HEADER:
                incoming = value.decode("latin-1")
                break
        request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        echoed = (_REQUEST_ID_HEADER, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                kept = [h for h in headers if h[0].lower() != _REQUEST_ID_HEADER]
                message = {**message, "headers": [*kept, echoed]}
            await send(message)

        await self.app(scope, receive, send_with_id)


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
        reads_only_bind=reads_only_engine(engine),
    )
    app.state.engine = engine
    install_error_handlers(app)

    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

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
