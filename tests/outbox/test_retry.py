"""When a failed message is tried again, and when it is given up (plain rules)."""

from __future__ import annotations

import random
import smtplib
from datetime import timedelta

from tenantree.outbox import RelayUnavailable
from tenantree.outbox.retry import RetryPolicy, describe, is_permanent


def test_the_delay_doubles_with_each_attempt_within_its_jitter() -> None:
    policy = RetryPolicy(base_seconds=10, cap_seconds=10_000)
    rng = random.Random(1)
    for attempts, ceiling in ((1, 10), (2, 20), (3, 40), (6, 320)):
        delay = policy.delay(attempts, rng)
        assert timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling)


def test_the_delay_is_capped() -> None:
    policy = RetryPolicy(base_seconds=10, cap_seconds=60)
    assert policy.delay(30, random.Random(2)) <= timedelta(seconds=60)


def test_jitter_spreads_the_retries_of_one_outage() -> None:
    policy = RetryPolicy(base_seconds=100)
    rng = random.Random(3)
    assert len({policy.delay(4, rng) for _ in range(20)}) > 1


def test_a_message_is_given_up_after_its_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    down = ConnectionRefusedError("down")
    assert [policy.gives_up(n, down) for n in (1, 2, 3)] == [False, False, True]


def test_a_permanent_refusal_is_not_retried() -> None:
    assert is_permanent(smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"no such user")}))
    assert is_permanent(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert is_permanent(RelayUnavailable("the relay was removed"))


def test_a_temporary_refusal_is_retried() -> None:
    assert not is_permanent(smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"try later")}))
    assert not is_permanent(smtplib.SMTPServerDisconnected("gone"))
    assert not is_permanent(TimeoutError("timed out"))


def test_the_reason_is_one_short_line() -> None:
    reason = describe(OSError("line one\nline two " + "x" * 1000))
    assert "\n" not in reason and len(reason) <= 500 and reason.startswith("OSError: line one")
