"""`tenantree orgs deactivate|reactivate`: an org's status, for operators.

Deactivating a partner with active customers needs `--customers`: `suspend`
deactivates them with it (and `reactivate` brings exactly those back);
`keep_running` leaves them working and drawing on its pool, flagged in its
report and audit log (lifecycle.deactivation).
"""

from __future__ import annotations

from typing import Annotated

import typer

from tenantree.cli.context import unit_of_work
from tenantree.cli.licensing import AsOperator
from tenantree.lifecycle.service import find_org, update_org
from tenantree.orgs.kinds import OrgStatus, PartnerCustomers

orgs_app = typer.Typer(help="Orgs: deactivate and reactivate.", no_args_is_help=True)

OrgArg = Annotated[
    str, typer.Argument(metavar="ORG", help="The org: its id (UUID) or Salesforce account ID.")
]


@orgs_app.command("deactivate")
def deactivate(
    org: OrgArg,
    customers: Annotated[
        PartnerCustomers | None,
        typer.Option(
            "--customers",
            help="A partner's active customers: suspend them too, or keep them running "
            "(drawing on its pool, flagged). Required for a partner with active customers.",
        ),
    ] = None,
    as_operator: AsOperator = None,
) -> None:
    """Deactivate ORG: everyone but operators is locked out of it."""
    with unit_of_work(as_operator=as_operator) as work:
        target = find_org(work.session, org)
        update_org(
            work.session, work.trail, target, status=OrgStatus.DEACTIVATED, customers=customers
        )
        name = target.name
    suffix = f"; its customers: {customers.value}" if customers else ""
    typer.echo(f"{name} deactivated{suffix}")


@orgs_app.command("reactivate")
def reactivate(org: OrgArg, as_operator: AsOperator = None) -> None:
    """Reactivate ORG (a partner: with the customers deactivated with it)."""
    with unit_of_work(as_operator=as_operator) as work:
        target = find_org(work.session, org)
        update_org(work.session, work.trail, target, status=OrgStatus.ACTIVE)
        name = target.name
    typer.echo(f"{name} reactivated")
