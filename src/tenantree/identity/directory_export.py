"""An org's directory as CSV: one row an entry, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from tenantree.identity.models import Membership

COLUMNS = ["email", "name", "role", "status", "primary_admin", "since"]
# A cell a spreadsheet would run as a formula starts with one of these.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Names are typed by people: one starting like a formula is kept as text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def users_csv(entries: Iterable[Membership]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                spreadsheet_safe(entry.account.email),
                spreadsheet_safe(entry.account.display_name),
                entry.role,
                entry.status,
                "yes" if entry.is_primary_admin else "no",
                entry.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ]
        )
    return out.getvalue()
