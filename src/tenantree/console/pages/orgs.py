"""The org switcher, an org's overview, and a partner's sub-orgs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import RedirectResponse

from tenantree.access import org_listing
from tenantree.access.permissions import Permission as P
from tenantree.access.service import authorize
from tenantree.console.deps import OrgPage, ViewerDep
from tenantree.console.listing import direction, org_listing_page
from tenantree.console.render import render, shared_brand
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import DomainError
from tenantree.identity.profile import memberships_of
from tenantree.orgs.models import Org
from tenantree.pagination import MAX_LIMIT
from tenantree.web.routing import GatedRouter
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

PAGE_SIZE = 25
Search = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Word = Annotated[str, Query(max_length=20)]


def lands_on_the_only_org(
    request: Request, orgs: list[Org], next_cursor: str | None, is_operator: bool
) -> bool:
    """After signing in (`routing.LANDING`), someone who reaches one org only (a
    customer's staff) goes straight to it: a one-row list is a step for
    nothing. "Switch org" still shows the list; operators always get it."""
    landing = request.query_params.get("landing") == "1"
    return landing and len(orgs) == 1 and next_cursor is None and not is_operator


@router.get("/orgs")
def switcher(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    q: Search = None,
    cursor: Cursor = None,
    before: Cursor = None,
    limit: Limit = PAGE_SIZE,
    sort: Word = "name",
    dir: Word = "asc",  # noqa: A002 - the query parameter's name
) -> Response:
    # The same list service as GET /api/v1/orgs.
    page = org_listing.list_orgs(
        session,
        viewer.actor,
        q=q or None,
        parent_id=None,
        limit=limit,
        cursor=cursor,
        sort=sort,
        descending=direction(dir),
        before=before,
    )
    if lands_on_the_only_org(request, page.items, page.next_cursor, viewer.actor.is_operator):
        return RedirectResponse(f"/orgs/{page.items[0].id}", 303)
    entries = memberships_of(session, viewer.account.id)
    roles = {m.org_id: m for m, _ in entries}
    if not viewer.actor.is_operator:
        # The list wears the brand of the person's orgs when they all share one.
        brand = shared_brand(request, session, [org for _, org in entries])
        if brand is not None:
            request.state.brand = brand
    return render(
        request,
        session,
        "orgs.html",
        title="Your orgs",
        orgs=page.items,
        next_cursor=page.next_cursor,
        q=q or "",
        roles=roles,
        action="/orgs",
        limit=limit,
        listing=org_listing_page("/orgs", q, sort, dir, limit, page),
    )


@router.get("/orgs/{org_id}")
def overview(request: Request, target: OrgPage(P.ORG_VIEW), viewer: ViewerDep) -> Response:
    org = target.org
    parent = None
    if org.parent_id is not None:
        try:
            parent = authorize(target.session, viewer.actor, P.ORG_VIEW, org.parent_id).org
        except DomainError:
            parent = None  # the customer does not see its partner's org
    return render(request, target.session, "org.html", title=org.name, parent=parent)


@router.get("/orgs/{org_id}/sub-orgs")
def sub_orgs(
    request: Request,
    target: OrgPage(P.ORG_SUB_ORGS_READ),
    viewer: ViewerDep,
    q: Search = None,
    cursor: Cursor = None,
    before: Cursor = None,
    limit: Limit = PAGE_SIZE,
    sort: Word = "name",
    dir: Word = "asc",  # noqa: A002 - the query parameter's name
) -> Response:
    page = org_listing.list_sub_orgs(
        target.session,
        viewer.actor,
        target.org,
        q=q or None,
        limit=limit,
        cursor=cursor,
        sort=sort,
        descending=direction(dir),
        before=before,
    )
    action = f"/orgs/{target.org.id}/sub-orgs"
    return render(
        request,
        target.session,
        "orgs.html",
        title=f"Sub-orgs of {target.org.name}",
        orgs=page.items,
        next_cursor=page.next_cursor,
        q=q or "",
        roles={},
        action=action,
        limit=limit,
        listing=org_listing_page(action, q, sort, dir, limit, page),
    )
