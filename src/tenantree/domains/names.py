"""What a claimable email domain is: plain rules, no database.

Stored like custom domains (`branding.hostnames`): ASCII (IDNA 2008, UTS 46),
lower case, no trailing dot. Refused: malformed names, bare top-level domains
and the common second-level public suffixes (co.uk, com.au, ...) that no one
org owns, and the platform's own domain.
"""

from __future__ import annotations

import idna

from tenantree.branding.errors import InvalidBrand
from tenantree.branding.hostnames import to_ascii
from tenantree.domains.errors import InvalidDomain

# Registries' second levels under a two-letter country code (co.uk, com.au, ac.jp).
_REGISTRY_LABELS = frozenset(
    {"ac", "co", "com", "edu", "go", "gob", "gov", "govt", "gv", "lg", "ltd", "me", "mil"}
    | {"ne", "net", "nhs", "nic", "nom", "or", "org", "plc", "sch", "school"}
)
# Suffixes under which anyone may register a name: the bare suffix is nobody's.
_SHARED_SUFFIXES = frozenset(
    {"appspot.com", "azurewebsites.net", "blogspot.com", "cloudfront.net", "github.io"}
    | {"herokuapp.com", "netlify.app", "pages.dev", "vercel.app", "workers.dev"}
)


def is_public_suffix_like(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) < 2:
        return True
    if domain in _SHARED_SUFFIXES:
        return True
    tld = labels[-1]
    return len(labels) == 2 and len(tld) == 2 and labels[0] in _REGISTRY_LABELS


def normalize_domain(
    raw: str, *, reserved: frozenset[str] = frozenset(), field: str = "domain"
) -> str:
    """The stored form of a claimable domain, or InvalidDomain naming the field and rule.

    `reserved`: the platform's own domains; neither they nor names under them."""
    value = raw.strip().lstrip("@")
    try:
        domain = to_ascii(value, field=field, min_labels=1)
    except InvalidBrand as exc:
        raise InvalidDomain(exc.message, field=field) from exc
    if is_public_suffix_like(domain):
        raise InvalidDomain(
            f"{field} {domain} is a public suffix no single organization owns; "
            "give your organization's own domain, like example.com",
            field=field,
        )
    if any(domain == own or domain.endswith("." + own) for own in reserved):
        raise InvalidDomain(f"{field} {domain} is the platform's own domain", field=field)
    return domain


def email_domain(email: str) -> str | None:
    """The stored form of an email address's domain, or None if it has none."""
    local, at, domain = email.strip().rpartition("@")
    domain = domain.strip().rstrip(".")
    if not (local and at and domain):
        return None
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        return None
