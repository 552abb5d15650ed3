"""Email backends named by TENANTREE_EMAIL_BACKEND: console, file:<dir>, smtp://host:port."""

from __future__ import annotations

import email.message
import smtplib
import sys
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

if TYPE_CHECKING:
    from tenantree.outbox.outbox import EmailMessage


class EmailBackend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def to_mime(message: EmailMessage) -> email.message.EmailMessage:
    mime = email.message.EmailMessage()
    mime["From"] = message.sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = f"<{uuid.uuid4()}@tenantree>"
    mime.set_content(message.text, cte="8bit")
    return mime


class ConsoleBackend:
    """Prints each message to stderr: the default, for a first run."""

    def send(self, message: EmailMessage) -> None:
        print(to_mime(message).as_string(), file=sys.stderr, flush=True)


class FileBackend:
    """Writes one .eml file per message into a directory."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        path = self.directory / f"{uuid.uuid4()}.eml"
        path.write_bytes(to_mime(message).as_bytes())


class SmtpBackend:
    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.host, self.port, self.timeout = host, port, timeout

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(to_mime(message))


class MemoryBackend:
    """Keeps messages in a list; for tests and for embedding."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        with self._lock:
            self.sent.append(message)


def backend_from_url(spec: str) -> EmailBackend:
    if spec == "console":
        return ConsoleBackend()
    if spec == "memory":
        return MemoryBackend()
    if spec.startswith("file:"):
        return FileBackend(spec.removeprefix("file:"))
    if spec.startswith("smtp://"):
        parsed = urlparse(spec)
        if not parsed.hostname:
            raise ValueError(f"TENANTREE_EMAIL_BACKEND {spec!r} names no host")
        return SmtpBackend(parsed.hostname, parsed.port or 25)
    raise ValueError(
        f"TENANTREE_EMAIL_BACKEND {spec!r} is not one of: console, file:<dir>, smtp://host:port"
    )
