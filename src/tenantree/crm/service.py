"""Running a reconciliation: load the tree's facts, compare, keep the result."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.crm.accounts_csv import read_accounts
from tenantree.crm.drift import TreeOrg, reconcile
from tenantree.crm.models import Reconciliation
from tenantree.crm.report import drift_dict
from tenantree.errors import NotFound
from tenantree.orgs.kinds import OrgKind, PartnerType
from tenantree.orgs.models import Org
from tenantree.pagination import Page, paginate


def tree_orgs(session: Session) -> list[TreeOrg]:
    """Every org with where it sits: its parent chain at any tier, from one query."""
    rows = session.execute(
        select(
            Org.id,
            Org.parent_id,
            Org.name,
            Org.kind,
            Org.partner_type,
            Org.salesforce_id,
            Org.status,
            Org.customer_name,
            Org.partner_salesforce_id,
        )
    ).all()
    by_id = {row.id: row for row in rows}

    def chain(parent_id: uuid.UUID | None) -> tuple[str, ...]:
        names: list[str] = []
        while parent_id is not None and parent_id in by_id:
            parent = by_id[parent_id]
            names.append(parent.name)
            parent_id = parent.parent_id
        return tuple(reversed(names))

    return [
        TreeOrg(
            id=row.id,
            name=row.name,
            kind=OrgKind(row.kind),
            salesforce_id=row.salesforce_id,
            status=row.status,
            customer_name=row.customer_name,
            partner_salesforce_id=row.partner_salesforce_id,
            partner_type=PartnerType(row.partner_type) if row.partner_type else None,
            parent_chain=chain(row.parent_id),
        )
        for row in rows
    ]


def run_reconciliation(
    session: Session, data: bytes, *, filename: str | None, created_by: uuid.UUID | None
) -> Reconciliation:
    """Compare the export with the whole tree and keep the result (flushed)."""
    accounts = read_accounts(data)
    orgs = tree_orgs(session)
    drifts = [drift_dict(d) for d in reconcile(accounts, orgs)]
    record = Reconciliation(
        created_by=created_by,
        filename=filename[:200] if filename else None,
        account_count=len(accounts),
        org_count=len(orgs),
        drift_count=len(drifts),
        drifts=drifts,
    )
    session.add(record)
    session.flush()  # the id and time, for the answer
    return record


def list_reconciliations(
    session: Session,
    *,
    limit: int | None,
    cursor: str | None,
    before: str | None = None,
    descending: bool = True,
) -> Page[Reconciliation]:
    """Past reconciliations by time, newest first unless told; pages both ways."""
    return paginate(
        session,
        select(Reconciliation),
        sort_column=Reconciliation.created_at,
        id_column=Reconciliation.id,
        limit=limit,
        cursor=cursor,
        descending=descending,
        before=before,
    )


def get_reconciliation(session: Session, reconciliation_id: uuid.UUID) -> Reconciliation:
    record = session.get(Reconciliation, reconciliation_id)
    if record is None:
        raise NotFound("no such reconciliation")
    return record
