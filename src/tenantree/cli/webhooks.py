"""`tenantree webhooks list|deliveries`: an org's endpoints and their delivery log,
read locally for the operator on the server."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

webhooks_app = typer.Typer(help="Webhooks: endpoints and their deliveries.", no_args_is_help=True)


@webhooks_app.command("list")
def list_(
    org: Annotated[
        str, typer.Argument(metavar="ORG", help="The org: its id (UUID) or Salesforce account ID.")
    ],
) -> None:
    """ORG's endpoints: id, state, event types, failures in a row, URL."""
    from tenantree.cli.context import unit_of_work
    from tenantree.lifecycle.service import find_org
    from tenantree.webhooks import service

    with unit_of_work() as work:
        target = find_org(work.session, org)
        for endpoint in service.endpoints_of(work.session, target.id):
            state = "enabled" if endpoint.enabled else "disabled"
            sub_orgs = " +sub-orgs" if endpoint.include_sub_orgs else ""
            typer.echo(
                f"{endpoint.id}  {state:8}  {','.join(endpoint.event_types)}{sub_orgs}  "
                f"failures={endpoint.consecutive_failures}  {endpoint.url}"
            )


@webhooks_app.command("deliveries")
def deliveries(
    endpoint_id: Annotated[uuid.UUID, typer.Argument(metavar="ENDPOINT", help="The endpoint's id")],
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """An endpoint's deliveries, newest first: id (webhook-id), state, attempts,
    last HTTP status, event type, last error."""
    from tenantree.cli.context import fail, unit_of_work
    from tenantree.outbox.operations import state_of
    from tenantree.webhooks import service
    from tenantree.webhooks.models import WebhookEndpoint

    with unit_of_work() as work:
        endpoint = work.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            fail(f"no webhook endpoint {endpoint_id}")
        page = service.deliveries(work.session, endpoint, limit=limit, cursor=None)
        for message in page.items:
            line = (
                f"{message.id}  {state_of(message):8}  attempts={message.attempts}  "
                f"http={message.last_response_code or '-'}  {message.payload.get('type')}"
            )
            if message.last_error:
                line += f"  error: {message.last_error}"
            typer.echo(line)
