"""Posting one delivery: to a public address of the endpoint's host only (checked
at connect time with netguard, so a name re-pointed inside the network is
refused), no redirects, no proxies from the environment, the answer's body
never read."""

from __future__ import annotations

from typing import Any

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

from tenantree.netguard import public_addresses


class _PublicOnlyBackend(SyncBackend):
    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        try:
            address = public_addresses(host, port)[0]
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return super().connect_tcp(address, port, *args, **kwargs)


def _transport(allow_private: bool) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(retries=0)
    if not allow_private:
        # TLS still verifies the certificate against the host's name.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PublicOnlyBackend()
        )
    return transport


def post(
    url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float
) -> int:
    """The receiver's HTTP status; httpx errors (connect, timeout) propagate."""
    with (
        httpx.Client(
            transport=_transport(allow_private),
            timeout=timeout,
            trust_env=False,
            follow_redirects=False,
        ) as client,
        client.stream("POST", url, content=body, headers=headers) as response,
    ):
        return response.status_code
