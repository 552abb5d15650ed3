from tenantree.audit.actions import AuditAction
from tenantree.webhooks.event_types import TYPE_OF, EventType, event_type_of, subscribed


def test_every_audited_action_is_mapped_to_an_event_type_or_the_audit_stream() -> None:
    assert set(TYPE_OF) == set(AuditAction)


def test_the_audit_stream_gets_every_action_even_those_of_no_type() -> None:
    assert event_type_of("auth.signed_in") is None
    assert subscribed([EventType.AUDIT], "auth.signed_in")
    assert subscribed([EventType.AUDIT], "org.updated")


def test_an_endpoint_gets_only_the_types_it_subscribed_to() -> None:
    assert subscribed(["license"], "license.quota_changed")
    assert subscribed(["usage"], "usage.overage")
    assert not subscribed(["license"], "org.updated")
    assert not subscribed(["org", "user"], "auth.signed_in")
