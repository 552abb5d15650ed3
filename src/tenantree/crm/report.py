"""A reconciliation's drifts as plain data and CSV (the API, the console and the CLI)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tenantree.crm.drift import Drift

COLUMNS = (
    "kind",
    "salesforce_id",
    "rows",
    "org_id",
    "org_name",
    "depth",
    "parent_chain",
    "account_name",
    "detail",
)
# How a parent chain reads in one cell: "Distributor D > Tier-2 R".
CHAIN_SEPARATOR = " > "


def drift_dict(drift: Drift) -> dict[str, Any]:
    return {
        "kind": drift.kind.value,
        "salesforce_id": drift.salesforce_id,
        "rows": list(drift.rows),
        "org_id": str(drift.org_id) if drift.org_id else None,
        "org_name": drift.org_name,
        "account_name": drift.account_name,
        "detail": drift.detail,
        "depth": drift.depth,
        "parent_chain": list(drift.parent_chain),
    }


def cell(record: dict[str, Any], column: str) -> str:
    # Reconciliations kept before drifts said where their org sits have no depth nor chain.
    value = record.get(column)
    if column == "rows":
        return " ".join(str(row) for row in value)
    if column == "parent_chain":
        return CHAIN_SEPARATOR.join(value or ())
    return "" if value is None else str(value)


def drifts_csv(records: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([cell(record, column) for column in COLUMNS])
    return buffer.getvalue()
