"""Reading orgs: the orgs and sub-orgs an actor reaches, searched and paged."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tenantree.access.policy import Actor
from tenantree.access.service import reachable_orgs
from tenantree.errors import Invalid
from tenantree.orgs.models import Org
from tenantree.pagination import Page, contains, paginate, starts_with

# The columns a list of orgs may be ordered by (each is never NULL, as keyset
# paging needs); the console's sortable headers.
SORTS = {
    "name": Org.name,
    "salesforce_id": Org.salesforce_id,
    "status": Org.status,
    "kind": Org.kind,
    "created": Org.created_at,
}


def sort_column(sort: str):  # type: ignore[no-untyped-def]
    try:
        return SORTS[sort]
    except KeyError:
        raise Invalid(f"sort must be one of {', '.join(SORTS)}", field="sort") from None


# What a list of orgs shows of each (the API's org summary): read as plain rows,
# several times cheaper than loading ORM entities (bench/ANALYSIS.md).
SUMMARY_COLUMNS = (
    Org.id,
    Org.name,
    Org.kind,
    Org.partner_type,
    Org.edition,
    Org.salesforce_id,
    Org.parent_id,
    Org.depth,
    Org.partner_salesforce_id,
    Org.customer_name,
    Org.status,
    Org.created_at,
)


def _filtered(  # type: ignore[no-untyped-def]
    actor: Actor, q: str | None, parent_id: uuid.UUID | None, *, summaries: bool = False
):
    query = select(*SUMMARY_COLUMNS) if summaries else select(Org)
    query = query.where(reachable_orgs(actor))
    if q:
        # The org's name or its customer's containing it, or a Salesforce ID
        # starting with it ("Contoso", "001Aa0"), all ignoring case.
        query = query.where(
            or_(
                contains(Org.name, q),
                contains(Org.customer_name, q),
                starts_with(Org.salesforce_id, q),
            )
        )
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
    sort: str = "name",
    descending: bool = False,
    before: str | None = None,
    summaries: bool = False,
) -> Page[Any]:
    """The orgs this actor reaches; with `summaries`, rows of SUMMARY_COLUMNS."""
    return paginate(
        session,
        _filtered(actor, q, parent_id, summaries=summaries),
        sort_column=sort_column(sort),
        id_column=Org.id,
        limit=limit,
        cursor=cursor,
        descending=descending,
        before=before,
        rows=summaries,
    )


def list_sub_orgs(
    session: Session,
    actor: Actor,
    parent: Org,
    *,
    q: str | None,
    limit: int | None,
    cursor: str | None,
    sort: str = "name",
    descending: bool = False,
    before: str | None = None,
    summaries: bool = False,
) -> Page[Any]:
    """The parent's sub-orgs that this actor reaches; with `summaries`, rows of
    SUMMARY_COLUMNS."""
    return paginate(
        session,
        _filtered(actor, q, parent.id, summaries=summaries),
        sort_column=sort_column(sort),
        id_column=Org.id,
        limit=limit,
        cursor=cursor,
        descending=descending,
        before=before,
        rows=summaries,
    )
