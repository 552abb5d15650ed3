"""`tenantree orgs deactivate|reactivate|move`: an org's status and partner, for operators.

Deactivating a partner with active customers needs `--customers`: `suspend`
deactivates them with it (and `reactivate` brings exactly those back);
`keep_running` leaves them working and drawing on its pool, flagged in its
report and audit log (lifecycle.deactivation).

`move` puts a sub-org under another partner (lifecycle.moves): its use moves
from the old partner's pools to the new one's, refused naming the shortfall
per SKU unless `--allow-overage`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tenantree.cli.context import unit_of_work
from tenantree.cli.licensing import AsOperator
from tenantree.lifecycle.moves import move_sub_org
from tenantree.lifecycle.service import find_org, update_org
from tenantree.orgs.kinds import OrgStatus, PartnerCustomers

orgs_app = typer.Typer(
    help="Orgs: deactivate, reactivate, move to another partner.", no_args_is_help=True
)

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


@orgs_app.command("move")
def move(
    org: OrgArg,
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="PARTNER", help="The MSP or reseller partner: its id or Salesforce ID."
        ),
    ],
    allow_overage: Annotated[
        bool,
        typer.Option(
            "--allow-overage",
            help="Move even where the new partner's pool lacks room (the shortfall is overage).",
        ),
    ] = False,
    as_operator: AsOperator = None,
) -> None:
    """Move the sub-org ORG under another partner, its use and access with it."""
    with unit_of_work(as_operator=as_operator) as work:
        sub_org = find_org(work.session, org)
        partner = find_org(work.session, to)
        result = move_sub_org(
            work.session, work.trail, sub_org, partner, allow_overage=allow_overage
        )
        plan = result.plan
    typer.echo(f"{plan.org_name} moved from {plan.from_partner_name} to {plan.to_partner_name}")
    for sku, units in plan.moving.items():
        over = plan.shortfall.get(sku)
        typer.echo(
            f"  {sku}: {units} units moved" + (f" ({over} over the new pool)" if over else "")
        )
    for email in plan.grants_ending:
        typer.echo(f"  access ended: {email}")
