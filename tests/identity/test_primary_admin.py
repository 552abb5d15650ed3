"""Transferring the primary account administrator role."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from factories import build_world
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.identity import directory
from tenantree.identity.models import Membership
from tenantree.orgs.models import Org


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _transfer(api, world, org, actor, user_id):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1/orgs/{org.id}/primary-admin",
        json={"user_id": str(user_id)},
        headers=world.headers(actor),
    )


def _primaries(api, world, org):  # type: ignore[no-untyped-def]
    return [u for u in api.users(org.id, world.headers("OP")) if u["is_primary_admin"]]


@pytest.mark.parametrize("actor", ["S-PA", "OP"])
def test_the_primary_admin_or_an_operator_transfers_the_role(api, world, actor):
    response = _transfer(api, world, world.S, actor, world.members["S-A"].id)

    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(world.members["S-A"].id)
    assert response.json()["is_primary_admin"] is True
    (primary,) = _primaries(api, world, world.S)
    assert primary["email"] == "s-a@example.com"
    previous = {u["email"]: u for u in api.users(world.S.id, world.headers("OP"))}[
        "s-pa@example.com"
    ]
    assert previous["is_primary_admin"] is False
    assert previous["role"] == "admin"
    assert previous["status"] == "active"


def test_a_user_or_read_only_member_becomes_admin_when_made_primary(api, world):
    response = _transfer(api, world, world.S, "S-PA", world.members["S-RO"].id)

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "admin"
    assert response.json()["is_primary_admin"] is True
    assert [p["email"] for p in _primaries(api, world, world.S)] == ["s-ro@example.com"]


def test_after_a_transfer_only_the_new_primary_admin_may_transfer(api, world):
    assert _transfer(api, world, world.S, "S-PA", world.members["S-A"].id).status_code == 200

    assert _transfer(api, world, world.S, "S-PA", world.members["S-PA"].id).status_code == 403
    back = _transfer(api, world, world.S, "S-A", world.members["S-PA"].id)
    assert back.status_code == 200, back.text
    assert [p["email"] for p in _primaries(api, world, world.S)] == ["s-pa@example.com"]


def test_the_previous_primary_admin_loses_the_protection(api, world):
    assert _transfer(api, world, world.S, "S-PA", world.members["S-A"].id).status_code == 200

    demoted = api.client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{world.members['S-PA'].id}",
        json={"role": "user"},
        headers=world.headers("S-A"),
    )

    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["role"] == "user"


@pytest.mark.parametrize("other", ["T-A", "P-A", "P-PA", "U-A"])
def test_transfer_to_a_user_of_another_org_is_invalid(api, world, err, other):
    response = _transfer(api, world, world.S, "S-PA", world.members[other].id)

    assert response.status_code == 422
    assert err(response)["field"] == "user_id"
    assert [p["email"] for p in _primaries(api, world, world.S)] == ["s-pa@example.com"]


def test_transfer_to_an_unknown_or_malformed_user_id_is_invalid(api, world, err):
    unknown = _transfer(api, world, world.S, "S-PA", uuid.uuid4())
    assert unknown.status_code == 422
    assert err(unknown)["field"] == "user_id"

    for body in ({"user_id": "not-a-uuid"}, {"user_id": None}, {"user_id": 7}, {}):
        response = api.client.post(
            f"/api/v1/orgs/{world.S.id}/primary-admin", json=body, headers=world.headers("S-PA")
        )
        assert response.status_code == 422, body
        assert err(response)["field"] == "user_id"


@pytest.mark.parametrize("actor", ["S-A", "S-U", "S-RO", "P-PA", "P-A", "P-U"])
def test_anyone_but_the_primary_admin_or_an_operator_is_refused(api, world, err, actor):
    response = _transfer(api, world, world.S, actor, world.members["S-A"].id)

    assert response.status_code == 403
    assert [p["email"] for p in _primaries(api, world, world.S)] == ["s-pa@example.com"]


@pytest.mark.parametrize("actor", ["T-A", "U-A", "P-X"])
def test_those_who_cannot_see_the_org_get_404(api, world, actor):
    assert _transfer(api, world, world.S, actor, world.members["S-A"].id).status_code == 404


def test_transfer_to_a_suspended_user_is_refused(api, world, err):
    suspended = api.client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{world.members['S-A'].id}",
        json={"status": "suspended"},
        headers=world.headers("S-PA"),
    )
    assert suspended.status_code == 200

    response = _transfer(api, world, world.S, "S-PA", world.members["S-A"].id)

    assert response.status_code == 409
    assert err(response)["code"] == "primary_admin_protected"
    assert err(response)["field"] == "user_id"


def test_transfer_to_oneself_changes_nothing(api, world):
    response = _transfer(api, world, world.S, "S-PA", world.members["S-PA"].id)

    assert response.status_code == 200
    assert [p["email"] for p in _primaries(api, world, world.S)] == ["s-pa@example.com"]


def test_a_partner_transfer_moves_the_sub_org_reach_that_comes_with_it(api, world):
    """P-PA reaches every sub-org as primary admin; after handing over, only if listed."""
    assert (
        api.client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-X")).status_code
        == 404
    )

    assert _transfer(api, world, world.P, "P-PA", world.members["P-X"].id).status_code == 200

    assert (
        api.client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-X")).status_code
        == 200
    )
    assert (
        api.client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-PA")).status_code
        == 404
    )
    assert (
        api.client.get(f"/api/v1/orgs/{world.T.id}", headers=world.headers("P-PA")).status_code
        == 200
    )


def test_transfer_is_audited(api, world):
    assert _transfer(api, world, world.S, "S-PA", world.members["S-A"].id).status_code == 200

    response = api.client.get(
        f"/api/v1/orgs/{world.S.id}/audit-events",
        params={"action": "org.primary_admin_transferred"},
        headers=world.headers("S-A"),
    )
    (event,) = response.json()["items"]
    assert event["target_id"] == str(world.members["S-A"].id)
    assert event["details"]["previous"] == str(world.members["S-PA"].id)
    assert event["actor_id"] == str(world.accounts["S-PA"].id)


def test_service_refuses_a_user_of_another_org(world, sessions):
    with sessions() as s:
        with pytest.raises(Invalid) as refused:
            directory.transfer_primary_admin(
                s, AuditTrail(s, None), s.get(Org, world.S.id), world.members["T-A"].id
            )
        assert refused.value.field == "user_id"
        s.rollback()


def test_every_org_keeps_exactly_one_primary_admin_through_transfers(world, api, sessions):
    for actor, target in (("S-PA", "S-A"), ("S-A", "S-U"), ("OP", "S-PA")):
        assert _transfer(api, world, world.S, actor, world.members[target].id).status_code == 200
        with sessions() as s:
            primaries = s.scalars(
                select(Membership.id).where(
                    Membership.org_id == world.S.id, Membership.is_primary_admin
                )
            ).all()
            s.rollback()
        assert primaries == [world.members[target].id]


def test_simultaneous_transfers_leave_one_primary_admin_and_no_errors(world, sessions):
    """Two transfers racing in one org are serialised, not a database error (a 500)."""
    import threading

    for round_ in range(4):
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def transfer(target: str, barrier=barrier, outcomes=outcomes) -> None:  # type: ignore[no-untyped-def]
            with sessions() as s:
                barrier.wait(timeout=30)  # before the session touches the database
                try:
                    org = s.get(Org, world.S.id)
                    directory.transfer_primary_admin(
                        s, AuditTrail(s, None), org, world.members[target].id
                    )
                    s.commit()
                    outcomes.append("ok")
                except Exception as exc:  # noqa: BLE001 - the test reports any failure
                    s.rollback()
                    outcomes.append(type(exc).__name__)

        targets = ("S-A", "S-U") if round_ % 2 == 0 else ("S-RO", "S-PA")
        threads = [threading.Thread(target=transfer, args=(t,)) for t in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert outcomes == ["ok", "ok"], round_
        with sessions() as s:
            primaries = s.scalars(
                select(Membership.id).where(
                    Membership.org_id == world.S.id, Membership.is_primary_admin
                )
            ).all()
            s.rollback()
        assert len(primaries) == 1
        assert primaries[0] in {world.members[t].id for t in targets}
