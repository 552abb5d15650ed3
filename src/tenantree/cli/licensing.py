"""`tenantree licenses ...` and `tenantree report`: license work for operators.

Licenses come from the sales system; on the server an operator grants, changes
and ends them here. The commands are a thin layer over tenantree.licensing:
each opens one unit of work (cli/context.py), calls the services and commits
once. They act as the platform operator, so `report` on a sub-org shows the
pool figures a customer never sees (as the API does for an operator).

Orgs are named by id (UUID) or Salesforce account ID. Times are UTC days
(YYYY-MM-DD, midnight UTC) or RFC 3339 times with a zone; a license's term
ends exclusively at --ends.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tenantree import clock
from tenantree.cli.commands import licenses_remote
from tenantree.cli.connection import ApiUrlOpt, usage_error
from tenantree.cli.options import AsOperator
from tenantree.cli.tables import table as _table
from tenantree.licensing.policies import LicenseStatus, OveragePolicy

if TYPE_CHECKING:
    from tenantree.licensing.models import License
    from tenantree.orgs.models import Org

licenses_app = typer.Typer(
    help="Licenses held by orgs (from the sales system): grant, change, end, list. "
    "Acts as the platform operator.",
    no_args_is_help=True,
)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


# --- Parsing options ---------------------------------------------------------


def _validated(name: str) -> Any:
    """A Typer parser applying the API's rule for the same field (web.schemas.licensing's
    type `name`, imported when an option is parsed: it loads the models)."""

    def parse(value: str) -> Any:
        from pydantic import TypeAdapter, ValidationError

        from tenantree.web.schemas import licensing as schemas

        adapter: TypeAdapter[Any] = TypeAdapter(getattr(schemas, name))
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            raise typer.BadParameter(exc.errors()[0]["msg"]) from exc

    return parse


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
LicenseArg = Annotated[uuid.UUID, typer.Argument(metavar="LICENSE_ID", help="The license's id.")]
Starts = Annotated[
    datetime,
    typer.Option(
        "--starts",
        metavar="TIME",
        parser=_parse_time,
        help="Start of the term: YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SSZ.",
    ),
]
Ends = Annotated[
    datetime,
    typer.Option(
        "--ends",
        metavar="TIME",
        parser=_parse_time,
        help="End of the term, exclusive: YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SSZ.",
    ),
]
Overage = Annotated[
    OveragePolicy,
    typer.Option(
        "--overage",
        case_sensitive=False,
        help="Over the quantity: refuse (block) or allow and flag it in reports.",
    ),
]


# --- Output ------------------------------------------------------------------


def _license_dict(license_: License, now: datetime) -> dict[str, Any]:
    """The API's LicenseOut fields."""
    return {
        "id": str(license_.id),
        "org_id": str(license_.holder_org_id),
        "sku": license_.sku,
        "unit": license_.unit,
        "quantity": license_.quantity,
        "starts_at": license_.starts_at.isoformat(),
        "ends_at": license_.ends_at.isoformat(),
        "overage_policy": str(license_.overage_policy),
        "salesforce_contract_id": license_.salesforce_contract_id,
        "status": str(license_.status),
        "in_term": license_.in_term(now),
        "created_at": license_.created_at.isoformat(),
    }


def _facts(license_: License) -> dict[str, str]:
    return {
        "quantity": str(license_.quantity),
        "starts": license_.starts_at.isoformat(),
        "ends": license_.ends_at.isoformat(),
        "overage": str(license_.overage_policy),
        "status": str(license_.status),
    }


def _describe(license_: License, org: Org) -> str:
    return (
        f"{license_.quantity} {license_.unit} of {license_.sku} for {org.name} ({org.id}), "
        f"{license_.starts_at.isoformat()} to {license_.ends_at.isoformat()}, "
        f"overage {license_.overage_policy}, {license_.status}"
    )


LIST_COLUMNS = [
    ("id", "ID"),
    ("sku", "SKU"),
    ("unit", "UNIT"),
    ("quantity", "QUANTITY"),
    ("starts_at", "STARTS"),
    ("ends_at", "ENDS"),
    ("overage_policy", "OVERAGE"),
    ("status", "STATUS"),
    ("in_term", "IN TERM"),
    ("salesforce_contract_id", "CONTRACT"),
]


# --- Commands ----------------------------------------------------------------


def _remote(as_operator: str | None) -> None:
    """Remotely the token's account is the actor (as cli.connection.backend says)."""
    if as_operator:
        usage_error("--as-operator is for local mode; remotely the token's account is the actor")


