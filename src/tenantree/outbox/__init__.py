"""Outgoing email: one interface, several backends, delivered after commit."""

from tenantree.outbox.backends import (
    ConsoleBackend,
    EmailBackend,
    FileBackend,
    MemoryBackend,
    SmtpBackend,
    SmtpServer,
    backend_from_url,
)
from tenantree.outbox.outbox import EmailMessage, Outbox

__all__ = [
    "ConsoleBackend",
    "EmailBackend",
    "EmailMessage",
    "FileBackend",
    "MemoryBackend",
    "Outbox",
    "SmtpBackend",
    "SmtpServer",
    "backend_from_url",
]
