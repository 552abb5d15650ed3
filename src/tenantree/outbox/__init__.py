"""Outgoing email: one interface, several backends, written with the work, delivered by a worker."""

from tenantree.outbox.backends import (
    ConsoleBackend,
    EmailBackend,
    FileBackend,
    MemoryBackend,
    SmtpBackend,
    SmtpServer,
    backend_from_url,
)
from tenantree.outbox.outbox import EmailMessage, Outbox, RelayUnavailable

__all__ = [
    "ConsoleBackend",
    "EmailBackend",
    "EmailMessage",
    "FileBackend",
    "MemoryBackend",
    "Outbox",
    "RelayUnavailable",
    "SmtpBackend",
    "SmtpServer",
    "backend_from_url",
]
