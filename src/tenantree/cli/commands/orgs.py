"""`tenantree orgs …` and `tenantree sub-orgs …`: orgs, partner activation,
edition, name, status, moving a sub-org to another partner; an MSP's or
reseller's sub-orgs.

Deactivating a partner with active customers needs `--customers`: `suspend`
deactivates them with it (and `reactivate` brings exactly those back);
`keep_running` leaves them working and drawing on its pool, flagged in its
report and audit log (lifecycle.deactivation).
"""

from __future__ import annotations

from typing import Annotated

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.options import AsOperator
from tenantree.cli.output import OutputOpt, collect, emit
from tenantree.cli.resolve import OrgArg
from tenantree.orgs.kinds import Edition, OrgStatus, PartnerCustomers, PartnerType

orgs_app = typer.Typer(
    help="Orgs: list, show, create, change, activate partners.", no_args_is_help=True
)
sub_orgs_app = typer.Typer(help="A partner's sub-orgs: create and list.", no_args_is_help=True)

ORG_COLUMNS = ["id", "name", "kind", "partner_type", "edition", "salesforce_id", "status"]
MOVE_COLUMNS = [
    "from_partner_id",
    "to_partner_id",
    "license_source",
    "moved",
    "overage",
    "grants_ended",
    "moved_at",
]
SUB_ORG_COLUMNS = ["id", "name", "customer_name", "edition", "salesforce_id", "status"]

Search = Annotated[str | None, typer.Option("--search", "-q", help="Name contains (any case)")]
AdminEmail = Annotated[str, typer.Option("--admin-email", help="The primary admin to invite")]


@orgs_app.command("list")
def list_orgs(
    search: Search = None,
    parent: Annotated[str | None, typer.Option(help="Only this org's sub-orgs")] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """The orgs you reach (all of them for an operator), by name."""
    with backend(api_url) as b:
        parent_id = resolve.org_id(b, parent) if parent else None
        rows = collect(b.list_orgs(q=search, parent_id=parent_id), "orgs")
        emit(rows, ORG_COLUMNS, output)


@orgs_app.command("show")
def show(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """One org."""
    with backend(api_url) as b:
        emit(b.get_org(resolve.org_id(b, org)), ORG_COLUMNS, output)


@orgs_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The org's name")],
    salesforce_id: Annotated[str, typer.Option("--salesforce-id", help="Account ID, 15 or 18")],
    admin_email: AdminEmail,
    edition: Annotated[Edition, typer.Option(help="standard or pro")] = Edition.STANDARD,
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Create an org (operators) and invite its primary admin."""
    with backend(api_url, as_operator=as_operator) as b:
        created = b.create_org(
            name=name,
            salesforce_id=salesforce_id,
            edition=edition.value,
            primary_admin_email=admin_email,
        )
        emit(created, ORG_COLUMNS, output)


@orgs_app.command("rename")
def rename(
    org: OrgArg,
    name: Annotated[str, typer.Argument(help="The new name")],
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Rename an org (operators)."""
    with backend(api_url, as_operator=as_operator) as b:
        emit(b.update_org(resolve.org_id(b, org), {"name": name}), ORG_COLUMNS, output)


@orgs_app.command("edition")
def set_edition(
    org: OrgArg,
    edition: Annotated[Edition, typer.Argument(help="standard or pro")],
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Change an org's edition (operators)."""
    with backend(api_url, as_operator=as_operator) as b:
        changed = b.update_org(resolve.org_id(b, org), {"edition": edition.value})
        emit(changed, ORG_COLUMNS, output)


@orgs_app.command("activate-partner")
def activate_partner(
    org: OrgArg,
    partner_type: Annotated[
        PartnerType, typer.Argument(help="msp, reseller or distributor (top-level orgs only)")
    ],
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Make an org a partner (MSP, reseller or distributor), so it can have sub-orgs;
    a distributor's customer may become an MSP or reseller (tier 2) (operators)."""
    with backend(api_url, as_operator=as_operator) as b:
        emit(b.activate_partner(resolve.org_id(b, org), partner_type.value), ORG_COLUMNS, output)


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
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Deactivate ORG: everyone but operators is locked out of it."""
    changes = {"status": OrgStatus.DEACTIVATED.value, "customers": customers}
    with backend(api_url, as_operator=as_operator) as b:
        changed = b.update_org(resolve.org_id(b, org), changes)
        emit(changed, ORG_COLUMNS, output)


@orgs_app.command("reactivate")
def reactivate(
    org: OrgArg, as_operator: AsOperator = None, output: OutputOpt = None, api_url: ApiUrlOpt = None
) -> None:
    """Reactivate ORG (a partner: with the customers deactivated with it)."""
    with backend(api_url, as_operator=as_operator) as b:
        changed = b.update_org(resolve.org_id(b, org), {"status": OrgStatus.ACTIVE.value})
        emit(changed, ORG_COLUMNS, output)


@orgs_app.command("move")
def move(
    org: OrgArg,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="PARTNER",
            help="The MSP or reseller partner: id, Salesforce ID or name.",
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
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Move the sub-org ORG under another partner, its use and access with it (operators)."""
    with backend(api_url, as_operator=as_operator) as b:
        moved = b.move_sub_org(
            resolve.org_id(b, org), resolve.org_id(b, to), allow_overage=allow_overage
        )
        emit(moved, MOVE_COLUMNS, output)


@sub_orgs_app.command("create")
def create_sub_org(
    partner: Annotated[str, typer.Argument(metavar="PARTNER", help="The partner org")],
    name: Annotated[str, typer.Argument(help="The sub-org's name")],
    salesforce_id: Annotated[str, typer.Option("--salesforce-id", help="Account ID, 15 or 18")],
    customer_name: Annotated[str, typer.Option("--customer-name", help="The end customer")],
    admin_email: Annotated[
        str | None, typer.Option("--admin-email", help="Invite this primary admin")
    ] = None,
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Create a sub-org under a partner (operators)."""
    body = {
        "name": name,
        "salesforce_id": salesforce_id,
        "customer_name": customer_name,
        "primary_admin_email": admin_email,
    }
    with backend(api_url, as_operator=as_operator) as b:
        emit(b.create_sub_org(resolve.org_id(b, partner), body), SUB_ORG_COLUMNS, output)


@sub_orgs_app.command("list")
def list_sub_orgs(
    partner: Annotated[str, typer.Argument(metavar="PARTNER", help="The partner org")],
    search: Search = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """A partner's sub-orgs that you reach."""
    with backend(api_url) as b:
        rows = collect(b.list_sub_orgs(resolve.org_id(b, partner), q=search), "sub-orgs")
        emit(rows, SUB_ORG_COLUMNS, output)
