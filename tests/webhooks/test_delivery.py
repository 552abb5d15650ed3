"""Delivery to a real receiver: signed (checked by the standardwebhooks package),
retried on 500 and on timeouts with the same webhook-id, never lost when a
worker dies mid-delivery, and the endpoint disabled with an alert after
persistent failure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from factories import make_member, make_org
from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.identity.roles import Role
from tenantree.outbox import MemoryBackend, Outbox
from tenantree.outbox.delivery import Delivery, claim, drain, record, send_one
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.retry import RetryPolicy
from tenantree.webhooks import service
from tenantree.webhooks.channel import WebhookChannel
from tenantree.webhooks.models import WebhookEndpoint
from tenantree.webhooks.production import WEBHOOK
from webhooks.helpers import LOCAL, deliveries_to, org_changed, register
from webhooks.receiver import running_receiver

# Retries due at once, so a test drains them; still given up after a day.
AT_ONCE = RetryPolicy(max_attempts=1000, base_seconds=0.0, give_up_after=timedelta(hours=24))


def delivery(worker: str = "w1", *, disable_after: int = 50) -> tuple[Delivery, Outbox]:
    outbox = Outbox(MemoryBackend(), "tenantree <no-reply@tenantree.test>")
    channel = WebhookChannel(LOCAL, outbox, policy=AT_ONCE, disable_after=disable_after)
    return Delivery(outbox, worker, channels={WEBHOOK: channel}), outbox


def arrange(sessions: sessionmaker[Session], url: str, **kwargs):  # type: ignore[no-untyped-def]
    with sessions() as session, UnitOfWork(session):
        org = make_org(session)
        made = register(session, org, url, **kwargs)
        org_changed(session, org)
    return org, made


def rows(sessions: sessionmaker[Session], made) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return deliveries_to(session, made)


def test_a_delivery_is_signed_as_standard_webhooks_and_verifies(db: Engine, sessions) -> None:
    with running_receiver() as receiver:
        _, made = arrange(sessions, receiver.url)
        with sessions() as session:
            assert drain(session, delivery()[0]) == 1
    (got,) = receiver.received
    payload = Webhook(made.secret).verify(got.body, got.headers)
    assert payload["type"] == "org.updated"
    (row,) = rows(sessions, made)
    assert got.headers["webhook-id"] == str(row.id)
    assert (row.status, row.attempts, row.last_response_code) == (MessageStatus.SENT, 1, 200)


def test_a_500_is_retried_with_the_same_webhook_id_until_it_is_taken(db: Engine, sessions) -> None:
    with running_receiver([500, 503]) as receiver:
        _, made = arrange(sessions, receiver.url)
        with sessions() as session:
            drain(session, delivery()[0])
    assert len(set(receiver.ids())) == 1 and len(receiver.received) == 3
    for got in receiver.received:
        Webhook(made.secret).verify(got.body, got.headers)
    (row,) = rows(sessions, made)
    assert (row.status, row.attempts, row.last_response_code) == (MessageStatus.SENT, 3, 200)


def test_a_receiver_that_times_out_is_tried_again(db: Engine, sessions) -> None:
    with running_receiver([("slow", 2.0)]) as receiver:
        _, made = arrange(sessions, receiver.url)
        with sessions() as session:
            drain(session, delivery()[0])
    (row,) = rows(sessions, made)
    assert (row.status, row.attempts) == (MessageStatus.SENT, 2)
    assert len(set(receiver.ids())) == 1


def test_a_failed_attempt_keeps_the_answer_and_waits_with_backoff(db: Engine, sessions) -> None:
    with running_receiver([500]) as receiver:
        _, made = arrange(sessions, receiver.url)
        outbox = Outbox(MemoryBackend(), "x <x@tenantree.test>")
        patient = Delivery(outbox, "w1", channels={WEBHOOK: WebhookChannel(LOCAL, outbox)})
        with sessions() as session:
            assert drain(session, patient) == 1  # the retry is not due yet
    (row,) = rows(sessions, made)
    assert (row.status, row.attempts, row.last_response_code) == (MessageStatus.PENDING, 1, 500)
    assert "HTTP 500" in row.last_error
    assert row.next_attempt_at > clock.utcnow() + timedelta(seconds=10)


def test_a_worker_killed_mid_delivery_loses_nothing(db: Engine, sessions) -> None:
    """The first worker posted, then died before recording: its lease expires, another
    worker delivers again with the same webhook-id (receivers deduplicate on it)."""
    with running_receiver() as receiver:
        _, made = arrange(sessions, receiver.url)
        first, _ = delivery("w1")
        second, _ = delivery("w2")
        with sessions() as session:
            (held,) = claim(session, first)
            send_one(session, first, held)  # ... and the process dies here
            assert claim(session, second) == []  # leased: not taken twice meanwhile
            with UnitOfWork(session):
                session.execute(
                    update(OutboxMessage).values(
                        claimed_until=clock.utcnow() - timedelta(seconds=1)
                    )
                )
            assert drain(session, second) == 1
            record(session, first, held, None)  # back from the dead: changes nothing
    assert receiver.ids() == [str(held.id), str(held.id)]
    (row,) = rows(sessions, made)
    assert (row.status, row.attempts) == (MessageStatus.SENT, 1)


def test_a_day_of_failures_disables_the_endpoint_and_alerts_the_admins(
    db: Engine, sessions, identity
) -> None:
    with running_receiver([500] * 5) as receiver:
        with sessions() as session, UnitOfWork(session):
            org = make_org(session)
            make_member(session, identity, org, role=Role.ADMIN, email="boss@example.com")
            make_member(session, identity, org, role=Role.USER, email="staff@example.com")
            made = register(session, org, receiver.url)
            org_changed(session, org)
        with sessions() as session:
            (held,) = claim(session, delivery()[0])
            with UnitOfWork(session):  # queued a day ago
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == held.id)
                    .values(created_at=clock.utcnow() - timedelta(hours=24), claimed_until=None)
                )
            worker, outbox = delivery()
            drain(session, worker)  # the alert mail is sent in the same pass
    (row,) = rows(sessions, made)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
    with sessions() as session:
        endpoint = session.get(WebhookEndpoint, made.endpoint.id)
        assert not endpoint.enabled and "24 hours" in endpoint.disabled_reason
        audited = session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(endpoint.id))
        ).all()
    assert "webhook.disabled" in audited
    (alert,) = outbox.backend.sent  # to the admins only
    assert alert.to == "boss@example.com" and receiver.url in alert.text


def test_consecutive_failures_disable_the_endpoint_and_it_gets_nothing_more(
    db: Engine, sessions
) -> None:
    with running_receiver([500] * 10) as receiver:
        org, made = arrange(sessions, receiver.url)
        with sessions() as session:
            drain(session, delivery(disable_after=3)[0])
            with UnitOfWork(session):
                org_changed(session, session.merge(org))
            drain(session, delivery(disable_after=3)[0])
    assert len(receiver.received) == 3
    (row,) = rows(sessions, made)  # the later change queued nothing for it
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 4)
    assert "disabled" in row.last_error


def test_enabling_again_starts_the_failure_count_afresh(db: Engine, sessions) -> None:
    with running_receiver([500] * 3) as receiver:
        org, made = arrange(sessions, receiver.url)
        with sessions() as session:
            drain(session, delivery(disable_after=3)[0])
        with sessions() as session, UnitOfWork(session):
            endpoint = session.get(WebhookEndpoint, made.endpoint.id)
            assert not endpoint.enabled
            service.update_endpoint(
                session,
                AuditTrail(session, None),
                session.merge(org),
                endpoint,
                LOCAL,
                enabled=True,
            )
        with sessions() as session:
            endpoint = session.get(WebhookEndpoint, made.endpoint.id)
            assert (endpoint.enabled, endpoint.consecutive_failures) == (True, 0)


def test_a_delivered_events_body_is_not_kept_in_the_queue(db: Engine, sessions) -> None:
    with running_receiver() as receiver:
        _, made = arrange(sessions, receiver.url)
        with sessions() as session:
            drain(session, delivery()[0])
    (row,) = rows(sessions, made)
    assert "body" not in row.payload and row.payload["type"] == "org.updated"


def test_a_name_that_resolves_inside_the_network_is_refused_at_connect_time(
    db: Engine, sessions, monkeypatch
) -> None:
    """Saved as a public name, it later resolves to loopback (DNS rebinding): the
    worker connects to no private address and the receiver gets nothing."""
    import socket

    from tenantree.webhooks.config import WebhookConfig

    with running_receiver() as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
        _, made = arrange(sessions, f"https://rebound.example.com:{port}/hook")
        real = socket.getaddrinfo

        def rebound(host, *args, **kwargs):  # type: ignore[no-untyped-def]
            if host == "rebound.example.com":
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
            return real(host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebound)
        outbox = Outbox(MemoryBackend(), "x <x@tenantree.test>")
        guarded = WebhookConfig(secret_key="test-secret-key", timeout_seconds=0.5)
        worker = Delivery(outbox, "w1", channels={WEBHOOK: WebhookChannel(guarded, outbox)})
        with sessions() as session:
            drain(session, worker)
    assert receiver.received == []
    (row,) = rows(sessions, made)
    assert "no public address" in row.last_error
