"""Helpers for the console's end-to-end tests: the live server's handle, fake DNS, steps."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tenantree.cli.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tenantree.identity.mfa_models import TotpFactor
from tenantree.identity.models import Account
from tenantree.outbox import MemoryBackend

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CUSTOM_HOST = "cloud.northwind.example"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The custom domain of the branding test resolves to the live server.
    f"--host-resolver-rules=MAP {CUSTOM_HOST} 127.0.0.1",
]


@dataclass
class FakeDns:
    records: dict[str, list[str]] = field(default_factory=dict)

    def publish(self, name: str, value: str) -> None:
        self.records.setdefault(name, []).append(value)

    def txt_records(self, name: str) -> list[str]:
        return list(self.records.get(name, []))


@dataclass
class LiveServer:
    url: str
    port: int
    mailbox: MemoryBackend
    dns: FakeDns
    sessions: sessionmaker[Session]
    password: str = DEMO_PASSWORD
    # The running app's services, for a test that must change its configuration.
    services: Any = None

    def totp_code(self, email: str, secret: str = DEMO_TOTP_SECRET) -> str:
        """The account's app's code now; one used before is allowed again (several
        tests sign the same person in within one 30-second step)."""
        with self.sessions() as session:
            account = session.scalar(select(Account).where(Account.email == email))
            assert account is not None, email
            session.execute(
                update(TotpFactor)
                .where(TotpFactor.account_id == account.id)
                .values(last_used_step=None)
            )
            session.commit()
        return pyotp.TOTP(secret).now()

    def token_for(self, email: str, wait_seconds: float = 15.0) -> str:
        """The token of the newest invitation emailed to this address (the server's
        outbox worker sends it just after the commit: wait for it)."""
        deadline = time.monotonic() + wait_seconds
        while True:
            for message in reversed(self.mailbox.sent):
                if message.to == email:
                    match = re.search(r"token=([A-Za-z0-9_\-]+)", message.text)
                    if match:
                        return match.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no invitation was emailed to {email}")
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shot(page, name: str, *, jpeg: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Write a full-page screenshot for reviewers (test-artifacts/ is git-ignored).
    JPEG for a walk that takes many: it encodes in about half PNG's time."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if jpeg:
        page.screenshot(
            path=str(SCREENSHOTS / f"{name}.jpg"), type="jpeg", quality=80, full_page=True
        )
    else:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(
    page, server: LiveServer, email: str, password: str | None = None, *, base: str | None = None
):  # type: ignore[no-untyped-def]
    page.goto((base or server.url) + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password or server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.get_by_test_id("second-step").count():
        # The demo's operator has the demo's authenticator app (operators need MFA).
        page.get_by_label("The 6-digit code from your authenticator app").fill(
            server.totp_code(email)
        )
        page.get_by_test_id("verify").click()
        page.wait_for_load_state()
    return page
