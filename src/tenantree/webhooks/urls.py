"""Where an endpoint may point: https to a public host. Plain.

Checked when saved (IP literals and local names, with `netguard`) and again at
connect time against the addresses the name resolves to (`webhooks.http`), so
a name that later resolves inside the network is caught too.
TENANTREE_WEBHOOKS_ALLOW_PRIVATE_HOSTS lifts both, and allows plain http, for
receivers on the operator's own network and for tests.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tenantree.errors import Invalid
from tenantree.netguard import refusal

MAX_URL_LENGTH = 2000


def check_url(raw: str, *, allow_private: bool) -> str:
    """The URL as stored; Invalid naming `url` if an endpoint may not use it."""
    value = raw.strip()
    if len(value) > MAX_URL_LENGTH:
        raise Invalid(f"the url must be at most {MAX_URL_LENGTH} characters", field="url")
    try:
        parts = urlsplit(value)  # raises ValueError on a broken [IPv6] host
        port = parts.port
    except ValueError:
        parts, port = urlsplit(""), -1
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.fragment or port == -1:
        raise Invalid(
            "the url must be an https:// URL with a host, like https://hooks.example.com/in",
            field="url",
        )
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise Invalid("the url must be an https:// URL", field="url")
    reason = None if allow_private else refusal(host)
    if reason:
        raise Invalid(
            f"the url's host {reason}; a webhook endpoint must be reachable on the internet",
            field="url",
        )
    return value
