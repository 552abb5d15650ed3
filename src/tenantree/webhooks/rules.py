"""When an endpoint is disabled for failing, and the retry schedule. Plain."""

from __future__ import annotations

from datetime import timedelta

from tenantree.outbox.retry import RetryPolicy

# Failed attempts in a row (across the endpoint's deliveries) after which it is
# disabled even before one delivery has used up its day of retries: a receiver
# gone for good should not be hammered by every new event.
DISABLE_AFTER_FAILURES = 50

# Exponential backoff (30 s doubling, with jitter, capped at 2 h) for 24 h,
# then the delivery is given up: about 25 attempts.
RETRY_POLICY = RetryPolicy(
    max_attempts=1000,
    base_seconds=30.0,
    cap_seconds=2 * 3600.0,
    give_up_after=timedelta(hours=24),
)


def disabling_reason(
    *, consecutive_failures: int, gave_up: bool, limit: int = DISABLE_AFTER_FAILURES
) -> str | None:
    """Why a failing endpoint is disabled now, or None to keep it."""
    if gave_up:
        return "a delivery failed on every attempt for 24 hours"
    if consecutive_failures >= limit:
        return f"{consecutive_failures} delivery attempts in a row failed"
    return None
