"""Reports as plain dicts (for JSON) and CSV: one shape for the API and the CLI.

The child view's serialisation is where the visibility rule is enforced for
output: pool figures appear only when the report carries them.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import orjson

from tenantree.licensing.history import PeriodUse
from tenantree.licensing.reports import (
    ChildReport,
    ChildUse,
    LicenseLine,
    ParentReport,
    Period,
    PoolFigures,
)


def _period(period: Period | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}


def _use(use: PeriodUse | None) -> dict[str, Any] | None:
    return None if use is None else {"peak": use.peak, "average": round(use.average, 3)}


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _expired(lines: list[LicenseLine]) -> int:
    return sum(1 for line in lines if line.expired)


def _figures(figures: PoolFigures) -> dict[str, Any]:
    # The dataclass's fields, in order (dataclasses.asdict, without its deep copy).
    return {
        "quantity": figures.quantity,
        "used": figures.used,
        "remaining": figures.remaining,
        "over_quantity": figures.over_quantity,
        "overage_allowed": figures.overage_allowed,
    }


def _licenses(lines: list[LicenseLine]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(line.id),
            "quantity": line.quantity,
            "starts_at": line.starts_at.isoformat(),
            "ends_at": line.ends_at.isoformat(),
            "status": line.status,
            "overage_policy": line.overage_policy,
            "in_term": line.in_term,
            "expired": line.expired,
        }
        for line in lines
    ]


def child_report_dict(report: ChildReport) -> dict[str, Any]:
    items = []
    for item in report.items:
        entry: dict[str, Any] = {
            "sku": item.sku,
            "unit": item.unit,
            "source": item.source.value,
            "used": item.used,
            "quota": item.quota,
            "quota_remaining": item.quota_remaining,
            "quota_runs_out_on": _day(item.quota_runs_out_on),
        }
        if item.pool is not None:
            entry["pool"] = {**_figures(item.pool), "runs_out_on": _day(item.pool_runs_out_on)}
            entry["licenses"] = _licenses(item.licenses)
        if report.period is not None:
            entry["period_use"] = _use(item.period) or {"peak": 0, "average": 0.0}
        items.append(entry)
    return {
        "view": "child",
        "org_id": str(report.org_id),
        "org_name": report.org_name,
        "license_source": report.license_source.value,
        "generated_at": report.generated_at.isoformat(),
        "period": _period(report.period),
        "items": items,
    }


def parent_report_dict(report: ParentReport) -> dict[str, Any]:
    with_period = report.period is not None
    return {
        "view": "parent",
        "org_id": str(report.org_id),
        "org_name": report.org_name,
        "deactivated": report.deactivated,
        "generated_at": report.generated_at.isoformat(),
        "period": _period(report.period),
        "pools": [
            {
                "sku": pool.sku,
                "unit": pool.unit,
                **_figures(pool.figures),
                "runs_out_on": _day(pool.runs_out_on),
                "draws_on_distributor": pool.draws_on_distributor,
                "distributor_quota": pool.distributor_quota,
                "licenses": _licenses(pool.licenses),
                "own_use": pool.own_use,
                **({"own_period_use": _use(pool.own_period)} if with_period else {}),
                "other_children_use": pool.other_children_use,
                "children": _children_use(pool.children, with_period),
            }
            for pool in report.pools
        ],
        "children": [
            {
                "org_id": child.org_id_text,
                "org_name": child.org_name,
                "license_source": child.license_source.value,
                "own_pools": [
                    {
                        "sku": pool.sku,
                        "unit": pool.unit,
                        **_figures(pool.figures),
                        "runs_out_on": _day(pool.runs_out_on),
                        "licenses": _licenses(pool.licenses),
                        **({"period_use": _use(pool.period)} if with_period else {}),
                    }
                    for pool in child.own_pools
                ],
            }
            for child in report.children
        ],
    }


def json_body(body: dict[str, Any]) -> bytes:
    """A report's JSON body, byte for byte what Starlette's JSONResponse
    writes (UTF-8, no spaces), encoded by orjson: json.dumps of a
    10,000-child parent report took ~60 ms, orjson ~4 (bench/ANALYSIS.md,
    round 6)."""
    return orjson.dumps(body)


def _children_use(children: list[ChildUse], with_period: bool) -> list[dict[str, Any]]:
    """A pool's children, one dict each, keys in the schema's order. A loop
    that adds the optional keys, not a dict spread per child: a big partner's
    pools list 20,000 of them (bench/ANALYSIS.md, rounds 6 and 12)."""
    out = []
    append = out.append
    for child in children:
        entry: dict[str, Any] = {
            "org_id": child.org_id_text,
            "org_name": child.org_name,
            "used": child.used,
            "quota": child.quota,
            "drawing_while_partner_deactivated": child.drawing_while_partner_deactivated,
        }
        if child.moved_out_at:
            entry["moved_out_at"] = child.moved_out_at.isoformat()
        if with_period:
            entry["period_use"] = _use(child.period)
        append(entry)
    return out


CHILD_COLUMNS = [
    "org_id",
    "org_name",
    "sku",
    "unit",
    "source",
    "used",
    "quota",
    "quota_remaining",
    "quantity",
    "remaining",
    "peak",
    "average",
    "quota_runs_out_on",
    "runs_out_on",
    "expired_licenses",
]
PARENT_COLUMNS = [
    "holder_org_id",
    "holder_org_name",
    "consumer_org_id",
    "consumer_org_name",
    "sku",
    "unit",
    "quantity",
    "pool_used",
    "remaining",
    "used",
    "quota",
    "peak",
    "average",
    "runs_out_on",
    "expired_licenses",
]


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return out.getvalue()


def child_report_csv(report: ChildReport) -> str:
    rows = []
    for item in report.items:
        rows.append(
            {
                "org_id": report.org_id,
                "org_name": report.org_name,
                "sku": item.sku,
                "unit": item.unit,
                "source": item.source.value,
                "used": item.used,
                "quota": item.quota,
                "quota_remaining": item.quota_remaining,
                "quantity": item.pool.quantity if item.pool else None,
                "remaining": item.pool.remaining if item.pool else None,
                "peak": item.period.peak if item.period else None,
                "average": round(item.period.average, 3) if item.period else None,
                "quota_runs_out_on": _day(item.quota_runs_out_on),
                "runs_out_on": _day(item.pool_runs_out_on) if item.pool else None,
                "expired_licenses": _expired(item.licenses) if item.pool else None,
            }
        )
    return _csv(CHILD_COLUMNS, rows)


def parent_report_csv(report: ParentReport) -> str:
    rows: list[dict[str, Any]] = []
    for pool in report.pools:
        base = {
            "holder_org_id": report.org_id,
            "holder_org_name": report.org_name,
            "sku": pool.sku,
            "unit": pool.unit,
            "quantity": pool.figures.quantity,
            "pool_used": pool.figures.used,
            "remaining": pool.figures.remaining,
            "runs_out_on": _day(pool.runs_out_on),
            "expired_licenses": _expired(pool.licenses),
        }
        rows.append(
            {
                **base,
                "consumer_org_id": report.org_id,
                "consumer_org_name": report.org_name,
                "used": pool.own_use,
                "peak": pool.own_period.peak if pool.own_period else None,
                "average": round(pool.own_period.average, 3) if pool.own_period else None,
            }
        )
        for child in pool.children:
            rows.append(
                {
                    **base,
                    "consumer_org_id": child.org_id,
                    "consumer_org_name": child.org_name,
                    "used": child.used,
                    "quota": child.quota,
                    "peak": child.period.peak if child.period else None,
                    "average": round(child.period.average, 3) if child.period else None,
                }
            )
        if pool.other_children_use:
            rows.append(
                {
                    **base,
                    "consumer_org_name": "(sub-orgs not visible to you)",
                    "used": pool.other_children_use,
                }
            )
    for child in report.children:
        for own in child.own_pools:
            rows.append(
                {
                    "holder_org_id": child.org_id,
                    "holder_org_name": child.org_name,
                    "consumer_org_id": child.org_id,
                    "consumer_org_name": child.org_name,
                    "sku": own.sku,
                    "unit": own.unit,
                    "quantity": own.figures.quantity,
                    "pool_used": own.figures.used,
                    "remaining": own.figures.remaining,
                    "used": own.figures.used,
                    "runs_out_on": _day(own.runs_out_on),
                    "expired_licenses": _expired(own.licenses),
                    "peak": own.period.peak if own.period else None,
                    "average": round(own.period.average, 3) if own.period else None,
                }
            )
    return _csv(PARENT_COLUMNS, rows)
