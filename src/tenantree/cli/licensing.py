"""`tenantree report`: an org's license usage report, for operators on the
server (the `licenses` commands are in cli/commands/licenses.py).

It acts as the platform operator, so the report on a sub-org shows the pool
figures a customer never sees (as the API does for an operator). Orgs are named
by id (UUID) or Salesforce account ID; days are UTC (YYYY-MM-DD).
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


# --- Parsing options ---------------------------------------------------------


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a day (YYYY-MM-DD)") from exc


OrgOption = Annotated[
    str,
    typer.Option(
        "--org", metavar="ORG", help="The org: its id (UUID) or its Salesforce account ID."
    ),
]


def report(
    org: OrgOption,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", case_sensitive=False, help="JSON or CSV.")
    ] = ReportFormat.JSON,
    first: Annotated[
        date | None,
        typer.Option(
            "--from",
            metavar="DAY",
            parser=_parse_day,
            help="First day of a period (UTC, inclusive); adds peak and average use.",
        ),
    ] = None,
    last: Annotated[
        date | None,
        typer.Option(
            "--to", metavar="DAY", parser=_parse_day, help="Last day of the period (inclusive)."
        ),
    ] = None,
) -> None:
    """Print ORG's license usage report to stdout.

    A sub-org gets the child view (with its source's pool figures: the CLI is the
    operator); a partner or standard org the parent view, with every sub-org.
    """
    from tenantree.alerts.reports import child_report_with_forecasts, parent_report_with_forecasts
    from tenantree.cli.context import unit_of_work
    from tenantree.licensing import export, reports
    from tenantree.lifecycle.service import find_org

    with unit_of_work() as work:
        target = find_org(work.session, org)
        period = reports.period_between(first, last)
        if target.is_customer:
            child = child_report_with_forecasts(
                work.session, target, sees_pool_figures=True, period=period
            )
            text = (
                export.child_report_csv(child)
                if fmt == ReportFormat.CSV
                else json.dumps(export.child_report_dict(child), indent=2) + "\n"
            )
        else:
            parent = parent_report_with_forecasts(work.session, target, period=period)
            text = (
                export.parent_report_csv(parent)
                if fmt == ReportFormat.CSV
                else json.dumps(export.parent_report_dict(parent), indent=2) + "\n"
            )
    typer.echo(text, nl=False)
