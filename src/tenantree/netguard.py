"""Where an org's settings may make the server connect: public addresses only.

An org admin names hosts the server then connects to (its SMTP relay, its SSO
issuer). Unless the operator allows private hosts, a name must not point the
server inside its own network: a host is checked when it is saved (IP literals
and local names) and again at connect time against the addresses it resolves
to, so a name that resolves elsewhere later (DNS rebinding) is caught too.
"""

from __future__ import annotations

import ipaddress
import socket

LOCAL_NAMES = frozenset({"localhost"})


class NotPublic(OSError):
    """The host has no public address to connect to."""


def ip_literal(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


def is_public_ip(address: str) -> bool:
    ip = ip_literal(address)
    return ip is not None and ip.is_global


def is_local_name(name: str) -> bool:
    """localhost, *.localhost, or a single label (resolved by the local search path)."""
    name = name.rstrip(".").lower()
    return name in LOCAL_NAMES or name.endswith(".localhost") or "." not in name


def refusal(host: str) -> str | None:
    """Why the host (a name or an IP literal) is not a public one, or None if it may be."""
    ip = ip_literal(host)
    if ip is not None:
        return None if ip.is_global else f"{ip} is a private, loopback or reserved address"
    if is_local_name(host):
        return f"{host} is a local name"
    return None


def public_addresses(host: str, port: int) -> list[str]:
    """The public addresses the host resolves to now; NotPublic if it has none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    public = [a for a in addresses if is_public_ip(a)]
    if not public:
        raise NotPublic(f"{host} has no public address ({', '.join(addresses) or 'none'})")
    return public
