"""Messages written as rows in the transaction of the change that sends them.

An invitation email must never go out for an invitation that was rolled back,
and must not be lost when the process dies after the commit: so the message
is a row (`OutboxMessage`), committed or rolled back with the work, and a
worker (`outbox.worker`) delivers it. After a commit that wrote messages the
outbox pokes the workers of this process, so mail leaves at once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from tenantree.outbox.backends import EmailBackend, SmtpBackend, SmtpServer
from tenantree.outbox.models import OutboxMessage

EMAIL = "email"
_WROTE_KEY = "tenantree.outbox.wrote"


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    sender: str
    # An HTML alternative to `text` (sent as multipart/alternative).
    html: str | None = None
    reply_to: str | None = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> EmailMessage:
        return cls(
            to=payload["to"],
            subject=payload["subject"],
            text=payload["text"],
            sender=payload["sender"],
            html=payload.get("html"),
            reply_to=payload.get("reply_to"),
        )


class RelayUnavailable(Exception):
    """The org relay a message was queued for cannot be used any more (removed,
    or its password unreadable): sending it elsewhere could forge the org's mail."""


class RelayLookup(Protocol):
    def __call__(self, session: Session, org_id: uuid.UUID) -> SmtpServer: ...


def _no_relays(session: Session, org_id: uuid.UUID) -> SmtpServer:
    raise RelayUnavailable("this process cannot look up org relays")


class Outbox:
    """Where messages are queued, and how they are delivered."""

    def __init__(
        self,
        backend: EmailBackend,
        sender: str,
        *,
        allow_private_relay_hosts: bool = False,
        relays: RelayLookup = _no_relays,
    ):
        self.backend = backend
        self.sender = sender
        # Org relays are connected to only at public addresses unless this is set.
        self.allow_private_relay_hosts = allow_private_relay_hosts
        # An org's relay, by org id, resolved at send time (the secret stays in branding).
        self.relays = relays
        self._wakers: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def backend_for(self, session: Session, relay_org_id: uuid.UUID | None) -> EmailBackend:
        if relay_org_id is None:
            return self.backend
        server = self.relays(session, relay_org_id)
        return SmtpBackend.for_relay(server, public_only=not self.allow_private_relay_hosts)

    def on_commit(self, wake: Callable[[], None]) -> None:
        """Call `wake` after each commit that wrote messages (a worker's poke)."""
        with self._lock:
            self._wakers.append(wake)

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Poke this process's workers when a session of `factory` commits messages."""

        @event.listens_for(factory, "after_flush")
        def _noted(session: Session, _context: Any) -> None:
            if any(isinstance(o, OutboxMessage) for o in session.new):
                session.info[_WROTE_KEY] = True

        @event.listens_for(factory, "after_commit")
        def _poke(session: Session) -> None:
            if session.in_nested_transaction() or not session.info.pop(_WROTE_KEY, False):
                return
            with self._lock:
                wakers = list(self._wakers)
            for wake in wakers:
                wake()

        # A rolled-back transaction leaves the mark: one spare poke costs a scan.

    def enqueue(
        self,
        session: Session,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        sender: str | None = None,
        reply_to: str | None = None,
        relay_org_id: uuid.UUID | None = None,
        org_id: uuid.UUID | None = None,
        about: tuple[str, uuid.UUID] | None = None,
    ) -> OutboxMessage:
        """Write a message in the session's transaction.

        `sender` overrides the platform's; `relay_org_id` sends through that org's
        relay; `org_id` is whom it is sent for; `about` the record it concerns
        (`("invitation", id)`), where its delivery is shown.
        """
        message = OutboxMessage(
            kind=EMAIL,
            payload={
                "to": to,
                "subject": subject,
                "text": text,
                "html": html,
                "sender": sender or self.sender,
                "reply_to": reply_to,
            },
            org_id=org_id,
            relay_org_id=relay_org_id,
            subject_type=about[0] if about else None,
            subject_id=about[1] if about else None,
        )
        session.add(message)
        session.flush()  # the row is part of the work from here on
        return message
