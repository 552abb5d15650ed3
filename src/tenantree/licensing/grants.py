"""Granting licenses to an org and changing them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.licensing.errors import LicenseNotFound
from tenantree.licensing.models import License, LicensePool, LicenseStatus
from tenantree.licensing.policies import OveragePolicy
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import normalize_record_id


def _check_term(starts_at: datetime, ends_at: datetime) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise Invalid(f"{name} must be an RFC 3339 time with a zone", field=name)
    if ends_at <= starts_at:
        raise Invalid("ends_at must be after starts_at", field="ends_at")


def _ensure_pool(session: Session, holder_id: uuid.UUID, sku: str, unit: str) -> LicensePool:
    pool = session.scalar(
        select(LicensePool).where(LicensePool.holder_org_id == holder_id, LicensePool.sku == sku)
    )
    if pool is None:
        pool = LicensePool(holder_org_id=holder_id, sku=sku, unit=unit, used=0)
        session.add(pool)
        session.flush()
    elif pool.unit != unit:
        raise Invalid(
            f"licenses of {sku} are counted in {pool.unit!r}; unit must match", field="unit"
        )
    return pool


def grant_license(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    sku: str,
    unit: str,
    quantity: int,
    starts_at: datetime,
    ends_at: datetime,
    overage_policy: OveragePolicy,
    salesforce_contract_id: str | None,
) -> License:
    _check_term(starts_at, ends_at)
    if salesforce_contract_id is not None:
        salesforce_contract_id = normalize_record_id(
            salesforce_contract_id, field="salesforce_contract_id"
        )
    _ensure_pool(session, org.id, sku, unit)
    license_ = License(
        holder_org_id=org.id,
        sku=sku,
        unit=unit,
        quantity=quantity,
        starts_at=starts_at,
        ends_at=ends_at,
        overage_policy=overage_policy,
        salesforce_contract_id=salesforce_contract_id,
        status=LicenseStatus.ACTIVE,
    )
    session.add(license_)
    session.flush()
    trail.record(
        AuditAction.LICENSE_GRANTED,
        org_id=org.id,
        target_type="license",
        target_id=license_.id,
        sku=sku,
        unit=unit,
        quantity=quantity,
        starts_at=starts_at,
        ends_at=ends_at,
        overage_policy=overage_policy.value,
    )
    return license_


class LicenseRequest(Protocol):
    """A grant as the API body and the console form carry it."""

    sku: str
    unit: str
    quantity: int
    starts_at: datetime
    ends_at: datetime
    overage_policy: OveragePolicy
    salesforce_contract_id: str | None


def grant_requested_license(
    session: Session, trail: AuditTrail, org: Org, request: LicenseRequest
) -> License:
    """grant_license with what a request asks for: one reading of its fields."""
    return grant_license(
        session,
        trail,
        org,
        sku=request.sku,
        unit=request.unit,
        quantity=request.quantity,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        overage_policy=request.overage_policy,
        salesforce_contract_id=request.salesforce_contract_id,
    )


class LicenseChange(Protocol):
    """A change as the API body, the console form and the CLI carry it (None: kept)."""

    quantity: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    status: LicenseStatus | None
    overage_policy: OveragePolicy | None


def change_requested_license(
    session: Session, trail: AuditTrail, org: Org, license_id: uuid.UUID, change: LicenseChange
) -> License:
    """update_license with what a request asks for: one reading of its fields."""
    return update_license(
        session,
        trail,
        org,
        license_id,
        quantity=change.quantity,
        starts_at=change.starts_at,
        ends_at=change.ends_at,
        status=change.status,
        overage_policy=change.overage_policy,
    )


def get_license(session: Session, org: Org, license_id: uuid.UUID) -> License:
    license_ = session.get(License, license_id)
    if license_ is None or license_.holder_org_id != org.id:
        raise LicenseNotFound("no such license in this org")
    return license_


def update_license(
    session: Session,
    trail: AuditTrail,
    org: Org,
    license_id: uuid.UUID,
    *,
    quantity: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    status: LicenseStatus | None = None,
    overage_policy: OveragePolicy | None = None,
) -> License:
    license_ = get_license(session, org, license_id)
    before = _license_facts(license_)
    new_start = starts_at or license_.starts_at
    new_end = ends_at or license_.ends_at
    _check_term(new_start, new_end)
    # Stored in UTC; comparing in UTC keeps "the same moment in another zone" unchanged.
    new_start, new_end = new_start.astimezone(UTC), new_end.astimezone(UTC)
    if quantity is not None:
        license_.quantity = quantity
    license_.starts_at, license_.ends_at = new_start, new_end
    if status is not None:
        license_.status = status
    if overage_policy is not None:
        license_.overage_policy = overage_policy
    session.flush()
    after = _license_facts(license_)
    changes = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if changes:
        trail.record(
            AuditAction.LICENSE_CHANGED,
            org_id=org.id,
            target_type="license",
            target_id=license_.id,
            sku=license_.sku,
            changes=changes,
        )
    # Lowering a quantity below current use is allowed (the contract changed);
    # further consumption is refused until use drops, and reports show it.
    return license_


def _license_facts(license_: License) -> dict[str, object]:
    return {
        "quantity": license_.quantity,
        "starts_at": license_.starts_at.isoformat(),
        "ends_at": license_.ends_at.isoformat(),
        "status": license_.status,
        "overage_policy": license_.overage_policy,
    }


def list_licenses(session: Session, org: Org) -> list[License]:
    return list(
        session.scalars(
            select(License)
            .where(License.holder_org_id == org.id)
            .order_by(License.sku, License.starts_at, License.id)
        )
    )
