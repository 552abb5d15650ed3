"""Hostnames: custom domains (public DNS names only) and SMTP relay hosts.

Stored in their ASCII form (IDNA 2008 with UTS 46 mapping), lower case, with
no trailing dot, so "Portal.Exämple.com." and "portal.xn--exmple-cua.com"
are one hostname.
"""

from __future__ import annotations

import ipaddress
import re

import idna

from tenantree.branding.errors import InvalidBrand
from tenantree.netguard import is_local_name, refusal

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


def to_ascii(raw: str, *, field: str, min_labels: int = 2) -> str:
    """A hostname in its stored form; InvalidBrand naming the field if it is not one."""
    value = raw.strip()
    if not value:
        raise InvalidBrand(f"{field} is blank", field=field)
    if "://" in value or value.startswith("//"):
        raise InvalidBrand(
            f"{field} is a hostname only, without a scheme: e.g. portal.example.com",
            field=field,
        )
    if any(c in value for c in "/?#\\"):
        raise InvalidBrand(f"{field} is a hostname only, without a path", field=field)
    if "@" in value:
        raise InvalidBrand(f"{field} is a hostname only, without a user name", field=field)
    if _ip(value) is not None:
        raise InvalidBrand(f"{field} must be a DNS name, not an IP address", field=field)
    if ":" in value:
        raise InvalidBrand(f"{field} is a hostname only, without a port", field=field)
    if value.endswith("."):
        value = value[:-1]
    try:
        ascii_name = idna.encode(value, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidBrand(f"{field} is not a valid hostname: {exc}", field=field) from exc
    labels = ascii_name.split(".")
    if len(ascii_name) > 253:
        raise InvalidBrand(f"{field} is longer than 253 characters", field=field)
    bad = [label for label in labels if not _LABEL.match(label)]
    if bad:
        raise InvalidBrand(
            f"{field} has an invalid label {bad[0]!r}: letters, digits and inner hyphens only",
            field=field,
        )
    if len(labels) < min_labels:
        raise InvalidBrand(
            f"{field} must be a fully qualified name such as portal.example.com", field=field
        )
    if labels[-1].isdigit():
        raise InvalidBrand(f"{field} must be a DNS name, not an IP address", field=field)
    return ascii_name


def custom_domain(raw: str, *, platform_hosts: frozenset[str], field: str = "custom_domain") -> str:
    name = to_ascii(raw, field=field)
    for platform_host in platform_hosts:
        if name == platform_host or name.endswith("." + platform_host):
            raise InvalidBrand(
                f"{field} {name} is the platform's own host (or under it); "
                "use a domain your organization controls",
                field=field,
            )
    return name


def relay_host(raw: str, *, allow_private: bool, field: str = "host") -> str:
    """An SMTP relay host: a public IP or hostname (private ones only when allowed)."""
    value = raw.strip()
    address = _ip(value)
    if address is not None:
        if not allow_private and refusal(str(address)):
            raise InvalidBrand(
                f"{field} {address} is a private, loopback or reserved address; "
                "an org's relay must be reachable on the internet",
                field=field,
            )
        return str(address)
    name = to_ascii(value, field=field, min_labels=1)
    if not allow_private and is_local_name(name):
        raise InvalidBrand(
            f"{field} {name} is a local name; an org's relay must be reachable on the internet",
            field=field,
        )
    return name


def host_of_request(raw: str) -> str | None:
    """The hostname in a Host header or ?host= (port dropped), or None if it is not one."""
    value = raw.strip()
    if value.startswith("["):  # [v6]:port
        return None
    value = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    try:
        return to_ascii(value, field="host")
    except InvalidBrand:
        return None