@licenses_app.command("grant")
def grant(
    org: OrgOption,
    sku: Annotated[
        str,
        typer.Option(
            metavar="SKU", parser=_validated("Sku"), help="Product SKU, e.g. monitoring-pro."
        ),
    ],
    unit: Annotated[
        str,
        typer.Option(
            metavar="UNIT",
            parser=_validated("Unit"),
            help="What is counted, e.g. devices or users.",
        ),
    ],
    quantity: Annotated[
        int,
        typer.Option(
            metavar="N", parser=_validated("Units"), help="How many units the license grants."
        ),
    ],
    starts: Starts,
    ends: Ends,
    overage: Overage = OveragePolicy.BLOCK,
    contract: Annotated[
        str | None,
        typer.Option(
            "--contract", metavar="SALESFORCE_ID", help="The Salesforce contract or order ID."
        ),
    ] = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Grant ORG a license: QUANTITY UNIT of SKU from --starts until --ends."""
    from tenantree.cli.context import unit_of_work
    from tenantree.licensing import grants
    from tenantree.lifecycle.service import find_org

    if api_url:
        body = {
            "sku": sku,
            "unit": unit,
            "quantity": quantity,
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
            "overage_policy": overage.value,
            "salesforce_contract_id": contract,
        }
        _remote(as_operator)
        return licenses_remote.grant(api_url, org, body)
    with unit_of_work(as_operator=as_operator) as work:
        holder = find_org(work.session, org)
        license_ = grants.grant_license(
            work.session,
            work.trail,
            holder,
            sku=sku,
            unit=unit,
            quantity=quantity,
            starts_at=starts,
            ends_at=ends,
            overage_policy=overage,
            salesforce_contract_id=contract,
        )
    typer.echo(f"license {license_.id} granted: {_describe(license_, holder)}")


@licenses_app.command("change")
def change(
    license_id: LicenseArg,
    org: OrgOption,
    quantity: Annotated[
        int | None, typer.Option(metavar="N", parser=_validated("Units"), help="The new quantity.")
    ] = None,
    starts: Annotated[
        datetime | None,
        typer.Option("--starts", metavar="TIME", parser=_parse_time, help="The new start."),
    ] = None,
    ends: Annotated[
        datetime | None,
        typer.Option("--ends", metavar="TIME", parser=_parse_time, help="The new end (exclusive)."),
    ] = None,
    overage: Annotated[
        OveragePolicy | None,
        typer.Option("--overage", case_sensitive=False, help="The new overage policy."),
    ] = None,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Change a license of ORG: its quantity, term or overage policy.

    Lowering the quantity below current use is allowed (the contract changed);
    further consumption is refused until use drops.
    """
    from tenantree.cli.context import fail, unit_of_work
    from tenantree.licensing import grants
    from tenantree.lifecycle.service import find_org

    if quantity is None and starts is None and ends is None and overage is None:
        fail("nothing to change: give --quantity, --starts, --ends or --overage")
    if api_url:
        changes = {
            "quantity": quantity,
            "starts_at": starts.isoformat() if starts else None,
            "ends_at": ends.isoformat() if ends else None,
            "overage_policy": overage.value if overage else None,
        }
        _remote(as_operator)
        return licenses_remote.change(api_url, org, license_id, changes)
    with unit_of_work(as_operator=as_operator) as work:
        holder = find_org(work.session, org)
        before = _facts(grants.get_license(work.session, holder, license_id))
        license_ = grants.update_license(
            work.session,
            work.trail,
            holder,
            license_id,
            quantity=quantity,
            starts_at=starts,
            ends_at=ends,
            overage_policy=overage,
        )
        after = _facts(license_)
    changes = [f"{k} {before[k]} -> {after[k]}" for k in before if before[k] != after[k]]
    if changes:
        typer.echo(f"license {license_.id} changed: {'; '.join(changes)}")
    else:
        typer.echo(f"license {license_.id} unchanged: {_describe(license_, holder)}")


@licenses_app.command("end")
def end(
    license_id: LicenseArg,
    org: OrgOption,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """End a license of ORG now (status ended): it no longer counts toward the pool."""
    from tenantree.cli.context import unit_of_work
    from tenantree.licensing import grants
    from tenantree.lifecycle.service import find_org

    if api_url:
        _remote(as_operator)
        return licenses_remote.end(api_url, org, license_id)
    with unit_of_work(as_operator=as_operator) as work:
        holder = find_org(work.session, org)
        was = grants.get_license(work.session, holder, license_id).status
        license_ = grants.update_license(
            work.session, work.trail, holder, license_id, status=LicenseStatus.ENDED
        )
    if was == LicenseStatus.ENDED:
        typer.echo(f"license {license_.id} was already ended")
    else:
        typer.echo(f"license {license_.id} ended: {_describe(license_, holder)}")


@licenses_app.command("list")
def list_(
    org: OrgOption,
    fmt: Annotated[
        ListFormat,
        typer.Option("--format", case_sensitive=False, help="A table, or a JSON array."),
    ] = ListFormat.TABLE,
    api_url: ApiUrlOpt = None,
) -> None:
    """List the licenses ORG holds (not those it draws from its partner's pool)."""
    from tenantree.cli.context import unit_of_work
    from tenantree.licensing import grants
    from tenantree.lifecycle.service import find_org

    if api_url:
        return licenses_remote.list_(api_url, org, fmt == ListFormat.JSON, LIST_COLUMNS)
    with unit_of_work() as work:
        holder = find_org(work.session, org)
        now = clock.utcnow()
        rows = [_license_dict(lic, now) for lic in grants.list_licenses(work.session, holder)]
    if fmt == ListFormat.JSON:
        typer.echo(json.dumps(rows, indent=2))
    elif rows:
        typer.echo(_table(rows, LIST_COLUMNS))
    else:
        typer.echo(f"{holder.name} ({holder.id}) holds no licenses")


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
