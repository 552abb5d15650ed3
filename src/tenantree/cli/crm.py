"""`tenantree crm reconcile`: compare a Salesforce Accounts export with the tree.

Locally on the server, as the platform operator, through the same service as
POST /api/v1/crm/reconciliations; remotely (`--api-url`, an operator's token)
by posting the CSV to that route. The result is kept (listed by the API and
the console) unless --no-keep (local mode only: the API keeps every one).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tenantree.cli.connection import ApiUrlOpt, backend, usage_error
from tenantree.cli.options import AsOperator
from tenantree.cli.tables import table
from tenantree.crm import report

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
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Report drift between EXPORT (a Salesforce report or Data Loader CSV) and the tree."""
    if api_url and not keep:
        usage_error("--no-keep is for local mode: the API keeps every reconciliation")
    with backend(api_url, as_operator=as_operator) as b:
        done = b.reconcile_crm(export.read_bytes(), filename=export.name, keep=keep)
    drifts = done["drifts"]
    summary = {k: done[k] for k in ("id", "account_count", "org_count", "drift_count")}
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
