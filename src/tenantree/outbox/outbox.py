"""Messages queued on a unit of work and sent only once it commits.

An invitation email must never go out for an invitation that was rolled
back, so messages wait on the session and leave after COMMIT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from tenantree.outbox.backends import EmailBackend

log = logging.getLogger(__name__)

_QUEUE_KEY = "tenantree.outbox"


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    sender: str


class Outbox:
    def __init__(self, backend: EmailBackend, sender: str):
        self.backend = backend
        self.sender = sender

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Deliver queued messages when a session of this factory commits."""

        @event.listens_for(factory, "after_commit")
        def _deliver(session: Session) -> None:
            for message in session.info.pop(_QUEUE_KEY, []):
                try:
                    self.backend.send(message)
                except Exception:  # a mail relay outage must not fail the request
                    log.exception("could not send email to %s", message.to)

        @event.listens_for(factory, "after_rollback")
        def _discard(session: Session) -> None:
            session.info.pop(_QUEUE_KEY, None)

    def enqueue(self, session: Session, *, to: str, subject: str, text: str) -> EmailMessage:
        message = EmailMessage(to=to, subject=subject, text=text, sender=self.sender)
        session.info.setdefault(_QUEUE_KEY, []).append(message)
        return message
