"""The OpenID provider an org names: where the server may connect, and its discovery.

An org admin sets the issuer, and every anonymous sign-in start makes the
server fetch from it, so the issuer must be an https URL of a public host
(netguard), checked when saved and again, against the resolved address, on
every connection. TENANTREE_SSO_ALLOW_PRIVATE_ISSUERS lifts that for a
provider on the operator's own network (and plain http on loopback, for
development and tests). Discovery is fetched with a timeout and a size limit
and kept a few minutes per issuer; any failure is SsoProviderUnavailable.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

from tenantree.errors import DomainError, Invalid
from tenantree.netguard import ip_literal, public_addresses, refusal

TIMEOUT_SECONDS = 5.0
MAX_DISCOVERY_BYTES = 64 * 1024
CACHE_SECONDS = 300.0


class SsoProviderUnavailable(DomainError):
    """The org's provider could not be reached or answered nonsense: not the caller's fault."""

    status = 503
    code = "sso_provider_unavailable"


def check_issuer(raw: str, *, allow_private: bool) -> str:
    """The issuer as stored (no trailing slash); Invalid naming `issuer` if it may not be used."""
    value = raw.strip().rstrip("/")
    try:
        parts = urlsplit(value)  # raises ValueError on a broken [IPv6] host
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = urlsplit("")
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise Invalid(
            "the issuer must be an https:// URL with a host, like https://login.example.com/tenant",
            field="issuer",
        )
    ip = ip_literal(host)
    loopback = host == "localhost" or (ip is not None and ip.is_loopback)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http" and loopback):
        raise Invalid("the issuer must be an https:// URL", field="issuer")
    reason = None if allow_private else refusal(host)
    if reason:
        raise Invalid(
            f"the issuer's host {reason}; an org's provider must be reachable on the internet",
            field="issuer",
        )
    return value


class _PublicOnlyBackend(SyncBackend):
    """Connects only to a public address the host resolves to at that moment."""

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        try:
            address = public_addresses(host, port)[0]
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return super().connect_tcp(address, port, *args, **kwargs)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport whose connections go through `_PublicOnlyBackend`
    (TLS still verifies the certificate against the host name)."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(retries=0)
        if not allow_private:
            self._pool = httpcore.ConnectionPool(
                ssl_context=httpx.create_ssl_context(),
                network_backend=_PublicOnlyBackend(),
            )


def client_kwargs(*, allow_private: bool) -> dict[str, Any]:
    """For every HTTP client that talks to the provider (token endpoint, JWKS)."""
    return {
        "timeout": TIMEOUT_SECONDS,
        "transport": GuardedTransport(allow_private=allow_private),
        "trust_env": False,  # an environment proxy would bypass the guarded transport
        "follow_redirects": False,
    }


_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def discovery(issuer: str, *, allow_private: bool) -> dict[str, Any]:
    """The provider's discovery document, kept CACHE_SECONDS per issuer."""
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(issuer)
    if cached is not None and cached[0] > now:
        return dict(cached[1])
    document = _fetch(f"{issuer}/.well-known/openid-configuration", allow_private)
    with _cache_lock:
        _cache[issuer] = (now + CACHE_SECONDS, document)
    return dict(document)


def forget(issuer: str) -> None:
    with _cache_lock:
        _cache.pop(issuer, None)


def _fetch(url: str, allow_private: bool) -> dict[str, Any]:
    unavailable = "the org's identity provider could not be reached; try again later"
    try:
        with httpx.Client(**client_kwargs(allow_private=allow_private)) as client:
            body = _read_limited(client, url, unavailable)
    except httpx.HTTPError as exc:
        raise SsoProviderUnavailable(f"{unavailable} ({type(exc).__name__})") from exc
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("issuer"), str):
        raise SsoProviderUnavailable(f"{unavailable} (its discovery document is not valid)")
    return document


def _read_limited(client: httpx.Client, url: str, unavailable: str) -> bytes:
    with client.stream("GET", url, headers={"accept": "application/json"}) as response:
        if response.status_code != 200:
            raise SsoProviderUnavailable(
                f"{unavailable} (discovery answered {response.status_code})"
            )
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_DISCOVERY_BYTES:
                raise SsoProviderUnavailable(f"{unavailable} (its discovery document is too large)")
    return body
