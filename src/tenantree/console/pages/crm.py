"""Operator pages: reconcile the tree with a Salesforce Accounts export, read past results.

The export is posted by the page's script as the request body (text/csv, the
CSRF token in a header), as logo uploads are; the API's service does the rest.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tenantree.access.permissions import Permission as P
from tenantree.access.service import require_platform
from tenantree.console.deps import Viewer, ViewerDep
from tenantree.console.listing import Cursor, Listing, Word, direction, link_pages, sort_of
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.crm import service
from tenantree.crm.drift import DriftKind
from tenantree.web.routing import GatedRouter
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)


def crm_viewer(viewer: ViewerDep) -> Viewer:
    require_platform(viewer.actor, P.PLATFORM_CRM_RECONCILE)
    return viewer


CrmViewer = Annotated[Viewer, Depends(crm_viewer)]


@router.get("/operator/crm")
def reconciliations(
    request: Request,
    session: SessionDep,
    _: CrmViewer,
    cursor: Cursor = None,
    before: Cursor = None,
    sort: Word = "time",
    dir: Word = "desc",  # noqa: A002 - the parameter's name
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> Response:
    listing = Listing(
        "/operator/crm", {"limit": str(limit)}, sort_of(sort, ("time",), "time"), direction(dir)
    )
    page = service.list_reconciliations(
        session, limit=limit, cursor=cursor, before=before, descending=listing.descending
    )
    link_pages(listing, page)
    return render(
        request,
        session,
        "crm.html",
        title="Operator: Salesforce reconciliation",
        reconciliations=page.items,
        listing=listing,
        kinds=list(DriftKind),
    )


@router.post("/operator/crm/reconciliations")
async def reconcile(
    request: Request,
    session: SessionDep,
    viewer: CrmViewer,
    filename: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f]*$")] = None,
) -> Response:
    data = await request.body()
    record = await run_in_threadpool(
        service.run_reconciliation,
        session,
        data,
        filename=filename,
        created_by=viewer.actor.account_id,
    )
    return RedirectResponse(f"/operator/crm/reconciliations/{record.id}", status_code=303)


@router.get("/operator/crm/reconciliations/{reconciliation_id}")
def reconciliation(
    request: Request, session: SessionDep, _: CrmViewer, reconciliation_id: uuid.UUID
) -> Response:
    record = service.get_reconciliation(session, reconciliation_id)
    return render(
        request,
        session,
        "crm_result.html",
        title="Salesforce reconciliation",
        record=record,
    )
