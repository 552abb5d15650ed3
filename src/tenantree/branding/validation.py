"""Checking and normalizing the fields of a draft brand, each error naming its field."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from tenantree.branding import colors, hostnames
from tenantree.branding.errors import InvalidBrand

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_NEWLINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

MAX_LENGTHS = {
    "product_name": 100,
    "email_from_name": 100,
    "sign_in_message": 1000,
    "support_url": 2000,
}


def _text(value: str, *, field: str, multiline: bool = False) -> str:
    if multiline:
        value = value.replace("\r\n", "\n").strip()
        bad = _CONTROL_BUT_NEWLINES.search(value)
    else:
        value = value.strip()
        bad = _CONTROL.search(value)
    if not value:
        raise InvalidBrand(f"{field} is blank; send null to inherit it", field=field)
    if bad:
        raise InvalidBrand(f"{field} must not contain control characters", field=field)
    if len(value) > MAX_LENGTHS[field]:
        raise InvalidBrand(f"{field} is longer than {MAX_LENGTHS[field]} characters", field=field)
    return value


def email_address(value: str, *, field: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidBrand(f"{field} is not a valid email address: {exc}", field=field) from exc


def support_url(value: str, *, field: str = "support_url") -> str:
    value = value.strip()
    if not value or re.search(r"[\s\x00-\x1f\x7f]", value):
        raise InvalidBrand(f"{field} must be a URL without spaces", field=field)
    if len(value) > MAX_LENGTHS[field]:
        raise InvalidBrand(f"{field} is longer than {MAX_LENGTHS[field]} characters", field=field)
    try:
        parts = urlsplit(value)  # raises ValueError on a broken [IPv6] host
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidBrand(f"{field} is not a valid URL: {exc}", field=field) from exc
    if not host:
        raise InvalidBrand(f"{field} must be an absolute URL such as https://...", field=field)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and host in LOCAL_HOSTS):
        raise InvalidBrand(
            f"{field} must use https (http is accepted only on localhost)", field=field
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidBrand(f"{field} must not contain a user name or password", field=field)
    return value


def draft_values(values: dict[str, Any], *, platform_hosts: frozenset[str]) -> dict[str, Any]:
    """The text fields of a draft, checked and normalized; None stays None (inherit)."""
    out: dict[str, Any] = {}
    for field, value in values.items():
        if value is None:
            out[field] = None
        elif field in ("product_name", "email_from_name"):
            out[field] = _text(value, field=field)
        elif field == "sign_in_message":
            out[field] = _text(value, field=field, multiline=True)
        elif field in ("primary_color", "accent_color"):
            color = colors.normalize_color(value, field=field)
            colors.check_contrast(color, field=field)
            out[field] = color
        elif field in ("support_email", "email_from_address"):
            out[field] = email_address(value, field=field)
        elif field == "support_url":
            out[field] = support_url(value)
        elif field == "custom_domain":
            out[field] = hostnames.custom_domain(value, platform_hosts=platform_hosts)
        else:
            raise InvalidBrand(f"{field} is not a brand field", field=field)
    return out
