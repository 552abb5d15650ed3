"""`tenantree crm reconcile`: compare a Salesforce Accounts export with the tree.

Runs on the server, as the platform operator, through the same service as
POST /api/v1/crm/reconciliations; the result is kept (listed by the API and
the console) unless --no-keep.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tenantree.cli.context import unit_of_work
from tenantree.cli.tables import table
from tenantree.crm import report, service

crm_app = typer.Typer(help="Keeping the tree and Salesforce in step.", no_args_is_help=True)


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@crm_app.command("reconcile")
def reconcile(
    export: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="CSV export of Salesforce Accounts"
        ),
    ],
    output: Annotated[Output, typer.Option("--output", "-o")] = Output.TABLE,
    keep: Annotated[bool, typer.Option(help="Keep the result for the API and console")] = True,
    as_operator: Annotated[
        str | None, typer.Option(metavar="EMAIL", help="Record this operator as its author")
    ] = None,
) -> None:
    """Report drift between EXPORT (a Salesforce report or Data Loader CSV) and the tree."""
    with unit_of_work(as_operator=as_operator) as work:
        record = service.run_reconciliation(
            work.session,
            export.read_bytes(),
            filename=export.name,
            created_by=work.trail.actor_id,
        )
        if not keep:
            work.session.delete(record)  # nothing to commit; the drifts are printed
        drifts = list(record.drifts)
        summary = {
            "id": str(record.id) if keep else None,
            "account_count": record.account_count,
            "org_count": record.org_count,
            "drift_count": record.drift_count,
        }
    if output is Output.JSON:
        typer.echo(json.dumps({**summary, "drifts": drifts}, indent=2))
    elif output is Output.CSV:
        typer.echo(report.drifts_csv(drifts), nl=False)
    else:
        rows = [{c: report.cell(d, c) for c in report.COLUMNS} for d in drifts]
        if rows:
            typer.echo(table(rows, [(c, c.upper().replace("_", " ")) for c in report.COLUMNS]))
        typer.echo(
            f"{summary['account_count']} accounts, {summary['org_count']} orgs: "
            f"{summary['drift_count']} drifts"
            + (f" (reconciliation {summary['id']})" if keep else "")
        )
