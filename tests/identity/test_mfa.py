"""Second factors over HTTP: the sign-in's second step, enrolment, recovery
codes, removal, throttling, and what each leaves in the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from factories import (
    enrol_totp,
    make_account,
    make_member,
    make_org,
    totp_code,
)
from tenantree.audit.models import AuditEvent
from tenantree.identity.mfa_models import RecoveryCode
from tenantree.identity.roles import Role
from tenantree.orgs.mfa_policy import OrgMfaPolicy


def _actions(api, prefix: str = "mfa.") -> list[str]:  # type: ignore[no-untyped-def]
    with api.db() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id))
        return [e.action for e in events if e.action.startswith(prefix)]


def _member(session, identity, email: str, *, totp: bool = False, required: bool = False):  # type: ignore[no-untyped-def]
    org = make_org(session, name="Acme")
    membership = make_member(session, identity, org, email=email, role=Role.ADMIN)
    if totp:
        enrol_totp(session, identity, membership.account)
    if required:
        session.add(OrgMfaPolicy(org_id=org.id, required=True))
    session.commit()
    return org, membership


def _challenge(api, email: str) -> str:  # type: ignore[no-untyped-def]
    response = api.login(email)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "mfa_required"
    assert "access_token" not in response.json()
    return response.json()["challenge"]  # type: ignore[no-any-return]


def _enrol_totp(api, headers) -> list[str]:  # type: ignore[no-untyped-def]
    started = api.client.post("/api/v1/me/mfa/totp", headers=headers)
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    assert started.json()["provisioning_uri"].startswith("otpauth://totp/")
    confirmed = api.client.post(
        "/api/v1/me/mfa/totp/confirm", json={"code": totp_code(secret)}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()["recovery_codes"]  # type: ignore[no-any-return]


def test_an_operator_is_asked_for_a_second_factor_and_gets_a_session_for_the_right_code(
    api, session, identity
):
    make_account(session, identity, email="ops@example.com", is_operator=True)
    session.commit()

    challenge = _challenge(api, "ops@example.com")
    done = api.second_step("ops@example.com", challenge)

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "signed_in"
    me = api.me({"Authorization": f"Bearer {done.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["is_operator"] is True


def test_a_wrong_code_is_refused_and_audited(api, session, identity, err):
    _member(session, identity, "ann@example.com", totp=True)
    challenge = _challenge(api, "ann@example.com")

    wrong = api.second_step("ann@example.com", challenge, code="000000")

    assert wrong.status_code == 401
    assert err(wrong)["code"] == "invalid_second_factor"
    assert _actions(api) == ["mfa.failed"]


def test_a_code_is_accepted_once(api, session, identity, frozen_clock, err):
    _member(session, identity, "ann@example.com", totp=True)
    code = totp_code()
    first = api.second_step("ann@example.com", _challenge(api, "ann@example.com"), code=code)
    assert first.status_code == 200, first.text

    replayed = api.second_step("ann@example.com", _challenge(api, "ann@example.com"), code=code)

    assert replayed.status_code == 401
    assert err(replayed)["code"] == "invalid_second_factor"


def test_a_challenge_is_single_use_and_expires_after_five_minutes(
    api, session, identity, frozen_clock, err
):
    _, member = _member(session, identity, "ann@example.com", totp=True)
    used = _challenge(api, "ann@example.com")
    assert api.second_step("ann@example.com", used).status_code == 200
    again = api.second_step("ann@example.com", used)
    assert err(again)["code"] == "mfa_challenge_expired"

    late = _challenge(api, "ann@example.com")
    frozen_clock.advance(minutes=5, seconds=1)
    expired = api.second_step("ann@example.com", late)

    assert expired.status_code == 401
    assert err(expired)["code"] == "mfa_challenge_expired"


def test_wrong_second_factors_are_throttled_even_before_the_right_one(api, session, identity, err):
    _member(session, identity, "ann@example.com", totp=True)
    challenge = _challenge(api, "ann@example.com")
    for _ in range(identity.limits.sign_in_account_address.limit):
        assert api.second_step("ann@example.com", challenge, code="000000").status_code == 401

    throttled = api.second_step("ann@example.com", challenge)

    assert throttled.status_code == 429
    assert err(throttled)["code"] == "mfa_throttled"
    assert int(throttled.headers["Retry-After"]) > 0
    assert _actions(api)[-1] == "mfa.throttled"


def test_enrolling_an_app_gives_ten_recovery_codes_and_each_signs_in_once(
    api, session, identity, err
):
    _member(session, identity, "ann@example.com")
    headers = api.sign_in("ann@example.com")

    codes = _enrol_totp(api, headers)

    assert len(codes) == 10 and len(set(codes)) == 10
    with api.db() as s:
        stored = set(s.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not set(codes) & stored  # only hashes are kept
    used = api.second_step(
        "ann@example.com", _challenge(api, "ann@example.com"), recovery_code=codes[0]
    )
    assert used.status_code == 200, used.text
    again = api.second_step(
        "ann@example.com", _challenge(api, "ann@example.com"), recovery_code=codes[0]
    )
    assert err(again)["code"] == "invalid_second_factor"
    factors = api.client.get("/api/v1/me/mfa", headers=headers).json()
    assert factors["totp"] is True and factors["recovery_codes_left"] == 9
    assert _actions(api) == ["mfa.totp_enrolled", "mfa.recovery_code_used", "mfa.failed"]


def test_regenerating_recovery_codes_replaces_the_old_set(api, session, identity, err):
    _member(session, identity, "ann@example.com")
    headers = api.sign_in("ann@example.com")
    old = _enrol_totp(api, headers)

    fresh = api.client.post("/api/v1/me/mfa/recovery-codes", headers=headers)

    assert fresh.status_code == 200
    new = fresh.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    refused = api.second_step(
        "ann@example.com", _challenge(api, "ann@example.com"), recovery_code=old[1]
    )
    assert err(refused)["code"] == "invalid_second_factor"
    assert "mfa.recovery_codes_regenerated" in _actions(api)


def test_recovery_codes_need_a_second_factor_first(api, session, identity):
    _member(session, identity, "ann@example.com")
    headers = api.sign_in("ann@example.com")

    refused = api.client.post("/api/v1/me/mfa/recovery-codes", headers=headers)

    assert refused.status_code == 404


def test_a_wrong_first_code_does_not_enrol_the_app(api, session, identity, err):
    _member(session, identity, "ann@example.com")
    headers = api.sign_in("ann@example.com")
    api.client.post("/api/v1/me/mfa/totp", headers=headers)

    wrong = api.client.post("/api/v1/me/mfa/totp/confirm", json={"code": "000000"}, headers=headers)

    assert wrong.status_code == 422
    assert err(wrong)["field"] == "code"
    assert api.login("ann@example.com").json()["status"] == "signed_in"


def test_removing_the_app_ends_the_second_step_and_its_recovery_codes(api, session, identity):
    _member(session, identity, "ann@example.com")
    headers = api.sign_in("ann@example.com")
    _enrol_totp(api, headers)

    removed = api.client.delete("/api/v1/me/mfa/totp", headers=headers)

    assert removed.status_code == 204
    assert api.login("ann@example.com").json()["status"] == "signed_in"
    with api.db() as s:
        assert s.scalars(select(RecoveryCode)).all() == []
    assert _actions(api) == ["mfa.totp_enrolled", "mfa.totp_removed"]


def test_a_second_app_is_refused_while_one_is_enrolled(api, session, identity, err):
    _member(session, identity, "ann@example.com", totp=True)
    headers = api.sign_in("ann@example.com")

    again = api.client.post("/api/v1/me/mfa/totp", headers=headers)

    assert again.status_code == 409
    assert err(again)["code"] == "second_factor_exists"


def test_a_member_of_an_org_requiring_mfa_without_a_factor_may_only_enrol(
    api, session, identity, err
):
    _member(session, identity, "ann@example.com", required=True)
    response = api.login("ann@example.com")
    assert response.json()["status"] == "mfa_enrolment_required"
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    limited = api.client.get("/api/v1/orgs", headers=headers)
    assert limited.status_code == 403
    assert err(limited)["code"] == "mfa_enrolment_required"
    assert api.client.get("/api/v1/me/mfa", headers=headers).json()["mfa_required"] is True

    _enrol_totp(api, headers)

    assert api.client.get("/api/v1/orgs", headers=headers).status_code == 200
    assert api.login("ann@example.com").json()["status"] == "mfa_required"


def test_an_operator_made_without_a_factor_is_sent_to_enrol(api, session, identity):
    account = make_account(session, identity, email="ops@example.com")
    account.is_operator = True  # as `tenantree operator create` makes one
    session.commit()

    assert api.login("ops@example.com").json()["status"] == "mfa_enrolment_required"


def test_a_password_reset_keeps_the_second_factor(api, session, identity, outbox):
    _member(session, identity, "ann@example.com", totp=True)
    api.client.post("/api/v1/auth/password-reset", json={"email": "ann@example.com"})
    (text,) = outbox.to("ann@example.com")
    token = text.split("token=")[1].split()[0].strip()
    new_password = "an entirely new passphrase"
    confirmed = api.client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": new_password}
    )
    assert confirmed.status_code == 204, confirmed.text

    response = api.login("ann@example.com", new_password)

    assert response.json()["status"] == "mfa_required"


def test_exactly_one_factor_is_given(api, session, identity, err):
    _member(session, identity, "ann@example.com", totp=True)
    challenge = _challenge(api, "ann@example.com")

    both = api.second_step("ann@example.com", challenge, code="123456", recovery_code="x")

    assert both.status_code == 422
    assert err(both)["field"] == "code"
