"""The org "MFA required" setting over HTTP, down the partner tree."""

from __future__ import annotations

from sqlalchemy import select

from factories import build_world
from tenantree.audit.models import AuditEvent


def _put(api, world, org, actor: str, **body):  # type: ignore[no-untyped-def]
    return api.client.put(
        f"/api/v1/orgs/{org.id}/mfa-policy",
        json={"required": False, "required_for_sub_orgs": False, **body},
        headers=world.headers(actor),
    )


def _get(api, world, org, actor: str):  # type: ignore[no-untyped-def]
    return api.client.get(f"/api/v1/orgs/{org.id}/mfa-policy", headers=world.headers(actor))


def _step(api, actor: str) -> str:  # type: ignore[no-untyped-def]
    return api.login(f"{actor.lower()}@example.com").json()["status"]  # type: ignore[no-any-return]


def test_a_partner_requiring_mfa_of_its_sub_orgs_reaches_every_sub_org_member(
    api, session, identity
):
    world = build_world(session, identity)
    session.commit()

    done = _put(api, world, world.P, "P-PA", required_for_sub_orgs=True)

    assert done.status_code == 200, done.text
    assert done.json() == {
        "required": False,
        "required_for_sub_orgs": True,
        "inherited": False,
        "effective": False,
    }
    assert _step(api, "S-U") == "mfa_enrolment_required"
    assert _step(api, "T-A") == "mfa_enrolment_required"
    assert _step(api, "P-U") == "signed_in"  # the partner's own staff: its own setting
    assert _step(api, "U-A") == "signed_in"  # an unrelated org: untouched


def test_a_partner_requiring_mfa_of_its_own_staff_leaves_its_sub_orgs_alone(api, session, identity):
    world = build_world(session, identity)
    session.commit()

    assert _put(api, world, world.P, "P-A", required=True).status_code == 200

    assert _step(api, "P-U") == "mfa_enrolment_required"
    assert _step(api, "S-U") == "signed_in"


def test_a_sub_org_cannot_lift_what_its_partner_requires(api, session, identity):
    world = build_world(session, identity)
    session.commit()
    _put(api, world, world.P, "P-PA", required_for_sub_orgs=True)

    lifted = _put(api, world, world.S, "S-A", required=False)

    assert lifted.status_code == 200
    assert lifted.json()["inherited"] is True and lifted.json()["effective"] is True
    assert _step(api, "S-A") == "mfa_enrolment_required"


def test_a_sub_org_may_require_mfa_of_its_own_members(api, session, identity):
    world = build_world(session, identity)
    session.commit()

    assert _put(api, world, world.S, "S-A", required=True).status_code == 200

    assert _step(api, "S-U") == "mfa_enrolment_required"
    assert _step(api, "T-A") == "signed_in"


def test_only_a_partner_may_require_mfa_for_sub_orgs(api, session, identity, err):
    world = build_world(session, identity)
    session.commit()

    refused = _put(api, world, world.S, "S-A", required_for_sub_orgs=True)

    assert refused.status_code == 409
    assert err(refused)["field"] == "required_for_sub_orgs"


def test_who_may_read_and_change_the_setting(api, session, identity):
    world = build_world(session, identity)
    session.commit()

    assert _get(api, world, world.S, "P-A").status_code == 200
    assert _get(api, world, world.S, "S-U").status_code == 403
    assert _get(api, world, world.S, "T-A").status_code == 404
    assert _get(api, world, world.S, "U-A").status_code == 404
    assert _put(api, world, world.P, "P-U", required=True).status_code == 403
    assert _put(api, world, world.P, "S-A", required=True).status_code == 404


def test_changes_are_audited_on_the_org(api, session, identity):
    world = build_world(session, identity)
    session.commit()

    _put(api, world, world.P, "P-PA", required=True, required_for_sub_orgs=True)

    with api.db() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "org.mfa_policy_changed"))
        assert event is not None and event.org_id == world.P.id
        assert event.details["after"] == {"required": True, "required_for_sub_orgs": True}
