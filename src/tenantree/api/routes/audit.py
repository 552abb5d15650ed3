import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OperatorDep, OrgWith, SessionDep, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import QUERY_TEXT, Cursor, Limit
from tenantree.api.schemas.audit import AuditEventOut
from tenantree.api.schemas.common import ListResponse, Timestamp
from tenantree.audit import service

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["audit"], responses=ERROR_RESPONSES
)

Action = Annotated[
    str | None, Query(max_length=64, pattern=QUERY_TEXT, description="e.g. user.updated")
]
From = Annotated[Timestamp | None, Query(alias="from", description="Inclusive, RFC 3339")]
To = Annotated[Timestamp | None, Query(alias="to", description="Exclusive, RFC 3339")]


def _page(session, org_ids, action, actor_id, since, until, limit, cursor):  # type: ignore[no-untyped-def]
    page = service.list_events(
        session,
        org_ids=org_ids,
        action=action,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(
        items=[AuditEventOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/orgs/{org_id}/audit-events",
    response_model=ListResponse[AuditEventOut],
    operation_id="list_org_audit_events",
)
def list_org_events(
    target: OrgWith(P.ORG_AUDIT_READ),
    action: Action = None,
    actor_id: uuid.UUID | None = None,
    since: From = None,
    until: To = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListResponse[AuditEventOut]:
    return _page(target.session, [target.org.id], action, actor_id, since, until, limit, cursor)


@router.get(
    "/audit-events",
    response_model=ListResponse[AuditEventOut],
    operation_id="list_platform_audit_events",
    description="Every event on the platform, sign-in failures included (operators only).",
)
def list_platform_events(
    _: OperatorDep,
    session: SessionDep,
    action: Action = None,
    actor_id: uuid.UUID | None = None,
    since: From = None,
    until: To = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListResponse[AuditEventOut]:
    return _page(session, None, action, actor_id, since, until, limit, cursor)
