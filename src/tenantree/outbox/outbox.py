"""Messages queued on a unit of work and sent only once it commits.

An invitation email must never go out for an invitation that was rolled
back, so messages wait on the session and leave after COMMIT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from tenantree.outbox.backends import EmailBackend, SmtpBackend, SmtpServer

log = logging.getLogger(__name__)

_QUEUE_KEY = "tenantree.outbox"
_MARKS_KEY = "tenantree.outbox.savepoints"


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    sender: str
    # An HTML alternative to `text` (sent as multipart/alternative).
    html: str | None = None
    reply_to: str | None = None
    # Deliver through this server (an org's own relay) instead of the backend.
    relay: SmtpServer | None = None


class Outbox:
    def __init__(
        self, backend: EmailBackend, sender: str, *, allow_private_relay_hosts: bool = False
    ):
        self.backend = backend
        self.sender = sender
        # Org relays are connected to only at public addresses unless this is set.
        self.allow_private_relay_hosts = allow_private_relay_hosts

    def backend_for(self, message: EmailMessage) -> EmailBackend:
        if message.relay is None:
            return self.backend
        return SmtpBackend.for_relay(message.relay, public_only=not self.allow_private_relay_hosts)

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Deliver queued messages when a session of this factory commits."""

        @event.listens_for(factory, "after_transaction_create")
        def _mark(session: Session, transaction: SessionTransaction) -> None:
            if transaction.nested:  # a savepoint: remember where its messages start
                queued = len(session.info.get(_QUEUE_KEY, []))
                session.info.setdefault(_MARKS_KEY, []).append(queued)

        @event.listens_for(factory, "after_commit")
        def _deliver(session: Session) -> None:
            if session.in_nested_transaction():
                return  # a savepoint was released; the outermost commit decides
            session.info.pop(_MARKS_KEY, None)
            for message in session.info.pop(_QUEUE_KEY, []):
                try:
                    self.backend_for(message).send(message)
                except Exception:  # a mail relay outage must not fail the request
                    log.exception("could not send email to %s", message.to)

        @event.listens_for(factory, "after_rollback")
        def _discard(session: Session) -> None:
            marks = session.info.get(_MARKS_KEY)
            if session.in_nested_transaction() and marks:
                # Only what was queued inside the rolled-back savepoint goes.
                del session.info.get(_QUEUE_KEY, [])[marks[-1] :]
            else:
                session.info.pop(_QUEUE_KEY, None)

        @event.listens_for(factory, "after_transaction_end")
        def _end(session: Session, transaction: SessionTransaction) -> None:
            if transaction.nested:
                marks = session.info.get(_MARKS_KEY)
                if marks:
                    marks.pop()
            elif transaction.parent is None:
                # Closed without a commit (after_commit has already taken what
                # was committed): nothing queued in it may ever leave.
                session.info.pop(_QUEUE_KEY, None)
                session.info.pop(_MARKS_KEY, None)

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
        relay: SmtpServer | None = None,
    ) -> EmailMessage:
        """Queue a message; `sender` and `relay` override the platform's for one message."""
        message = EmailMessage(
            to=to,
            subject=subject,
            text=text,
            sender=sender or self.sender,
            html=html,
            reply_to=reply_to,
            relay=relay,
        )
        session.info.setdefault(_QUEUE_KEY, []).append(message)
        return message
