"""`tenantree audit search`: audit events of an org (or, for operators, all)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.output import OutputOpt, collect, emit

audit_app = typer.Typer(help="Audit events: search.", no_args_is_help=True)

EVENT_COLUMNS = ["at", "action", "actor_id", "org_id", "target_type", "target_id"]


@audit_app.command("search")
def search(
    org: Annotated[
        str | None, typer.Option(help="Only this org's events (operators may leave it out)")
    ] = None,
    action: Annotated[str | None, typer.Option(help="e.g. user.updated")] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--from", parser=resolve.zoned_time, help="Inclusive, RFC 3339 with a zone"),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--to", parser=resolve.zoned_time, help="Exclusive, RFC 3339 with a zone"),
    ] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Audit events, newest first."""
    with backend(api_url) as b:
        org_id = resolve.org_id(b, org) if org else None
        events = b.list_audit_events(org_id, action=action, since=since, until=until)
        emit(collect(events, "events"), EVENT_COLUMNS, output)
