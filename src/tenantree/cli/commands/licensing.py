"""`tenantree license-source …`, `tenantree quotas set`, `tenantree usage …`:
where a sub-org draws its licenses from, its quotas, and its use."""

from __future__ import annotations

from typing import Annotated

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend, usage_error
from tenantree.cli.options import AsOperator
from tenantree.cli.output import OutputOpt, collect, emit
from tenantree.cli.resolve import OrgArg
from tenantree.licensing.policies import LicenseSource

license_source_app = typer.Typer(help="A sub-org's license source.", no_args_is_help=True)
quotas_app = typer.Typer(help="A sub-org's quotas per SKU.", no_args_is_help=True)
usage_app = typer.Typer(help="An org's use of its licenses.", no_args_is_help=True)

SkuArg = Annotated[str, typer.Argument(metavar="SKU", help="The product SKU")]
USAGE_EVENT_COLUMNS = ["at", "sku", "units", "pool_used", "over_quantity", "actor_id"]


@license_source_app.command("show")
def show_source(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """Where the sub-org's licenses come from: its partner's pool or its own."""
    with backend(api_url) as b:
        emit(b.get_license_source(resolve.org_id(b, org)), ["source"], output)


@license_source_app.command("set")
def set_source(
    org: OrgArg,
    source: Annotated[LicenseSource, typer.Argument(help="parent_pool or own")],
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Switch the sub-org's source (operators); its use of the old pools is released."""
    with backend(api_url, as_operator=as_operator) as b:
        emit(b.set_license_source(resolve.org_id(b, org), source.value), ["source"], output)


@quotas_app.command("set")
def set_quota(
    org: OrgArg,
    sku: SkuArg,
    max_units: Annotated[
        int | None, typer.Argument(min=0, help="The most units it may use; leave out to remove")
    ] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Cap a sub-org's use of SKU from its partner's pool (no MAX_UNITS: no cap)."""
    with backend(api_url) as b:
        emit(b.set_quota(resolve.org_id(b, org), sku, max_units), ["sku", "max_units"], output)


@usage_app.command("report")
def report_usage(
    org: OrgArg,
    sku: SkuArg,
    set_to: Annotated[int | None, typer.Option("--set", min=0, help="Use is now N")] = None,
    add: Annotated[int | None, typer.Option(min=0, help="N more units in use")] = None,
    release: Annotated[int | None, typer.Option(min=0, help="N units no longer used")] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Set, add or release units of SKU (refused with what is left when the pool
    or a quota cannot cover it)."""
    ops = {"set": set_to, "add": add, "release": release}
    if sum(v is not None for v in ops.values()) != 1:
        usage_error("give exactly one of --set, --add or --release")
    with backend(api_url) as b:
        result = b.report_usage(resolve.org_id(b, org), {"sku": sku, **ops})
        emit(result, ["sku", "consumed", "over_quantity"], output)


@usage_app.command("events")
def usage_events(
    org: OrgArg,
    sku: Annotated[str | None, typer.Option(help="Only this SKU")] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Every change of the org's use, newest first."""
    with backend(api_url) as b:
        events = b.list_usage_events(resolve.org_id(b, org), sku=sku)
        emit(collect(events, "usage events"), USAGE_EVENT_COLUMNS, output)
