"""Salesforce account IDs.

Salesforce record IDs come in a 15-character case-sensitive form and an
18-character form whose last three characters encode the case of the first
fifteen (a checksum that lets case-insensitive systems carry them). We accept
both, verify the suffix of the long form, and store the 18-character form.
Account records carry the key prefix ``001``.
"""

from __future__ import annotations

import re

from tenantree.errors import Invalid

_ID_CHARS = re.compile(r"^[A-Za-z0-9]+$")
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
ACCOUNT_KEY_PREFIX = "001"


class InvalidSalesforceId(Invalid):
    code = "invalid_salesforce_id"


def checksum_suffix(id15: str) -> str:
    """The three characters Salesforce appends to a 15-character ID."""
    suffix = []
    for chunk_start in range(0, 15, 5):
        bits = 0
        for position, char in enumerate(id15[chunk_start : chunk_start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def normalize_account_id(raw: str, *, field: str = "salesforce_id") -> str:
    """Return the 18-character form of a Salesforce account ID, or raise 422."""
    return normalize_record_id(raw, field=field, key_prefix=ACCOUNT_KEY_PREFIX)


def normalize_record_id(raw: str, *, field: str, key_prefix: str | None = None) -> str:
    """Return the 18-character form of any Salesforce record ID, or raise 422."""
    noun = "a Salesforce account ID" if key_prefix == ACCOUNT_KEY_PREFIX else "a Salesforce ID"
    value = raw.strip() if isinstance(raw, str) else raw
    if not isinstance(value, str) or len(value) not in (15, 18):
        raise InvalidSalesforceId(f"{noun} has 15 or 18 characters", field=field)
    if not _ID_CHARS.match(value):
        raise InvalidSalesforceId(
            f"{noun} has only the letters A-Z, a-z and the digits 0-9", field=field
        )
    if key_prefix is not None and not value.startswith(key_prefix):
        raise InvalidSalesforceId(
            f"a Salesforce account ID starts with {key_prefix!r} "
            "(the key prefix of Account records)",
            field=field,
        )
    id15 = value[:15]
    expected = checksum_suffix(id15)
    if len(value) == 18 and value[15:].upper() != expected:
        raise InvalidSalesforceId(
            "the last three characters of an 18-character Salesforce ID must be the "
            f"checksum of the first fifteen (expected {expected!r})",
            field=field,
        )
    return id15 + expected
