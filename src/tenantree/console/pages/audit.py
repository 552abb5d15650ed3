"""An org's audit log, filtered by actor, action and time range."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse

from tenantree.access.permissions import Permission as P
from tenantree.audit import export, service
from tenantree.audit.actions import AuditAction
from tenantree.clock import current_time
from tenantree.console import audit_view
from tenantree.console.deps import OrgPage
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Invalid
from tenantree.identity.accounts import find_account
from tenantree.web.routing import GatedRouter
from tenantree.web.services import ServicesDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)
Text = Annotated[str | None, Query(max_length=320, pattern=r"^[^\x00]*$")]


def _day(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{field} must be a day written YYYY-MM-DD", field=field) from exc
    if end:
        day += timedelta(days=1)  # the "to" day is included
    return datetime.combine(day, time(0), tzinfo=UTC)


@router.get("/orgs/{org_id}/audit")
def audit_page(
    request: Request,
    target: OrgPage(P.ORG_AUDIT_READ),
    actor: Text = None,
    action: Text = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    actor_id = None
    matched_nobody = False
    if actor:
        try:
            actor_id = uuid.UUID(actor)
        except ValueError:
            account = find_account(target.session, actor)
            actor_id = account.id if account is not None else None
            matched_nobody = account is None
    if action and action not in {a.value for a in AuditAction}:
        raise Invalid(f"no audit action is called {action!r}", field="action")
    page = service.list_events(
        target.session,
        org_ids=[target.org.id],
        action=action or None,
        actor_id=actor_id,
        since=_day(first, "from"),
        until=_day(last, "to", end=True),
        limit=50,
        cursor=cursor,
    )
    events = [] if matched_nobody else page.items
    filters = {"actor": actor or "", "action": action or "", "from": first or "", "to": last or ""}
    export_query = urlencode({k: v for k, v in (("from", first), ("to", last)) if v})
    return render(
        request,
        target.session,
        "audit.html",
        title=f"Audit log of {target.org.name}",
        events=events,
        actors=audit_view.actor_names(target.session, events),
        targets=audit_view.target_names(target.session, events),
        label=audit_view.full_label,
        action_groups=audit_view.grouped_actions(),
        filters=filters,
        csv_href=f"/orgs/{target.org.id}/audit.csv" + (f"?{export_query}" if export_query else ""),
        next_cursor=None if matched_nobody else page.next_cursor,
    )


@router.get("/orgs/{org_id}/audit.csv")
def audit_csv(
    target: OrgPage(P.ORG_AUDIT_READ),
    services: ServicesDep,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """The API's CSV export (GET .../audit-events/export?format=csv), whole days."""
    since, until = _day(first, "from"), _day(last, "to", end=True) or current_time()
    if since is not None and since >= until:
        raise Invalid("to must not be before from", field="to")
    # Pages are read after this request's unit of work has ended, each in a
    # session of its own (audit.export), as the API's export does.
    bind = services.reads_only_bind
    pages = export.event_pages(
        (lambda: services.sessions(bind=bind)) if bind is not None else services.sessions,
        org_id=target.org.id,
        since=since,
        until=until,
    )
    return StreamingResponse(
        export.csv_chunks(pages),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-events-{target.org.id}.csv"'},
    )
