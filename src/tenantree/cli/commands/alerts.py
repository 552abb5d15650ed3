"""`tenantree alerts ...`: sweep for due alerts, list and acknowledge an org's,
set thresholds.

`list` and `ack` run in both modes (on the server's database, or through the
API with the caller's token, whose policy decides: an alert is acknowledged by
the admins of the org it was raised to). `sweep` does once what each server's
background loop does every TENANTREE_ALERTS_SWEEP_SECONDS: run it from a
scheduler when that is 0. Any number may run at once: each crossing is raised
(and mailed) once.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tenantree.alerts.rules import AlertState
from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.output import OutputOpt, emit
from tenantree.cli.resolve import OrgArg

alerts_app = typer.Typer(
    help="License alerts: sweep, list, acknowledge, thresholds.", no_args_is_help=True
)

ALERT_COLUMNS = ["id", "raised_at", "kind", "sku", "threshold", "state", "figures"]

StateOpt = Annotated[
    AlertState,
    typer.Option(help="open: on the banner; acknowledged; or all (the default)"),
]


def _shown(alert: dict[str, Any]) -> dict[str, Any]:
    """The record with its state in one word and its figures in one cell."""
    state = (
        "acknowledged" if alert["acknowledged_at"] else "cleared" if alert["cleared_at"] else "open"
    )
    figures = " ".join(f"{k}={v}" for k, v in sorted(alert["figures"].items()))
    return {**alert, "state": state, "figures": figures}


@alerts_app.command("sweep")
def sweep() -> None:
    """Raise every alert now due (licenses ending, pools and quotas over a threshold)."""
    from tenantree.alerts.sweep import sweep as sweep_alerts
    from tenantree.cli.context import unit_of_work
    from tenantree.server.mail import make_outbox

    with unit_of_work() as work:
        result = sweep_alerts(work.session, make_outbox(work.settings))
    typer.echo(f"{len(result.raised)} alert(s) raised, {result.cleared} cleared")


@alerts_app.command("list")
def list_(
    org: OrgArg,
    state: StateOpt = AlertState.ALL,
    open_only: Annotated[bool, typer.Option("--open", help="Same as --state open")] = False,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """The org's alerts, newest first."""
    chosen = AlertState.OPEN if open_only else state
    with backend(api_url) as b:
        alerts = list(b.list_alerts(resolve.org_id(b, org), state=chosen.value))
    emit([_shown(a) for a in alerts], ALERT_COLUMNS, output)


@alerts_app.command("ack")
def ack(
    org: OrgArg,
    alert: Annotated[str, typer.Argument(metavar="ALERT_ID", help="The alert's id")],
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Acknowledge one of the org's alerts: off the console's banner, still listed."""
    with backend(api_url) as b:
        done = b.acknowledge_alert(resolve.org_id(b, org), resolve.uuid_arg(alert, "alert"))
    emit(_shown(done), ALERT_COLUMNS, output)


@alerts_app.command("thresholds")
def thresholds(
    org: OrgArg,
    percent: Annotated[
        list[int] | None, typer.Option("--percent", help="Set: repeat for each threshold")
    ] = None,
) -> None:
    """Show the org's use thresholds, or set them with --percent (repeated)."""
    from tenantree.alerts import service
    from tenantree.cli.context import unit_of_work
    from tenantree.lifecycle.service import find_org

    with unit_of_work() as work:
        target = find_org(work.session, org)
        if percent:
            found = service.set_thresholds(work.session, work.trail, target, percent)
        else:
            found = service.get_thresholds(work.session, target)
    default = " (default)" if found.is_default else ""
    typer.echo(" ".join(f"{p}%" for p in found.percents) + default)
