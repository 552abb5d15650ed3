"""Answers the server's own middleware sends before or instead of a route."""

from __future__ import annotations

import json

from starlette.types import Send


async def send_unavailable(send: Send, code: str, message: str, retry_after: int) -> None:
    """503 with Retry-After, in the API's error shape."""
    body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
