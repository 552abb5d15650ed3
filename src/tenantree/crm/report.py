"""A reconciliation's drifts as plain data and CSV (the API, the console and the CLI)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tenantree.crm.drift import Drift

COLUMNS = ("kind", "salesforce_id", "rows", "org_id", "org_name", "account_name", "detail")


def drift_dict(drift: Drift) -> dict[str, Any]:
    return {
        "kind": drift.kind.value,
        "salesforce_id": drift.salesforce_id,
        "rows": list(drift.rows),
        "org_id": str(drift.org_id) if drift.org_id else None,
        "org_name": drift.org_name,
        "account_name": drift.account_name,
        "detail": drift.detail,
    }


def cell(record: dict[str, Any], column: str) -> str:
    value = record[column]
    if column == "rows":
        return " ".join(str(row) for row in value)
    return "" if value is None else str(value)


def drifts_csv(records: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([cell(record, column) for column in COLUMNS])
    return buffer.getvalue()
