"""The outbox's "webhook" delivery kind: sign, post, and keep the endpoint's
health (failures in a row; disabling with an alert to the org's admins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.identity.sealed import unseal
from tenantree.outbox import Outbox
from tenantree.outbox.delivery import Claimed
from tenantree.outbox.models import OutboxMessage
from tenantree.outbox.retry import RetryPolicy
from tenantree.webhooks import http, signing
from tenantree.webhooks.config import SECRET_PURPOSE, WebhookConfig
from tenantree.webhooks.models import WebhookEndpoint
from tenantree.webhooks.rules import DISABLE_AFTER_FAILURES, RETRY_POLICY, disabling_reason

REQUEST_ID = "webhooks"


class EndpointGone(Exception):
    """The endpoint was removed or disabled since the event was queued: never retried."""

    permanent = True


class ReceiverRefused(Exception):
    """The receiver answered, but not with a 2xx: retried."""

    def __init__(self, response_code: int):
        super().__init__(f"the receiver answered HTTP {response_code}")
        self.response_code = response_code


@dataclass(frozen=True)
class Target:
    url: str
    secret: str = field(repr=False)


@dataclass
class WebhookChannel:
    config: WebhookConfig
    # Alerts to the org's admins are queued here (mail, through the outbox).
    outbox: Outbox
    policy: RetryPolicy = RETRY_POLICY
    disable_after: int = DISABLE_AFTER_FAILURES

    def _target(self, session: Session, message: Claimed) -> Target:
        with UnitOfWork(session):  # read, then the transaction ends before posting
            endpoint = session.get(WebhookEndpoint, uuid.UUID(message.payload["endpoint_id"]))
            if endpoint is None:
                raise EndpointGone("the endpoint was removed")
            if not endpoint.enabled and not message.payload.get("test"):
                raise EndpointGone("the endpoint is disabled")
            secret = unseal(self.config.secret_key, SECRET_PURPOSE, endpoint.secret_sealed)
            return Target(endpoint.url, secret)

    def send(self, session: Session, message: Claimed) -> int:
        target = self._target(session, message)
        body = message.payload["body"].encode()
        timestamp = int(clock.utcnow().timestamp())
        headers = signing.headers(target.secret, str(message.id), timestamp, body)
        status = http.post(
            target.url,
            body,
            headers,
            allow_private=self.config.allow_private_hosts,
            timeout=self.config.timeout_seconds,
        )
        if not 200 <= status < 300:
            raise ReceiverRefused(status)
        return status

    def recorded(
        self, session: Session, row: OutboxMessage, error: BaseException | None, gave_up: bool
    ) -> None:
        if row.subject_id is None or isinstance(error, EndpointGone):
            return
        endpoint = session.get(WebhookEndpoint, row.subject_id, with_for_update=True)
        if endpoint is None:
            return
        if error is None:
            # The log needs the type and event, not the body (the audit trail keeps it).
            row.payload = {k: v for k, v in row.payload.items() if k != "body"}
            endpoint.consecutive_failures = 0
            endpoint.last_success_at = clock.utcnow()
            return
        endpoint.consecutive_failures += 1
        if not endpoint.enabled or row.payload.get("test"):
            return  # a failed test event tells the admin; it disables nothing
        reason = disabling_reason(
            consecutive_failures=endpoint.consecutive_failures,
            gave_up=gave_up,
            limit=self.disable_after,
        )
        if reason is not None:
            self._disable(session, endpoint, reason, row)

    def _disable(
        self, session: Session, endpoint: WebhookEndpoint, reason: str, row: OutboxMessage
    ) -> None:
        endpoint.enabled = False
        endpoint.disabled_reason = reason
        endpoint.disabled_at = clock.utcnow()
        AuditTrail(session, None, request_id=REQUEST_ID).record(
            AuditAction.WEBHOOK_DISABLED,
            org_id=endpoint.org_id,
            target_type="webhook",
            target_id=endpoint.id,
            url=endpoint.url,
            reason=reason,
            last_error=row.last_error,
        )
        for address in admin_emails(session, endpoint.org_id):
            self.outbox.enqueue(
                session,
                to=address,
                subject="A webhook endpoint was disabled",
                text=alert_text(endpoint, reason, row.last_error),
                org_id=endpoint.org_id,
                about=("webhook_alert", endpoint.id),
            )


def admin_emails(session: Session, org_id: uuid.UUID) -> list[str]:
    """The org's active admins, who are told when one of its endpoints is disabled."""
    return list(
        session.scalars(
            select(Account.email)
            .join(Membership, Membership.account_id == Account.id)
            .where(
                Membership.org_id == org_id,
                Membership.role == Role.ADMIN,
                Membership.status == MemberStatus.ACTIVE,
            )
            .order_by(Account.email)
        )
    )


def alert_text(endpoint: WebhookEndpoint, reason: str, last_error: str | None) -> str:
    return (
        f"The webhook endpoint {endpoint.url} was disabled: {reason}.\n"
        f"Last error: {last_error or 'none recorded'}\n\n"
        "Events are no longer sent to it. Once the receiver works again, send it a "
        "test event and enable it (PATCH .../webhooks/{id} with enabled: true, or the "
        "console's Webhooks page).\n"
    )
