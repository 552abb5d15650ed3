from tenantree.webhooks.rules import DISABLE_AFTER_FAILURES, RETRY_POLICY, disabling_reason


def test_retries_back_off_exponentially_for_a_day() -> None:
    ceilings = [
        min(RETRY_POLICY.cap_seconds, RETRY_POLICY.base_seconds * 2 ** (n - 1))
        for n in range(1, 41)
    ]
    assert ceilings[:4] == [30, 60, 120, 240] and max(ceilings) == 2 * 3600
    # Each wait is between half its ceiling and the ceiling: a day of retries is
    # more than 12 attempts and at most 40.
    assert sum(ceilings[:12]) < 24 * 3600 < sum(c / 2 for c in ceilings)
    assert RETRY_POLICY.give_up_after is not None
    assert RETRY_POLICY.give_up_after.total_seconds() == 24 * 3600


def test_an_endpoint_is_disabled_when_a_delivery_gives_up_or_failures_pile_up() -> None:
    assert disabling_reason(consecutive_failures=1, gave_up=True)
    assert disabling_reason(consecutive_failures=DISABLE_AFTER_FAILURES, gave_up=False)
    assert disabling_reason(consecutive_failures=DISABLE_AFTER_FAILURES - 1, gave_up=False) is None
