"""Email backends named by TENANTREE_EMAIL_BACKEND: console, file:<dir>, smtp://host:port."""

from __future__ import annotations

import email.message
import smtplib
import socket
import ssl
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

from tenantree.netguard import public_addresses

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
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime.set_content(message.text, cte="8bit")
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html")
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


@dataclass(frozen=True)
class SmtpServer:
    """An SMTP server to deliver through (an org's own relay)."""

    host: str
    port: int
    starttls: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)


class _PublicOnlySMTP(smtplib.SMTP):
    """Connects only to a public address of the host: an org's relay setting must
    not make the server reach into its own network (checked at connect time, so
    a name that resolves elsewhere later is caught too)."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        public = public_addresses(host, port)
        return socket.create_connection((public[0], port), timeout, self.source_address)


class SmtpBackend:
    def __init__(
        self,
        host: str,
        port: int,
        timeout: float = 10.0,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        public_only: bool = False,
    ):
        self.host, self.port, self.timeout = host, port, timeout
        self.starttls, self.username, self._password = starttls, username, password
        self.public_only = public_only

    @classmethod
    def for_relay(cls, server: SmtpServer, *, public_only: bool) -> SmtpBackend:
        return cls(
            server.host,
            server.port,
            starttls=server.starttls,
            username=server.username,
            password=server.password,
            public_only=public_only,
        )

    def send(self, message: EmailMessage) -> None:
        smtp_class = _PublicOnlySMTP if self.public_only else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                # Verified against the system's CAs; a relay without STARTTLS fails.
                smtp.starttls(context=ssl.create_default_context())
            if self.username is not None:
                smtp.login(self.username, self._password or "")
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
