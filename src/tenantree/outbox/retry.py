"""When a message that could not be delivered is tried again, and when it is given up."""

from __future__ import annotations

import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from tenantree.outbox.outbox import RelayUnavailable


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    # The first retry waits about this long, each next one twice as long, up to `cap_seconds`.
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    # Also give up once the message is this old (webhooks: a day of retries).
    give_up_after: timedelta | None = None

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the `attempts`-th failed attempt: exponential, with "equal
        jitter" (half fixed, half random) so a relay outage's backlog does not come
        back all at once."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        draw = (rng or random).random()  # noqa: S311 - spreading retries, not a secret
        return timedelta(seconds=ceiling / 2 + draw * ceiling / 2)

    def gives_up(
        self, attempts: int, error: BaseException, *, age: timedelta | None = None
    ) -> bool:
        """After `attempts` failed attempts, the last with `error`, `age` after queueing."""
        too_old = self.give_up_after is not None and age is not None and age >= self.give_up_after
        return attempts >= self.max_attempts or too_old or is_permanent(error)


def is_permanent(error: BaseException) -> bool:
    """Errors no retry can mend: the relay is gone, or the server refused for good (5xx)."""
    if isinstance(error, RelayUnavailable) or getattr(error, "permanent", False):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(
            500 <= code < 600 for code, _ in error.recipients.values()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def describe(error: BaseException) -> str:
    """The reason kept on the message and shown to admins: short, one line."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text[:500]
