"""Outgoing email backends: file, SMTP, memory, and choosing one by URL."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tenantree.outbox import (
    ConsoleBackend,
    EmailMessage,
    FileBackend,
    MemoryBackend,
    SmtpBackend,
    backend_from_url,
)

SENDER = "tenantree <no-reply@tenantree.test>"


def message(to: str = "alice@example.com", subject: str = "Hello", body: str = "Hi there.\n"):  # type: ignore[no-untyped-def]
    return EmailMessage(to=to, subject=subject, text=body, sender=SENDER)


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


# --- A minimal SMTP sink ------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes


@dataclass
class SmtpSink:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 sink.test ESMTP test sink")
        mail_from, rcpt_to = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpt_to = command.split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpt_to.append(command.split(":", 1)[1].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data_line = self.rfile.readline()
                    if data_line in (b".\r\n", b""):
                        break
                    if data_line.startswith(b".."):
                        data_line = data_line[1:]  # dot-unstuffing
                    lines.append(data_line)
                sink.received.append(Received(mail_from, rcpt_to, b"".join(lines)))
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    server = _Server(("127.0.0.1", 0), _SmtpHandler)
    host, port = server.server_address[:2]
    sink = SmtpSink(str(host), int(port))
    server.sink = sink  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Backends ---------------------------------------------------------------------------


def test_file_backend_writes_one_eml_per_message(tmp_path: Path) -> None:
    backend = FileBackend(tmp_path / "mail")
    backend.send(message(to="a@example.com"))
    backend.send(message(to="b@example.com"))
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert sorted(parse(f.read_bytes())["To"] for f in files) == ["a@example.com", "b@example.com"]


def test_file_backend_writes_a_readable_message(tmp_path: Path) -> None:
    FileBackend(tmp_path).send(message(subject="You are invited", body="Accept: http://x/y\n"))
    (path,) = tmp_path.glob("*.eml")
    mime = parse(path.read_bytes())
    assert mime["From"] == SENDER
    assert mime["To"] == "alice@example.com"
    assert mime["Subject"] == "You are invited"
    assert mime["Message-ID"]
    assert mime.get_content() == "Accept: http://x/y\n"


def test_file_backend_keeps_non_ascii_text(tmp_path: Path) -> None:
    FileBackend(tmp_path).send(message(subject="Willkommen bei Müller", body="Grüße ✓\n"))
    (path,) = tmp_path.glob("*.eml")
    mime = parse(path.read_bytes())
    assert mime["Subject"] == "Willkommen bei Müller"
    assert mime.get_content() == "Grüße ✓\n"


def test_file_backend_creates_its_directory(tmp_path: Path) -> None:
    FileBackend(tmp_path / "deep" / "er")
    assert (tmp_path / "deep" / "er").is_dir()


def test_smtp_backend_delivers_to_the_server(smtp_sink: SmtpSink) -> None:
    SmtpBackend(smtp_sink.host, smtp_sink.port, timeout=5).send(
        message(to="bob@example.com", subject="Invitation", body="Click the link.\n")
    )
    (received,) = smtp_sink.received
    assert "bob@example.com" in received.rcpt_to[0]
    assert "no-reply@tenantree.test" in received.mail_from
    mime = parse(received.data)
    assert mime["Subject"] == "Invitation"
    assert mime["To"] == "bob@example.com"
    assert mime.get_content().replace("\r\n", "\n") == "Click the link.\n"


def test_smtp_backend_keeps_a_line_that_starts_with_a_dot(smtp_sink: SmtpSink) -> None:
    SmtpBackend(smtp_sink.host, smtp_sink.port, timeout=5).send(message(body="first\n.\nlast\n"))
    (received,) = smtp_sink.received
    content = parse(received.data).get_content().replace("\r\n", "\n")
    assert content == "first\n.\nlast\n"


def test_smtp_url_names_the_host_and_port(smtp_sink: SmtpSink) -> None:
    backend = backend_from_url(f"smtp://{smtp_sink.host}:{smtp_sink.port}")
    backend.send(message(to="carol@example.com"))
    assert len(smtp_sink.received) == 1


def test_console_backend_prints_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleBackend().send(message(to="dave@example.com", subject="Console mail", body="Body.\n"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "To: dave@example.com" in captured.err
    assert "Subject: Console mail" in captured.err
    assert "Body." in captured.err


def test_memory_backend_keeps_messages_in_order() -> None:
    backend = MemoryBackend()
    first, second = message(to="1@example.com"), message(to="2@example.com")
    backend.send(first)
    backend.send(second)
    assert backend.sent == [first, second]


# --- Choosing a backend -----------------------------------------------------------------


def test_backend_from_url_console() -> None:
    assert isinstance(backend_from_url("console"), ConsoleBackend)


def test_backend_from_url_file(tmp_path: Path) -> None:
    backend = backend_from_url(f"file:{tmp_path / 'out'}")
    assert isinstance(backend, FileBackend)
    assert backend.directory == tmp_path / "out"


def test_backend_from_url_smtp() -> None:
    backend = backend_from_url("smtp://mail.example.com:2525")
    assert isinstance(backend, SmtpBackend)
    assert (backend.host, backend.port) == ("mail.example.com", 2525)


def test_backend_from_url_smtp_defaults_to_port_25() -> None:
    backend = backend_from_url("smtp://mail.example.com")
    assert isinstance(backend, SmtpBackend)
    assert backend.port == 25


def test_backend_from_url_smtp_needs_a_host() -> None:
    with pytest.raises(ValueError, match="names no host"):
        backend_from_url("smtp://")


@pytest.mark.parametrize(
    "spec", ["pigeon", "", "smtps://mail.example.com", "File:/tmp/x", "CONSOLE"]
)
def test_backend_from_url_rejects_an_unknown_spec_naming_the_accepted_forms(spec: str) -> None:
    with pytest.raises(ValueError) as caught:
        backend_from_url(spec)
    assert repr(spec) in str(caught.value)
    assert "console, file:<dir>, smtp://host:port" in str(caught.value)
