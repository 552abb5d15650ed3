"""The outbox as the server and the CLI run it: org relays resolved by branding,
the worker's settings, and what readiness asks of it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from tenantree.branding.relay import relay_server
from tenantree.config import Settings
from tenantree.outbox import EmailBackend, Outbox, SmtpServer, backend_from_url
from tenantree.outbox.delivery import Delivery
from tenantree.outbox.operations import worker_alive
from tenantree.outbox.retry import RetryPolicy
from tenantree.outbox.worker import Worker, new_worker_id
from tenantree.server.retention import prune
from tenantree.webhooks.channel import WebhookChannel
from tenantree.webhooks.config import WebhookConfig
from tenantree.webhooks.production import WEBHOOK


def make_outbox(settings: Settings, email_backend: EmailBackend | None = None) -> Outbox:
    secret_key = settings.resolved_secret_key()

    def relays(session: Session, org_id: uuid.UUID) -> SmtpServer:
        return relay_server(session, org_id, secret_key)

    return Outbox(
        email_backend or backend_from_url(settings.email_backend),
        settings.email_from,
        allow_private_relay_hosts=settings.smtp_relay_allow_private_hosts,
        relays=relays,
    )


def make_delivery(
    settings: Settings,
    outbox: Outbox,
    *,
    worker_id: str | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> Delivery:
    return Delivery(
        outbox,
        worker_id or new_worker_id(),
        RetryPolicy(
            max_attempts=settings.outbox_max_attempts,
            base_seconds=settings.outbox_retry_base_seconds,
            cap_seconds=settings.outbox_retry_max_seconds,
        ),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        on_failure=on_failure,
        channels={WEBHOOK: WebhookChannel(WebhookConfig.from_settings(settings), outbox)},
    )


def make_worker(
    settings: Settings,
    sessions: sessionmaker[Session],
    outbox: Outbox,
    on_failure: Callable[[str], None] | None = None,
) -> Worker:
    worker = Worker(
        sessions,
        make_delivery(settings, outbox, on_failure=on_failure),
        poll_seconds=settings.outbox_poll_seconds,
        chores=lambda session: prune(session, settings),
        chores_every_seconds=settings.retention_sweep_seconds,
    )
    outbox.on_commit(worker.poke)
    return worker


def outbox_readiness(settings: Settings, worker: Worker) -> Callable[[Connection], str]:
    """The /readyz check: this process's worker (background) or any worker (external)
    has beaten its heartbeat lately."""
    stale_after = timedelta(seconds=settings.outbox_heartbeat_stale_seconds)

    def check(conn: Connection) -> str:
        if settings.outbox_worker == "background":
            if not worker.alive:
                return "the background outbox worker is not running"
            if not worker_alive(conn, stale_after, worker.id):
                return f"the outbox worker has no heartbeat in {stale_after.seconds} s"
            return "ok"
        if not worker_alive(conn, stale_after):
            return (
                f"no outbox worker has a heartbeat in {stale_after.seconds} s; "
                "run tenantree outbox work"
            )
        return "ok"

    return check
