"""Reading orgs: the orgs and sub-orgs an actor reaches, searched and paged."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenantree.access.policy import Actor
from tenantree.access.service import reachable_orgs
from tenantree.orgs.models import Org
from tenantree.pagination import Page, paginate


def _filtered(actor: Actor, q: str | None, parent_id: uuid.UUID | None):  # type: ignore[no-untyped-def]
    query = select(Org).where(reachable_orgs(actor))
    if q:
        escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Org.name).like(f"%{escaped}%", escape="\\"))
    if parent_id is not None:
        query = query.where(Org.parent_id == parent_id)
    return query


def list_orgs(
    session: Session,
    actor: Actor,
    *,
    q: str | None,
    parent_id: uuid.UUID | None,
    limit: int | None,
    cursor: str | None,
) -> Page[Org]:
    return paginate(
        session,
        _filtered(actor, q, parent_id),
        sort_column=Org.name,
        id_column=Org.id,
        limit=limit,
        cursor=cursor,
    )


def list_sub_orgs(
    session: Session,
    actor: Actor,
    parent: Org,
    *,
    q: str | None,
    limit: int | None,
    cursor: str | None,
) -> Page[Org]:
    """The parent's sub-orgs that this actor reaches."""
    return paginate(
        session,
        _filtered(actor, q, parent.id),
        sort_column=Org.name,
        id_column=Org.id,
        limit=limit,
        cursor=cursor,
    )
