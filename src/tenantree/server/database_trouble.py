"""A database that is away or saturated is answered 503, never 500.

Connection errors (the server down or restarting, a terminated backend, a
pool that gave no connection in time) are a broken dependency, not a bug:
they are answered 503 `database_unavailable` with Retry-After and logged in
one line, without a traceback per request. A GET that failed because its
connection had died is run once more: the pool has been invalidated, so the
second attempt connects afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import exc
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantree.server.responses import send_unavailable

log = logging.getLogger("tenantree.database")

RETRY_AFTER_SECONDS = 2
_IDEMPOTENT = frozenset({"GET", "HEAD"})


def is_database_trouble(error: BaseException) -> bool:
    """Whether the error says the database is unreachable, not that the work was wrong."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection in time
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    # Operational errors are the driver's word for "the database could not do
    # it now": refused or lost connections, a server shutting down, locks.
    return isinstance(error, exc.OperationalError | exc.InterfaceError)


def _summary(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line[:200]}"


class DatabaseTrouble:
    """Pure ASGI middleware answering database trouble with 503 (see module)."""

    def __init__(self, app: ASGIApp, *, on_unavailable: Callable[[], None] = lambda: None):
        self.app = app
        self.on_unavailable = on_unavailable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_watching(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        state = dict(scope.get("state") or {})
        try:
            await self.app(scope, receive, send_watching)
            return
        except Exception as error:
            if started or not is_database_trouble(error):
                raise
            retry = scope["method"] in _IDEMPOTENT and _lost_its_connection(error)
            if not retry:
                self._answered(scope, error)
                await send_unavailable(
                    send, "database_unavailable", "the database is unavailable", RETRY_AFTER_SECONDS
                )
                return
        log.info("retrying %s %s on a fresh connection", scope["method"], scope["path"])
        # What the first attempt noted about the request (its unit of work,
        # its caller) must not carry over; its id does. The scope itself is
        # kept: the middleware outside reads the route from it.
        scope["state"] = state
        try:
            await self.app(scope, _empty_body(receive), send_watching)
        except Exception as error:
            if started or not is_database_trouble(error):
                raise
            self._answered(scope, error)
            await send_unavailable(
                send, "database_unavailable", "the database is unavailable", RETRY_AFTER_SECONDS
            )

    def _answered(self, scope: Scope, error: BaseException) -> None:
        self.on_unavailable()
        log.warning(
            "database unavailable, answered 503: %s %s request_id=%s (%s)",
            scope["method"],
            scope["path"],
            (scope.get("state") or {}).get("request_id"),
            _summary(error),
        )


def _lost_its_connection(error: BaseException) -> bool:
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def _empty_body(receive: Receive) -> Receive:
    """The body of a GET, read once more: empty; then the client's own messages."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return receive_again
