"""The throttles' limits are settings."""

from __future__ import annotations

from datetime import timedelta

from tenantree.config import Settings
from tenantree.identity.context import IdentityConfig
from tenantree.identity.throttle import Rule


def test_password_reset_limits_come_from_settings(settings: Settings, identity) -> None:  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(
        update={
            "password_reset_window_seconds": 120,
            "password_reset_max_requests_per_email": 2,
            "password_reset_max_requests_per_address": 7,
        }
    )
    limits = IdentityConfig.from_settings(tuned, identity.outbox).limits
    window = timedelta(minutes=2)
    assert limits.password_reset_email == Rule("password_reset.email", 2, window)
    assert limits.password_reset_address == Rule("password_reset.address", 7, window)


def test_sign_in_limits_come_from_settings(settings: Settings, identity) -> None:  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(
        update={
            "signin_window_seconds": 60,
            "signin_max_failures_per_account_address": 3,
            "signin_max_failures_per_account": 20,
            "signin_max_failures_per_address": 9,
        }
    )
    limits = IdentityConfig.from_settings(tuned, identity.outbox).limits
    window = timedelta(minutes=1)
    assert limits.sign_in_account_address == Rule("sign_in.account_address", 3, window)
    assert limits.sign_in_account == Rule("sign_in.account", 20, window)
    assert limits.sign_in_address == Rule("sign_in.address", 9, window)


def test_the_other_throttles_limits_come_from_settings(settings: Settings, identity) -> None:  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(
        update={
            "sso_start_max_per_address": 4,
            "invitation_max_per_org": 5,
            "invitation_max_per_inviter": 6,
            "scim_max_writes_per_token": 7,
        }
    )
    limits = IdentityConfig.from_settings(tuned, identity.outbox).limits
    assert limits.sso_start_address.limit == 4
    assert limits.invitation_org.limit == 5
    assert limits.invitation_inviter.limit == 6
    assert limits.scim_write_token.limit == 7
