"""An id for every HTTP request (API, console, SCIM), for the audit trail and the logs."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
