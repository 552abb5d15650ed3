"""Fixtures for the branding tests: a DNS double, an API driver, images, an SMTP server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import socket
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from factories import World, build_world
from tenantree.branding.errors import DnsUnavailable

# --- DNS ------------------------------------------------------------------------


@dataclass
class FakeDns:
    """The DomainVerifier double: TXT records the test publishes, and the names asked."""

    records: dict[str, list[str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    down: bool = False

    def publish(self, name: str, value: str) -> None:
        self.records.setdefault(name, []).append(value)

    def txt_records(self, name: str) -> list[str]:
        self.asked.append(name)
        if self.down:
            raise DnsUnavailable(f"the DNS could not be asked for {name} (Timeout)")
        return list(self.records.get(name, []))


@pytest.fixture
def dns(app) -> Iterator[FakeDns]:  # type: ignore[no-untyped-def]
    """Swaps the app's DNS verifier for a double for one test."""
    fake = FakeDns()
    services = app.state.services
    original = services.branding
    services.branding = dataclasses.replace(original, verifier=fake)
    yield fake
    services.branding = original


@pytest.fixture
def private_relays(app, dns) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Lets org relays point at 127.0.0.1 (the test's SMTP server), for one test."""
    services = app.state.services
    original = services.branding
    outbox = services.identity.outbox
    services.branding = dataclasses.replace(original, allow_private_relay_hosts=True)
    outbox.allow_private_relay_hosts = True
    yield
    services.branding = original
    outbox.allow_private_relay_hosts = False


# --- images ---------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2, *, padding: int = 0) -> bytes:
    """A valid RGB PNG; `padding` adds an ancillary chunk of that many bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    extra = _chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + extra
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


SVG_OK = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10" fill="#1d4ed8"/></svg>'
)

# --- the API --------------------------------------------------------------------


@dataclass
class BrandApi:
    client: TestClient
    world: World
    dns: FakeDns
    sessions: sessionmaker[Session]

    def path(self, org: str, rest: str = "") -> str:
        return f"/api/v1/orgs/{getattr(self.world, org).id}/branding{rest}"

    def get(self, org: str, actor: str = "OP") -> dict[str, Any]:
        response = self.client.get(self.path(org), headers=self.world.headers(actor))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def put(self, org: str, actor: str = "OP", **fields: Any) -> Response:
        return self.client.put(self.path(org), json=fields, headers=self.world.headers(actor))

    def put_ok(self, org: str, actor: str = "OP", **fields: Any) -> dict[str, Any]:
        response = self.put(org, actor, **fields)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def publish(self, org: str, actor: str = "OP") -> dict[str, Any]:
        response = self.client.post(self.path(org, "/publish"), headers=self.world.headers(actor))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def brand(self, org: str, actor: str = "OP", **fields: Any) -> dict[str, Any]:
        """Save a draft and publish it."""
        self.put_ok(org, actor, **fields)
        return self.publish(org, actor)

    def upload(
        self,
        org: str,
        kind: str,
        data: bytes,
        content_type: str | None,
        *,
        actor: str = "OP",
        filename: str | None = None,
    ) -> Response:
        headers = dict(self.world.headers(actor))
        if content_type is not None:
            headers["Content-Type"] = content_type
        if filename is not None:
            headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return self.client.put(self.path(org, f"/{kind}"), content=data, headers=headers)

    def public(self, host: str | None = None, **headers: str) -> Response:
        params = {"host": host} if host is not None else {}
        return self.client.get("/api/v1/public/branding", params=params, headers=headers)

    def claim_and_verify(self, org: str, domain: str, actor: str = "OP") -> dict[str, Any]:
        """Name the domain in the draft, publish its TXT record, verify, publish."""
        draft = self.get(org, actor)["draft"]
        fields = {k: v for k, v in draft.items() if k not in ("updated_at",)}
        body = self.put_ok(org, actor, **{**fields, "custom_domain": domain})
        (claim,) = [d for d in body["domains"] if d["hostname"] == domain]
        self.dns.publish(claim["txt_record_name"], claim["txt_record_value"])
        verified = self.client.post(
            self.path(org, "/domain/verify"),
            json={"hostname": domain},
            headers=self.world.headers(actor),
        )
        assert verified.status_code == 200, verified.text
        return self.publish(org, actor)

    def relay_through(self, org: str, smtp: SmtpServer, actor: str = "OP") -> None:
        """Send the org's mail through the test's SMTP server (STARTTLS, a login)."""
        relay = {
            "host": smtp.host,
            "port": smtp.port,
            "starttls": True,
            "username": RELAY_USER,
            "password": RELAY_PASSWORD,
        }
        response = self.client.put(
            self.path(org, "/smtp-relay"), json=relay, headers=self.world.headers(actor)
        )
        assert response.status_code == 200, response.text


@pytest.fixture
def world(session, identity) -> World:  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


@pytest.fixture
def brand_api(client, world, dns, sessions) -> BrandApi:  # type: ignore[no-untyped-def]
    return BrandApi(client, world, dns, sessions)


def error_of(response: Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


# --- a local SMTP server (aiosmtpd) with STARTTLS and AUTH -------------------------

RELAY_USER = "relay-user"
RELAY_PASSWORD = "relay-secret-password"


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Any]
    logins: list[str]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 requiring STARTTLS and AUTH; the client trusts its cert."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    # ssl.create_default_context() (the relay client) reads SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = SmtpServer("127.0.0.1", _free_port(), [], [])

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            server.messages.append(envelope)
            return "250 OK"

    def authenticate(_server, _session, _envelope, _mechanism, data):  # type: ignore[no-untyped-def]
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == RELAY_USER
            and data.password.decode() == RELAY_PASSWORD
        )
        if ok:
            server.logins.append(data.login.decode())
        return AuthResult(success=ok)

    controller = Controller(
        Handler(),
        hostname=server.host,
        port=server.port,
        tls_context=tls,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
