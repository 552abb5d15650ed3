import uuid
from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import StreamingResponse

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OperatorDep, OrgWith, ServicesDep, SessionDep, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import QUERY_TEXT, Cursor, Limit
from tenantree.api.schemas.audit import AuditEventOut
from tenantree.api.schemas.common import ListResponse, Timestamp
from tenantree.audit import export, service
from tenantree.clock import current_time
from tenantree.errors import Invalid
from tenantree.web.routing import GatedRouter

router = GatedRouter(
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


_EXPORT_MEDIA_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/orgs/{org_id}/audit-events/export",
    operation_id="export_org_audit_events",
    description=(
        "The org's events in [from, to), oldest first, streamed: one JSON object a line "
        "(ndjson) or CSV with a header. `to` defaults to the time of the request. Each "
        "event is described by docs/schemas/audit-event.schema.json; times are RFC 3339 UTC."
    ),
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
def export_org_events(
    target: OrgWith(P.ORG_AUDIT_READ),
    services: ServicesDep,
    since: From = None,
    until: To = None,
    format: Annotated[Literal["ndjson", "csv"], Query()] = "ndjson",  # noqa: A002 - the API's name
) -> StreamingResponse:
    service.require_zoned(since=since, until=until)
    until = until or current_time()
    if since is not None and since >= until:
        raise Invalid("to must be later than from", field="to")
    # Pages are read after this request's unit of work has ended, each in a
    # session of its own (see audit.export).
    bind = services.reads_only_bind
    pages = export.event_pages(
        (lambda: services.sessions(bind=bind)) if bind is not None else services.sessions,
        org_id=target.org.id,
        since=since,
        until=until,
    )
    chunks = export.csv_chunks(pages) if format == "csv" else export.ndjson_chunks(pages)
    filename = f"audit-events-{target.org.id}.{format}"
    return StreamingResponse(
        chunks,
        media_type=_EXPORT_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
