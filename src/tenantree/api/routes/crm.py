"""Reconciling the tree with Salesforce: operators upload an Accounts export."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import PlatformWith, SessionDep, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.common import ErrorResponse, ListResponse
from tenantree.api.schemas.crm import ReconciliationOut, ReconciliationSummaryOut
from tenantree.crm import service
from tenantree.errors import DomainError
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/crm",
    tags=["crm"],
    responses=ERROR_RESPONSES,
)

CrmOperator = PlatformWith(P.PLATFORM_CRM_RECONCILE)


class NotCsv(DomainError):
    status = 415
    code = "unsupported_media_type"


async def _csv_body(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        raise NotCsv("send the export as the request body with Content-Type: text/csv")
    return await request.body()  # bounded by the app's body limit


_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/reconciliations",
    status_code=201,
    response_model=ReconciliationOut,
    operation_id="create_crm_reconciliation",
    description=(
        "The body is a CSV export of Salesforce Accounts (a report's or Data Loader's: "
        "Account ID or Id, Account Name or Name, Parent Account ID or ParentId, Type, "
        "optionally IsPartner). The whole tree is compared with it and the result kept. "
        "A bad file is a 422 whose message (and `row`, `column`) names the cell."
    ),
    openapi_extra=_UPLOAD_DOC,
    responses={415: {"model": ErrorResponse, "description": "Not sent as text/csv"}},
)
def create_reconciliation(
    caller: CrmOperator,
    session: SessionDep,
    data: Annotated[bytes, Depends(_csv_body)],
    filename: Annotated[
        str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f]*$", description="For the list")
    ] = None,
) -> ReconciliationOut:
    record = service.run_reconciliation(
        session, data, filename=filename, created_by=caller.actor.account_id
    )
    return ReconciliationOut.model_validate(record, from_attributes=True)


@router.get(
    "/reconciliations",
    response_model=ListResponse[ReconciliationSummaryOut],
    operation_id="list_crm_reconciliations",
    description="Kept reconciliations, newest first (without their drifts).",
)
def list_reconciliations(
    _: CrmOperator, session: SessionDep, limit: Limit = None, cursor: Cursor = None
) -> ListResponse[ReconciliationSummaryOut]:
    page = service.list_reconciliations(session, limit=limit, cursor=cursor)
    return ListResponse(
        items=[ReconciliationSummaryOut.model_validate(r) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/reconciliations/{reconciliation_id}",
    response_model=ReconciliationOut,
    operation_id="get_crm_reconciliation",
)
def get_reconciliation(
    _: CrmOperator, session: SessionDep, reconciliation_id: uuid.UUID
) -> ReconciliationOut:
    record = service.get_reconciliation(session, reconciliation_id)
    return ReconciliationOut.model_validate(record, from_attributes=True)
