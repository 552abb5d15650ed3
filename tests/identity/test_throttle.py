"""The throttles' limits are settings."""

from __future__ import annotations

from datetime import timedelta

from tenantree.config import Settings
from tenantree.identity.context import IdentityConfig
from tenantree.identity.throttle import Limits


def test_password_reset_limits_come_from_settings(settings: Settings, identity) -> None:  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(
        update={
            "password_reset_window_seconds": 120,
            "password_reset_max_requests_per_email": 2,
            "password_reset_max_requests_per_address": 7,
        }
    )
    config = IdentityConfig.from_settings(tuned, identity.outbox)
    assert config.password_reset_limits == Limits(timedelta(minutes=2), per_email=2, per_address=7)


def test_sign_in_limits_come_from_settings(settings: Settings, identity) -> None:  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(
        update={
            "signin_window_seconds": 60,
            "signin_max_failures_per_account": 3,
            "signin_max_failures_per_address": 9,
        }
    )
    config = IdentityConfig.from_settings(tuned, identity.outbox)
    assert config.signin_limits == Limits(timedelta(minutes=1), per_email=3, per_address=9)
