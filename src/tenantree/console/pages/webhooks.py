"""An org's webhook endpoints under its settings: register (the secret shown once),
send a test event, rotate the secret, enable or disable, remove; each
endpoint's delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from tenantree.access.permissions import Permission as P
from tenantree.console.deps import FormDep, OrgPage, form_list
from tenantree.console.forms import done, validated
from tenantree.console.listing import Cursor, Listing, Search, Word, direction, link_pages, sort_of
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.outbox.operations import state_of
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.webhooks import WebhookEndpointBody
from tenantree.web.services import WebhooksDep
from tenantree.webhooks import listing, service
from tenantree.webhooks.event_types import EventType

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)
Manage = OrgPage(P.ORG_WEBHOOKS_MANAGE)

DONE = {
    "tested": "Test event queued: follow it in the endpoint's deliveries.",
    "enabled": "Endpoint enabled.",
    "disabled": "Endpoint disabled.",
    "removed": "Endpoint removed.",
}


def _page(org_id: uuid.UUID) -> str:
    return f"/orgs/{org_id}/webhooks"


def _list(  # type: ignore[no-untyped-def]
    request: Request,
    target,
    notice: str | None = None,
    secret=None,
    order: Listing | None = None,
) -> Response:
    # After a change the list shows as it opens: oldest endpoint first.
    order = order or Listing(_page(target.org.id), {"q": ""}, "created")
    return render(
        request,
        target.session,
        "webhooks.html",
        title=f"Webhooks of {target.org.name}",
        endpoints=listing.listed_endpoints(
            target.session,
            target.org.id,
            q=order.params["q"] or None,
            sort=order.sort,
            descending=order.descending,
        ),
        listing=order,
        q=order.params["q"],
        event_types=[t.value for t in EventType],
        is_partner=target.org.is_partner,
        notice=notice,
        secret=secret,
    )


@router.get("/orgs/{org_id}/webhooks")
def webhooks_page(
    request: Request,
    target: Manage,
    done: str = "",
    q: Search = "",
    sort: Word = "created",
    dir: Word = "asc",  # noqa: A002 - the parameter's name
) -> Response:
    order = Listing(_page(target.org.id), {"q": q}, sort, direction(dir))
    return _list(request, target, DONE.get(done), order=order)


@router.post("/orgs/{org_id}/webhooks")
def register_endpoint(
    request: Request, target: Manage, config: WebhooksDep, form: FormDep
) -> Response:
    body = validated(
        WebhookEndpointBody,
        {
            "url": form.get("url", ""),
            "event_types": form_list(request, "event_types"),
            "description": form.get("description", ""),
            "include_sub_orgs": form.get("include_sub_orgs") == "on",
        },
    )
    made = service.create_endpoint(
        target.session,
        target.trail,
        target.org,
        config,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        include_sub_orgs=body.include_sub_orgs,
    )
    # Rendered, not redirected: the secret is shown this once.
    return _list(request, target, "Endpoint registered.", secret=made)


@router.get("/orgs/{org_id}/webhooks/{webhook_id}")
def deliveries_page(
    request: Request,
    webhook_id: uuid.UUID,
    target: Manage,
    cursor: Cursor = None,
    before: Cursor = None,
    status: Word = "",
    sort: Word = "time",
    dir: Word = "desc",  # noqa: A002 - the parameter's name
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Response:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    order = Listing(
        f"{_page(target.org.id)}/{endpoint.id}",
        {"status": status, "limit": str(limit)},
        sort_of(sort, listing.DELIVERY_SORTS, "time"),
        direction(dir),
    )
    page = listing.delivery_log(
        target.session,
        endpoint,
        limit=limit,
        cursor=cursor,
        before=before,
        state=status or None,
        descending=order.descending,
    )
    link_pages(order, page)
    return render(
        request,
        target.session,
        "webhook_deliveries.html",
        title=f"Deliveries to {endpoint.url}",
        endpoint=endpoint,
        deliveries=[(m, state_of(m)) for m in page.items],
        listing=order,
        status=status,
        states=listing.DELIVERY_STATES,
    )


@router.post("/orgs/{org_id}/webhooks/{webhook_id}/test")
def send_test(webhook_id: uuid.UUID, target: Manage) -> Response:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    service.send_test(target.session, target.trail, endpoint)
    return done(_page(target.org.id), "tested")


@router.post("/orgs/{org_id}/webhooks/{webhook_id}/rotate-secret")
def rotate_secret(
    request: Request, webhook_id: uuid.UUID, target: Manage, config: WebhooksDep
) -> Response:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    rotated = service.rotate_secret(target.session, target.trail, endpoint, config)
    return _list(request, target, "Secret rotated.", secret=rotated)


@router.post("/orgs/{org_id}/webhooks/{webhook_id}/enabled")
def set_enabled(
    webhook_id: uuid.UUID, target: Manage, config: WebhooksDep, form: FormDep
) -> Response:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    enabled = form.get("enabled") == "true"
    service.update_endpoint(
        target.session, target.trail, target.org, endpoint, config, enabled=enabled
    )
    return done(_page(target.org.id), "enabled" if enabled else "disabled")


@router.post("/orgs/{org_id}/webhooks/{webhook_id}/remove")
def remove(webhook_id: uuid.UUID, target: Manage) -> Response:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    service.delete_endpoint(target.session, target.trail, endpoint)
    return done(_page(target.org.id), "removed")
