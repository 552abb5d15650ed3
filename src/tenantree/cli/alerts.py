"""`tenantree alerts ...`: sweep for due alerts, list an org's, set thresholds.

`sweep` does once what each server's background loop does every
TENANTREE_ALERTS_SWEEP_SECONDS: run it from a scheduler when that is 0. Any
number may run at once: each crossing is raised (and mailed) once.
"""

from __future__ import annotations

from typing import Annotated

import typer

alerts_app = typer.Typer(help="License alerts: sweep, list, thresholds.", no_args_is_help=True)

OrgArg = Annotated[str, typer.Argument(help="The org's id or Salesforce account ID")]


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
    open_only: Annotated[bool, typer.Option("--open", help="Only those still open")] = False,
) -> None:
    """The org's alerts, newest first."""
    from tenantree.alerts import service
    from tenantree.cli.context import unit_of_work
    from tenantree.lifecycle.service import find_org

    with unit_of_work() as work:
        target = find_org(work.session, org)
        for alert in service.list_alerts(work.session, target, open_only=open_only):
            state = "cleared" if alert.cleared_at else "open"
            figures = " ".join(f"{k}={v}" for k, v in sorted(alert.figures.items()))
            typer.echo(
                f"{alert.raised_at:%Y-%m-%dT%H:%M:%SZ}  {alert.kind:9}  {alert.sku}  "
                f"threshold={alert.threshold}  {state}  {figures}"
            )


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
