"""`tenantree licenses grant|change|end|list`: the licenses an org holds (from
the sales system), in both modes like every command (cli/backend.py).

Locally the CLI is the platform operator; remotely the token's account acts
and the API's policy decides (only operators grant, change and end). Times are
UTC days (YYYY-MM-DD, midnight UTC) or RFC 3339 times with a zone; a license's
term ends exclusively at --ends.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend, usage_error
from tenantree.cli.options import AsOperator
from tenantree.cli.output import OutputFormat, OutputOpt, collect, emit
from tenantree.licensing.policies import OveragePolicy

licenses_app = typer.Typer(
    help="Licenses held by orgs (from the sales system): grant, change, end (operators), list.",
    no_args_is_help=True,
)

LICENSE_COLUMNS = [
    "id",
    "sku",
    "unit",
    "quantity",
    "starts_at",
    "ends_at",
    "overage_policy",
    "status",
    "in_term",
    "salesforce_contract_id",
]


def _parse_time(value: str) -> datetime:
    """YYYY-MM-DD (midnight UTC) or an RFC 3339 time with a zone."""
    value = value.strip()
    try:
        if "T" not in value.upper() and " " not in value:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SSZ)"
        ) from exc
    if at.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no zone; write e.g. {value}Z for UTC")
    return at.astimezone(UTC)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


OrgOpt = Annotated[
    str,
    typer.Option(
        "--org",
        metavar="ORG",
        help="The org: its id, Salesforce account ID (15 or 18) or exact name.",
    ),
]
LicenseArg = Annotated[uuid.UUID, typer.Argument(metavar="LICENSE_ID", help="The license's id.")]
TimeHelp = "YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SSZ"
# `--format` was the list's option before `--output`; kept so scripts keep working.
LegacyFormat = Annotated[OutputFormat | None, typer.Option("--format", hidden=True)]


@licenses_app.command("grant")
def grant(
    org: OrgOpt,
    sku: Annotated[str, typer.Option(metavar="SKU", help="Product SKU, e.g. monitoring-pro.")],
    unit: Annotated[str, typer.Option(metavar="UNIT", help="What is counted: devices, users.")],
    quantity: Annotated[int, typer.Option(metavar="N", help="How many units it grants.")],
    starts: Annotated[
        datetime,
        typer.Option(metavar="TIME", parser=_parse_time, help=f"Start of the term: {TimeHelp}."),
    ],
    ends: Annotated[
        datetime,
        typer.Option(metavar="TIME", parser=_parse_time, help=f"End, exclusive: {TimeHelp}."),
    ],
    overage: Annotated[
        OveragePolicy,
        typer.Option(
            case_sensitive=False,
            help="Over the quantity: refuse (block) or allow and flag it in reports.",
        ),
    ] = OveragePolicy.BLOCK,
    contract: Annotated[
        str | None,
        typer.Option(metavar="SALESFORCE_ID", help="The Salesforce contract or order ID."),
    ] = None,
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Grant ORG a license (operators): N UNIT of SKU from --starts until --ends."""
    body: dict[str, Any] = {
        "sku": sku,
        "unit": unit,
        "quantity": quantity,
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "overage_policy": overage.value,
        "salesforce_contract_id": contract,
    }
    # Printed after the with block: only once the unit of work has committed.
    with backend(api_url, as_operator=as_operator) as b:
        granted = b.grant_license(resolve.org_id(b, org), body)
    emit(granted, LICENSE_COLUMNS, output)


@licenses_app.command("change")
def change(
    license_id: LicenseArg,
    org: OrgOpt,
    quantity: Annotated[int | None, typer.Option(metavar="N", help="The new quantity.")] = None,
    starts: Annotated[
        datetime | None,
        typer.Option(metavar="TIME", parser=_parse_time, help="The new start."),
    ] = None,
    ends: Annotated[
        datetime | None,
        typer.Option(metavar="TIME", parser=_parse_time, help="The new end (exclusive)."),
    ] = None,
    overage: Annotated[
        OveragePolicy | None,
        typer.Option(case_sensitive=False, help="The new overage policy."),
    ] = None,
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Change a license of ORG (operators): its quantity, term or overage policy.

    Lowering the quantity below current use is allowed (the contract changed);
    further consumption is refused until use drops.
    """
    if quantity is None and starts is None and ends is None and overage is None:
        usage_error("nothing to change: give --quantity, --starts, --ends or --overage")
    changes = {
        "quantity": quantity,
        "starts_at": _iso(starts),
        "ends_at": _iso(ends),
        "overage_policy": overage.value if overage else None,
    }
    with backend(api_url, as_operator=as_operator) as b:
        changed = b.update_license(resolve.org_id(b, org), license_id, changes)
    emit(changed, LICENSE_COLUMNS, output)


@licenses_app.command("end")
def end(
    license_id: LicenseArg,
    org: OrgOpt,
    output: OutputOpt = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """End a license of ORG now (operators): it no longer counts toward the pool.
    Ending an ended license changes nothing."""
    with backend(api_url, as_operator=as_operator) as b:
        ended = b.update_license(resolve.org_id(b, org), license_id, {"status": "ended"})
    emit(ended, LICENSE_COLUMNS, output)


@licenses_app.command("list")
def list_(
    org: OrgOpt,
    output: OutputOpt = None,
    legacy_format: LegacyFormat = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """List the licenses ORG holds (not those it draws from its partner's pool)."""
    with backend(api_url) as b:
        held = collect(b.list_licenses(resolve.org_id(b, org)), "licenses")
        emit(held, LICENSE_COLUMNS, output or legacy_format)
