"""The local backend's orgs, sub-orgs, users, invitations, tokens and audit
events: the services called as the API's routes call them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import or_, select

from tenantree.access import org_listing
from tenantree.audit import service as audit
from tenantree.cli import records
from tenantree.cli.backend import Record, Refused
from tenantree.cli.local_base import (
    OPERATOR,
    LocalBase,
    domain_refusals,
    every_item,
    validated,
)
from tenantree.errors import Invalid
from tenantree.identity import api_tokens, directory, invitations, scim_tokens
from tenantree.identity.roles import Role
from tenantree.lifecycle import moves
from tenantree.lifecycle import service as lifecycle
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import normalize_account_id
from tenantree.web.schemas.orgs import (
    OrgCreate,
    OrgMove,
    OrgUpdate,
    PartnerActivation,
    SubOrgCreate,
)
from tenantree.web.schemas.users import InvitationCreate, UserUpdate


class PeopleOperations(LocalBase):
    # Orgs and sub-orgs

    def find_orgs(self, ref: str) -> list[Record]:
        try:
            salesforce_id: str | None = normalize_account_id(ref, field="org")
        except Invalid:
            salesforce_id = None
        condition = Org.name == ref
        if salesforce_id:
            condition = or_(condition, Org.salesforce_id == salesforce_id)
        orgs = self.session.scalars(select(Org).where(condition).order_by(Org.name)).all()
        return [records.org_record(o) for o in orgs]

    def get_org(self, org_id: uuid.UUID) -> Record:
        return records.org_record(self._org(org_id))

    def list_orgs(self, *, q: str | None, parent_id: uuid.UUID | None) -> Iterator[Record]:
        with domain_refusals():
            for org in every_item(
                lambda cursor: org_listing.list_orgs(
                    self.session, OPERATOR, q=q, parent_id=parent_id, limit=None, cursor=cursor
                )
            ):
                yield records.org_record(org)

    def create_org(
        self, *, name: str, salesforce_id: str, edition: str, primary_admin_email: str
    ) -> Record:
        body = validated(
            OrgCreate,
            {
                "name": name,
                "salesforce_id": salesforce_id,
                "edition": edition,
                "primary_admin_email": primary_admin_email,
            },
        )
        with domain_refusals():
            org = lifecycle.create_org(
                self.session,
                self.trail,
                self.identity,
                name=body.name,
                salesforce_id=body.salesforce_id,
                edition=body.edition,
                primary_admin_email=str(body.primary_admin_email),
            )
        return records.org_record(org)

    def update_org(self, org_id: uuid.UUID, changes: Record) -> Record:
        body = validated(OrgUpdate, changes)
        with domain_refusals():
            org = lifecycle.update_org(
                self.session,
                self.trail,
                self._org(org_id),
                name=body.name,
                edition=body.edition,
                status=body.status,
                customers=body.customers,
            )
        return records.org_record(org)

    def activate_partner(self, org_id: uuid.UUID, partner_type: str) -> Record:
        body = validated(PartnerActivation, {"partner_type": partner_type})
        with domain_refusals():
            org = lifecycle.activate_partner(
                self.session, self.trail, self._org(org_id), partner_type=body.partner_type
            )
        return records.org_record(org)

    def move_sub_org(
        self, org_id: uuid.UUID, to_partner_id: uuid.UUID, *, allow_overage: bool
    ) -> Record:
        body = validated(
            OrgMove, {"to_partner_id": str(to_partner_id), "allow_overage": allow_overage}
        )
        with domain_refusals():
            partner = lifecycle.find_partner(self.session, body.to_partner_id)
            result = moves.move_sub_org(
                self.session,
                self.trail,
                self._org(org_id),
                partner,
                allow_overage=body.allow_overage,
            )
        plan = result.plan
        # The API's answer (POST /orgs/{id}/move), field for field.
        return {
            "org": records.org_record(self._org(org_id)),
            "from_partner_id": str(plan.from_partner_id),
            "to_partner_id": str(plan.to_partner_id),
            "license_source": plan.source.value,
            "moved": dict(plan.moving),
            "overage": dict(plan.shortfall) if result.allow_overage else {},
            "grants_ended": list(plan.grants_ending),
            "moved_at": result.moved_at.isoformat(),
        }

    def create_sub_org(self, org_id: uuid.UUID, body: Record) -> Record:
        valid = validated(SubOrgCreate, body)
        with domain_refusals():
            org = lifecycle.create_sub_org(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                name=valid.name,
                salesforce_id=valid.salesforce_id,
                customer_name=valid.customer_name,
                primary_admin_email=(
                    str(valid.primary_admin_email) if valid.primary_admin_email else None
                ),
            )
        return records.org_record(org)

    def list_sub_orgs(self, org_id: uuid.UUID, *, q: str | None) -> Iterator[Record]:
        parent = self._org(org_id)
        with domain_refusals():
            for org in every_item(
                lambda cursor: org_listing.list_sub_orgs(
                    self.session, OPERATOR, parent, q=q, limit=None, cursor=cursor
                )
            ):
                yield records.org_record(org)

    # Users and invitations

    def list_users(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        for membership in every_item(
            lambda cursor: directory.list_users(self.session, org, limit=None, cursor=cursor)
        ):
            yield records.user_record(membership)

    def update_user(self, org_id: uuid.UUID, user_id: uuid.UUID, changes: Record) -> Record:
        body = validated(UserUpdate, changes)
        with domain_refusals():
            membership = directory.update_user(
                self.session,
                self.trail,
                self._org(org_id),
                user_id,
                role=body.role,
                status=body.status,
            )
        return records.user_record(membership)

    def remove_user(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
        with domain_refusals():
            directory.remove_user(self.session, self.trail, self._org(org_id), user_id)

    def transfer_primary_admin(self, org_id: uuid.UUID, user_id: uuid.UUID) -> Record:
        with domain_refusals():
            membership = directory.transfer_primary_admin(
                self.session, self.trail, self._org(org_id), user_id
            )
        return records.user_record(membership)

    def list_invitations(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        cursor = None
        while True:
            page = invitations.list_invitations(self.session, org, limit=None, cursor=cursor)
            deliveries = invitations.email_deliveries(self.session, page.items)
            for invitation in page.items:
                yield records.invitation_record(invitation, deliveries.get(invitation.id))
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def invite(self, org_id: uuid.UUID, *, email: str, role: str) -> Record:
        body = validated(InvitationCreate, {"email": email, "role": role})
        with domain_refusals():
            invitation = invitations.invite(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                email=str(body.email),
                role=body.role,
            )
            deliveries = invitations.email_deliveries(self.session, [invitation])
        return records.invitation_record(invitation, deliveries.get(invitation.id))

    def revoke_invitation(self, org_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
        with domain_refusals():
            invitations.revoke_invitation(
                self.session, self.trail, self._org(org_id), invitation_id
            )

    # API tokens

    def list_api_tokens(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        for token in every_item(
            lambda cursor: api_tokens.list_api_tokens(self.session, org, limit=None, cursor=cursor)
        ):
            yield records.api_token_record(token)

    def create_api_token(
        self, org_id: uuid.UUID, *, name: str, role: str, expires_at: datetime | None
    ) -> Record:
        try:
            chosen_role = Role(role)
        except ValueError as exc:
            raise Refused("invalid", f"unknown role {role!r}", "role", 422) from exc
        with domain_refusals():
            issued = api_tokens.create_api_token(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                name=name,
                role=chosen_role,
                expires_at=expires_at,
            )
        return records.api_token_record(issued.token) | {"token": issued.secret}

    def revoke_api_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None:
        with domain_refusals():
            api_tokens.revoke_api_token(self.session, self.trail, self._org(org_id), token_id)

    # Audit

    def list_audit_events(
        self,
        org_id: uuid.UUID | None,
        *,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[Record]:
        org_ids = [self._org(org_id).id] if org_id else None
        with domain_refusals():
            for event in every_item(
                lambda cursor: audit.list_events(
                    self.session,
                    org_ids=org_ids,
                    action=action,
                    actor_id=None,
                    since=since,
                    until=until,
                    limit=None,
                    cursor=cursor,
                )
            ):
                yield records.audit_event_record(event)

    # SCIM tokens

    def list_scim_tokens(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        base = self.identity.public_base_url
        for token in every_item(
            lambda cursor: scim_tokens.list_scim_tokens(
                self.session, org, limit=None, cursor=cursor
            )
        ):
            yield records.scim_token_record(token, base)

    def create_scim_token(
        self, org_id: uuid.UUID, *, name: str, expires_at: datetime | None
    ) -> Record:
        with domain_refusals():
            issued = scim_tokens.create_scim_token(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                name=name,
                expires_at=expires_at,
            )
        record = records.scim_token_record(issued.token, self.identity.public_base_url)
        return record | {"token": issued.secret}

    def revoke_scim_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None:
        with domain_refusals():
            scim_tokens.revoke_scim_token(self.session, self.trail, self._org(org_id), token_id)
