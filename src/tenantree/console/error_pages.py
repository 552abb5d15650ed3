"""Console pages for addresses no route answers, and for errors no route caught.

The API, SCIM and the probes keep their JSON answers: their handlers, installed
before the console's, are called for every path that is not the console's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tenantree.console.routing import error_page

log = logging.getLogger(__name__)

Handler = Callable[[Request, Exception], Awaitable[Response]]
# Paths whose callers read JSON: the API, SCIM clients, probes and scrapers.
MACHINE_PREFIXES = ("/api/", "/api", "/scim/", "/scim", "/healthz", "/readyz", "/metrics")
MESSAGES = {
    404: "There is no page at this address. It may have moved, or the link is mistyped.",
    405: "This page cannot be used that way.",
}


def is_console_path(path: str) -> bool:
    return not any(
        path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/")
        for prefix in MACHINE_PREFIXES
    )


def install_error_pages(app: FastAPI) -> None:
    """Wrap the handlers already installed (the API's) with console pages."""
    machine_http: Handler | None = app.exception_handlers.get(StarletteHTTPException)
    machine_unexpected: Handler | None = app.exception_handlers.get(Exception)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if is_console_path(request.url.path) and exc.status_code in MESSAGES:
            # No route ran, so no unit of work is open: the Host's brand may be read.
            return await run_in_threadpool(
                error_page,
                request,
                exc.status_code,
                MESSAGES[exc.status_code],
                "not_found" if exc.status_code == 404 else "method_not_allowed",
                fresh=True,
            )
        if machine_http is not None:
            return await machine_http(request, exc)
        raise exc

    async def unexpected(request: Request, exc: Exception) -> Response:
        if is_console_path(request.url.path):
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            # The database may be what failed: the page reads nothing from it.
            return await run_in_threadpool(
                error_page,
                request,
                500,
                "Something went wrong on our side. Please try again in a moment.",
                "internal_error",
            )
        if machine_unexpected is not None:
            return await machine_unexpected(request, exc)
        raise exc

    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, unexpected)
