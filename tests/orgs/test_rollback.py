"""Every change is one transaction: when any step fails, nothing is left behind.

The failing step is made to fail *after* it has done its own work (rows
added, audit event recorded, email queued), so the test shows that the
whole unit of work is undone, not just that the step did nothing.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import salesforce_id
from tenantree.audit.models import AuditEvent
from tenantree.errors import Conflict
from tenantree.identity import invitations
from tenantree.identity.models import Invitation
from tenantree.lifecycle import service
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgAccess

ORGS = "/api/v1/orgs"


class InviteBroke(Conflict):
    code = "invite_broke"


def _invite_then_fail(exc: Exception):  # type: ignore[no-untyped-def]
    real_invite = invitations.invite

    def invite(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_invite(*args, **kwargs)  # the invitation, its audit event, the queued email
        raise exc

    return invite


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    # Ends its read transaction: on SQLite every transaction takes the write lock.
    session.expire_all()
    count = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return count  # type: ignore[no-any-return]


def test_a_failed_primary_admin_invitation_leaves_no_org(
    orgs_api, client, session, outbox, monkeypatch
) -> None:
    monkeypatch.setattr(service, "invite", _invite_then_fail(InviteBroke("mail relay said no")))
    response = client.post(
        ORGS,
        json={
            "name": "Doomed",
            "salesforce_id": salesforce_id(),
            "primary_admin_email": "doomed@example.com",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invite_broke"
    assert _count(session, Org) == 0
    assert _count(session, Invitation) == 0


def test_a_failed_primary_admin_invitation_records_no_audit_event(
    orgs_api, client, session, monkeypatch
) -> None:
    monkeypatch.setattr(service, "invite", _invite_then_fail(InviteBroke("no")))
    client.post(
        ORGS,
        json={"name": "Doomed", "salesforce_id": salesforce_id(), "primary_admin_email": "d@x.io"},
        headers=orgs_api.headers,
    )
    assert _count(session, AuditEvent) == 0


def test_a_failed_primary_admin_invitation_sends_no_email(
    orgs_api, client, outbox, monkeypatch
) -> None:
    monkeypatch.setattr(service, "invite", _invite_then_fail(InviteBroke("no")))
    client.post(
        ORGS,
        json={"name": "Doomed", "salesforce_id": salesforce_id(), "primary_admin_email": "d@x.io"},
        headers=orgs_api.headers,
    )
    assert outbox.backend.sent == []


def test_an_unexpected_error_during_creation_is_a_500_that_leaves_nothing(
    app, orgs_api, session, outbox, monkeypatch
) -> None:
    monkeypatch.setattr(service, "invite", _invite_then_fail(RuntimeError("bug")))
    with TestClient(app, raise_server_exceptions=False) as raw_client:
        response = raw_client.post(
            ORGS,
            json={
                "name": "Doomed",
                "salesforce_id": salesforce_id(),
                "primary_admin_email": "d@x.io",
            },
            headers=orgs_api.headers,
        )
    assert response.status_code == 500
    assert response.json()["error"] == {
        "code": "internal_error",
        "message": "something went wrong on our side",
        "field": None,
    }
    assert _count(session, Org) == 0
    assert _count(session, AuditEvent) == 0
    assert outbox.backend.sent == []


def test_the_salesforce_id_of_a_failed_creation_stays_free(orgs_api, client, monkeypatch) -> None:
    sfid = salesforce_id()
    with monkeypatch.context() as patch:
        patch.setattr(service, "invite", _invite_then_fail(InviteBroke("no")))
        client.post(
            ORGS,
            json={"name": "Doomed", "salesforce_id": sfid, "primary_admin_email": "d@x.io"},
            headers=orgs_api.headers,
        )
    assert orgs_api.create(salesforce_id=sfid)["salesforce_id"] == sfid


@pytest.fixture
def partner_state(orgs_api, session, outbox):  # type: ignore[no-untyped-def]
    """A partner, with what exists before the sub-org attempt counted."""
    partner = orgs_api.partner("msp")
    outbox.backend.sent.clear()
    session.expire_all()
    return partner, _count(session, Org), _count(session, AuditEvent)


def test_a_failed_sub_org_creation_leaves_nothing_behind(
    orgs_api, client, session, outbox, monkeypatch, partner_state
) -> None:
    partner, orgs_before, events_before = partner_state
    monkeypatch.setattr(service, "invite", _invite_then_fail(InviteBroke("no")))
    response = client.post(
        f"{ORGS}/{partner['id']}/sub-orgs",
        json={
            "name": "Doomed Sub",
            "salesforce_id": salesforce_id(),
            "customer_name": "Doomed Inc",
            "primary_admin_email": "cio@doomed.example",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 409
    assert _count(session, Org) == orgs_before
    assert _count(session, SubOrgAccess) == 0
    assert _count(session, AuditEvent) == events_before
    assert session.scalar(select(func.count()).where(Invitation.email == "cio@doomed.example")) == 0
    assert outbox.backend.sent == []


def test_a_sub_org_refused_for_a_taken_id_leaves_nothing_behind(
    orgs_api, client, session, partner_state
) -> None:
    partner, orgs_before, events_before = partner_state
    response = client.post(
        f"{ORGS}/{partner['id']}/sub-orgs",
        json={
            "name": "Clash",
            "salesforce_id": partner["salesforce_id"],
            "customer_name": "Clash Inc",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 409
    assert _count(session, Org) == orgs_before
    assert _count(session, AuditEvent) == events_before


def test_a_failed_partner_activation_changes_nothing(
    orgs_api, client, session, monkeypatch
) -> None:
    org = orgs_api.create(edition="pro")
    events_before = _count(session, AuditEvent)
    real_record = service.AuditTrail.record

    def record_then_fail(self, action, **kwargs):  # type: ignore[no-untyped-def]
        real_record(self, action, **kwargs)
        raise InviteBroke("audit store down")

    monkeypatch.setattr(service.AuditTrail, "record", record_then_fail)
    response = client.post(
        f"{ORGS}/{org['id']}/partner-activation",
        json={"partner_type": "msp"},
        headers=orgs_api.headers,
    )
    monkeypatch.undo()
    assert response.status_code == 409
    session.expire_all()
    stored = session.get(Org, uuid.UUID(org["id"]))
    assert stored is not None
    assert stored.kind == "standard"
    assert stored.partner_type is None
    assert _count(session, AuditEvent) == events_before


def test_a_failed_org_update_changes_nothing(orgs_api, client, session, monkeypatch) -> None:
    org = orgs_api.create(name="Before")
    events_before = _count(session, AuditEvent)
    real_record = service.AuditTrail.record

    def record_then_fail(self, action, **kwargs):  # type: ignore[no-untyped-def]
        real_record(self, action, **kwargs)
        raise InviteBroke("audit store down")

    monkeypatch.setattr(service.AuditTrail, "record", record_then_fail)
    response = client.patch(
        f"{ORGS}/{org['id']}",
        json={"name": "After", "status": "deactivated"},
        headers=orgs_api.headers,
    )
    monkeypatch.undo()
    assert response.status_code == 409
    session.expire_all()
    stored = session.get(Org, uuid.UUID(org["id"]))
    assert stored is not None
    assert (stored.name, stored.status) == ("Before", "active")
    assert _count(session, AuditEvent) == events_before
