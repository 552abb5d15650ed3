"""Orgs' "MFA required" settings: reading, changing, and which of a person's
orgs require MFA (the rule itself is `policy.mfa_required_in`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.access.policy import Actor, mfa_required_in, mfa_required_of
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict
from tenantree.orgs.mfa_policy import OrgMfaPolicy
from tenantree.orgs.models import Org


@dataclass(frozen=True)
class MfaPolicy:
    required: bool
    required_for_sub_orgs: bool
    # Required by an ancestor (a partner for its sub-orgs): the org cannot lift it.
    inherited: bool
    effective: bool


def _settings(session: Session, org_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, OrgMfaPolicy]:
    ids = list(org_ids)
    if not ids:
        return {}
    return {
        row.org_id: row
        for row in session.scalars(select(OrgMfaPolicy).where(OrgMfaPolicy.org_id.in_(ids)))
    }


def _parents(session: Session, org_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    """Each org's parent, for these orgs and all their ancestors."""
    parents: dict[uuid.UUID, uuid.UUID | None] = {}
    todo = set(org_ids)
    while todo:
        rows = session.execute(select(Org.id, Org.parent_id).where(Org.id.in_(todo))).all()
        parents.update({row.id: row.parent_id for row in rows})
        todo = {row.parent_id for row in rows if row.parent_id and row.parent_id not in parents}
    return parents


def _ancestors(parents: dict[uuid.UUID, uuid.UUID | None], org_id: uuid.UUID) -> list[uuid.UUID]:
    found, parent = [], parents.get(org_id)
    while parent is not None and parent not in found:
        found.append(parent)
        parent = parents.get(parent)
    return found


def orgs_requiring_mfa(session: Session, org_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of these orgs whose effective setting requires MFA."""
    parents = _parents(session, set(org_ids))
    settings = _settings(session, parents)

    def flag(org_id: uuid.UUID, name: str) -> bool:
        row = settings.get(org_id)
        return bool(row is not None and getattr(row, name))

    return {
        org_id
        for org_id in org_ids
        if mfa_required_in(
            own=flag(org_id, "required"),
            ancestors_for_sub_orgs=(
                flag(a, "required_for_sub_orgs") for a in _ancestors(parents, org_id)
            ),
        )
    }


def mfa_required_for(session: Session, actor: Actor) -> bool:
    if actor.is_operator:
        return mfa_required_of(actor, set())
    return mfa_required_of(actor, orgs_requiring_mfa(session, actor.memberships))


def get_mfa_policy(session: Session, org: Org) -> MfaPolicy:
    own = _settings(session, [org.id]).get(org.id)
    required = bool(own and own.required)
    effective = org.id in orgs_requiring_mfa(session, [org.id])
    return MfaPolicy(
        required=required,
        required_for_sub_orgs=bool(own and own.required_for_sub_orgs),
        inherited=effective and not required,
        effective=effective,
    )


def set_mfa_policy(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    required: bool,
    required_for_sub_orgs: bool,
) -> MfaPolicy:
    if required_for_sub_orgs and not org.is_partner:
        # 409: the org's kind, not the input's form, is what refuses it.
        raise Conflict(
            "only a partner has sub-orgs to require MFA of", field="required_for_sub_orgs"
        )
    before = get_mfa_policy(session, org)
    row = session.get(OrgMfaPolicy, org.id)
    if row is None:
        row = OrgMfaPolicy(org_id=org.id)
        session.add(row)
    row.required = required
    row.required_for_sub_orgs = required_for_sub_orgs
    session.flush()  # the effective setting is read back from the rows
    after = get_mfa_policy(session, org)
    trail.record(
        AuditAction.MFA_POLICY_CHANGED,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        before={"required": before.required, "required_for_sub_orgs": before.required_for_sub_orgs},
        after={"required": after.required, "required_for_sub_orgs": after.required_for_sub_orgs},
    )
    return after
