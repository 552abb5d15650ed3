"""Sign-in throttling: failures per account and client address, per account and per
client address, in a sliding window."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from factories import (
    PASSWORD,
    bearer,
    issue_token,
    lowered_limits,
    make_account,
    make_member,
    make_org,
)
from tenantree.audit.service import AuditTrail
from tenantree.authn import signin
from tenantree.errors import TooManyRequests
from tenantree.identity.errors import InvalidCredentials
from tenantree.identity.throttle_models import ThrottleHit

WRONG = "definitely the wrong password"


@pytest.fixture
def ann(session, identity):  # type: ignore[no-untyped-def]
    make_member(session, identity, make_org(session), email="ann@example.com")
    session.commit()
    return "ann@example.com"


def _fail(api, email, times):  # type: ignore[no-untyped-def]
    for _ in range(times):
        response = api.login(email, WRONG)
        assert response.status_code == 401, response.text


def _assert_throttled(response, err) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert err(response)["code"] == "sign_in_throttled"
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) > 0
    return int(retry_after)


def test_account_is_locked_after_max_failures_even_with_the_right_password(
    api, ann, identity, frozen_clock, err
):
    _fail(api, ann, identity.limits.sign_in_account_address.limit)

    response = api.login(ann)

    retry_after = _assert_throttled(response, err)
    assert retry_after == identity.limits.sign_in_account_address.window.total_seconds()
    assert err(response)["limit"] == "sign_in.account_address"
    assert "access_token" not in response.text


def test_default_limits_are_five_per_account_and_address_and_fifty_per_account(settings):
    assert settings.signin_max_failures_per_account_address == 5
    assert settings.signin_max_failures_per_account == 50


def test_fewer_failures_than_the_limit_do_not_lock(api, ann, identity):
    _fail(api, ann, identity.limits.sign_in_account_address.limit - 1)

    assert api.login(ann).status_code == 200


def test_account_failures_count_whatever_the_case_of_the_email(api, ann, identity, err):
    for i in range(identity.limits.sign_in_account_address.limit):
        assert api.login(ann.upper() if i % 2 else ann.title(), WRONG).status_code == 401

    _assert_throttled(api.login(ann), err)


def test_locking_one_account_leaves_other_accounts_alone(api, ann, session, identity, err):
    make_member(session, identity, make_org(session), email="bob@example.com")
    session.commit()
    _fail(api, ann, identity.limits.sign_in_account_address.limit)

    _assert_throttled(api.login(ann), err)
    assert api.login("bob@example.com").status_code == 200


def test_unknown_emails_are_throttled_like_known_ones(api, ann, identity, err):
    """The 429 must not reveal which emails have accounts."""
    limit = identity.limits.sign_in_account_address.limit
    _fail(api, ann, limit)
    _fail(api, "ghost@example.com", limit)

    known = api.login(ann, WRONG)
    unknown = api.login("ghost@example.com", WRONG)

    _assert_throttled(known, err)
    _assert_throttled(unknown, err)
    assert known.json() == unknown.json()


def test_throttled_attempts_do_not_extend_the_lock(api, ann, identity, frozen_clock, err):
    _fail(api, ann, identity.limits.sign_in_account_address.limit)
    window = int(identity.limits.sign_in_account_address.window.total_seconds())

    for _ in range(3):
        frozen_clock.advance(seconds=window // 4)
        _assert_throttled(api.login(ann, WRONG), err)

    frozen_clock.advance(seconds=window - 3 * (window // 4))
    assert api.login(ann).status_code == 200


def test_the_window_passing_unlocks_the_account(api, ann, identity, frozen_clock, err):
    _fail(api, ann, identity.limits.sign_in_account_address.limit)
    window = identity.limits.sign_in_account_address.window.total_seconds()

    frozen_clock.advance(seconds=window - 1)
    assert _assert_throttled(api.login(ann), err) == 1

    frozen_clock.advance(seconds=1)
    assert api.login(ann).status_code == 200


def test_window_slides_from_the_oldest_failure(api, ann, identity, frozen_clock, err):
    """Failures age out one by one; Retry-After says when the oldest leaves the window."""
    window = int(identity.limits.sign_in_account_address.window.total_seconds())
    limit = identity.limits.sign_in_account_address.limit
    _fail(api, ann, 1)
    frozen_clock.advance(seconds=600)
    _fail(api, ann, limit - 1)

    assert _assert_throttled(api.login(ann), err) == window - 600

    frozen_clock.advance(seconds=window - 600)
    # The first failure has left the window: one more failure locks again,
    # until the failures made 600 seconds in leave it too.
    assert api.login(ann, WRONG).status_code == 401
    assert _assert_throttled(api.login(ann), err) == 600


def test_failures_are_recorded_at_the_service_clock(api, ann, frozen_clock):
    api.login(ann, WRONG)

    with api.db() as s:
        recorded = set(s.scalars(select(ThrottleHit.at)))

    assert recorded == {frozen_clock.now}


def test_client_address_is_locked_after_max_failures_across_emails(
    api, ann, identity, frozen_clock, err
):
    limit = identity.limits.sign_in_address.limit
    assert limit > identity.limits.sign_in_account_address.limit
    for i in range(limit):
        # Each email fails once, far below the per-account limit.
        assert api.login(f"guess-{i}@example.com", WRONG).status_code == 401

    response = api.login(ann)

    assert (
        _assert_throttled(response, err)
        == identity.limits.sign_in_account_address.window.total_seconds()
    )
    with api.db() as s:
        keys = set(
            s.scalars(select(ThrottleHit.key).where(ThrottleHit.key.like("sign_in.address:%")))
        )
    assert keys == {"sign_in.address:testclient"}


def test_client_address_lock_ends_when_the_window_passes(api, ann, identity, frozen_clock, err):
    for i in range(identity.limits.sign_in_address.limit):
        api.login(f"guess-{i}@example.com", WRONG)
    _assert_throttled(api.login(ann), err)

    frozen_clock.advance(seconds=identity.limits.sign_in_account_address.window.total_seconds())

    assert api.login(ann).status_code == 200


def test_address_limit_counts_per_address(session, sessions, identity, frozen_clock):
    """Directly against the service: one address being locked leaves others alone."""
    make_member(session, identity, make_org(session), email="ann@example.com")
    session.commit()
    config = lowered_limits(identity, sign_in_address=3)

    for i in range(3):
        with pytest.raises(InvalidCredentials):
            _attempt(sessions, config, "203.0.113.9", f"guess-{i}@example.com", WRONG)

    with pytest.raises(TooManyRequests) as locked:
        _attempt(sessions, config, "203.0.113.9", "ann@example.com", PASSWORD)
    assert locked.value.code == "sign_in_throttled"
    assert locked.value.retry_after == config.limits.sign_in_address.window.total_seconds()
    _attempt(sessions, config, "198.51.100.7", "ann@example.com", PASSWORD)


def test_every_failure_is_audited_and_throttled_attempts_too(api, ann, session, identity):
    operator = make_account(session, identity, email="op@example.com", is_operator=True)
    op_headers = bearer(issue_token(session, identity, operator))
    session.commit()
    limit = identity.limits.sign_in_account_address.limit
    _fail(api, ann, limit)
    api.login(ann)
    api.login(ann, WRONG)

    def events(action: str) -> list[dict]:  # type: ignore[type-arg]
        response = api.client.get(
            "/api/v1/audit-events", params={"action": action}, headers=op_headers
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    failed = events("auth.sign_in_failed")
    throttled = events("auth.sign_in_throttled")
    assert len(failed) == limit
    assert len(throttled) == 2
    for event in failed + throttled:
        assert event["org_id"] is None
        assert event["details"]["email"] == ann
    assert all(e["details"]["reason"] == "invalid_credentials" for e in failed)
    with api.db() as s:
        counted = select(func.count()).where(ThrottleHit.key == f"sign_in.account:{ann}")
        assert s.scalar(counted) == limit


def test_throttling_does_not_depend_on_the_raw_email_spelling_in_the_table(api, ann, identity):
    api.login(f"  {ann.upper()}  ", WRONG)

    with api.db() as s:
        keys = s.scalars(select(ThrottleHit.key).where(ThrottleHit.key.like("sign_in.account:%")))
        assert list(keys) == [f"sign_in.account:{ann}"]


def test_a_successful_sign_in_is_not_counted_as_a_failure(api, ann, identity):
    for _ in range(identity.limits.sign_in_account_address.limit + 2):
        assert api.login(ann).status_code == 200
    assert api.login(f"{uuid.uuid4().hex}@example.com", WRONG).status_code == 401


def _attempt(sessions, config, address: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        try:
            signin.sign_in(
                s,
                AuditTrail(s, None),
                config,
                email=email,
                password=password,
                client_address=address,
            )
        finally:
            s.commit()


def test_failures_from_one_address_do_not_lock_the_person_out_elsewhere(
    session, sessions, identity, db
):  # type: ignore[no-untyped-def]
    make_member(session, identity, make_org(session), email="ann@example.com")
    session.commit()
    for _ in range(identity.limits.sign_in_account_address.limit):
        with pytest.raises(InvalidCredentials):
            _attempt(sessions, identity, "203.0.113.9", "ann@example.com", WRONG)
    with pytest.raises(TooManyRequests):
        _attempt(sessions, identity, "203.0.113.9", "ann@example.com", PASSWORD)

    _attempt(sessions, identity, "198.51.100.7", "ann@example.com", PASSWORD)


def test_the_per_account_ceiling_holds_across_addresses(session, sessions, identity, db):  # type: ignore[no-untyped-def]
    make_member(session, identity, make_org(session), email="ann@example.com")
    session.commit()
    config = lowered_limits(identity, sign_in_account=3)
    for n in range(3):
        with pytest.raises(InvalidCredentials):
            _attempt(sessions, config, f"203.0.113.{n}", "ann@example.com", WRONG)

    with pytest.raises(TooManyRequests) as locked:
        _attempt(sessions, config, "198.51.100.7", "ann@example.com", PASSWORD)
    assert locked.value.extra == {"limit": "sign_in.account"}
