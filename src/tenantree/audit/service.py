"""Writing and reading audit events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.models import AuditEvent
from tenantree.errors import Invalid
from tenantree.pagination import Page, paginate


@dataclass(frozen=True)
class AuditTrail:
    """Who is acting, from where, in which request: stamped on every event."""

    session: Session
    actor_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None = None
    request_id: str | None = None
    client_address: str | None = None

    def acting_from(self, actor_org_id: uuid.UUID | None) -> AuditTrail:
        return AuditTrail(
            self.session, self.actor_id, actor_org_id, self.request_id, self.client_address
        )

    def as_actor(self, actor_id: uuid.UUID, actor_org_id: uuid.UUID | None) -> AuditTrail:
        return AuditTrail(
            self.session, actor_id, actor_org_id, self.request_id, self.client_address
        )

    def record(
        self,
        action: AuditAction,
        *,
        org_id: uuid.UUID | None,
        target_type: str,
        target_id: uuid.UUID | str | None,
        **details: Any,
    ) -> AuditEvent:
        event = AuditEvent(
            action=action.value,
            actor_id=self.actor_id,
            actor_org_id=self.actor_org_id,
            org_id=org_id,
            target_type=target_type,
            target_id=str(target_id) if target_id is not None else None,
            request_id=self.request_id,
            client_address=self.client_address,
            details=_jsonable(details),
        )
        self.session.add(event)
        return event


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID | datetime):
        return str(value)
    return value


def events_query(
    *,
    org_ids: list[uuid.UUID] | None,
    action: str | None = None,
    actor_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[tuple[AuditEvent]]:
    """Events of the given orgs (None: all, for operators), newest first."""
    query = select(AuditEvent)
    if org_ids is not None:
        query = query.where(AuditEvent.org_id.in_(org_ids))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return query


def require_zoned(*, since: datetime | None, until: datetime | None) -> None:
    """The window's ends are RFC 3339 times with a zone, named as the API names them."""
    for name, value in (("from", since), ("to", until)):
        if value is not None and value.tzinfo is None:
            raise Invalid(f"{name} must be an RFC 3339 time with a zone, e.g. ...Z", field=name)


def list_events(
    session: Session,
    *,
    org_ids: list[uuid.UUID] | None,
    action: str | None,
    actor_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
    cursor: str | None,
) -> Page[AuditEvent]:
    require_zoned(since=since, until=until)
    query = events_query(
        org_ids=org_ids, action=action, actor_id=actor_id, since=since, until=until
    )
    return paginate(
        session,
        query,
        sort_column=AuditEvent.at,
        id_column=AuditEvent.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
