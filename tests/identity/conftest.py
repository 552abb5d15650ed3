"""Fixtures for the identity tests: a movable clock and an API driver (`api`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import PASSWORD, allow_totp_code_again, bearer, totp_code
from tenantree import clock
from tenantree.identity.models import Account

# A fixed instant far from the real time, so anything that reads the wall
# clock instead of tenantree.clock shows up in these tests.
FROZEN_AT = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)


@dataclass
class FrozenClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Stops tenantree.clock.utcnow at FROZEN_AT; move it with `.advance(seconds=...)`."""
    frozen = FrozenClock(FROZEN_AT)
    monkeypatch.setattr(clock, "utcnow", frozen)
    return frozen


_INVITATION_LINK = re.compile(r"accept-invitation\?token=([A-Za-z0-9_\-]+)")


@dataclass
class IdentityApi:
    """Shortcuts for the identity endpoints, plus a way to look in the database."""

    client: TestClient
    mailbox: Any  # tests/conftest.py's Outboxed
    sessions: sessionmaker[Session]

    # --- sign-in -------------------------------------------------------------

    def login(self, email: str, password: str = PASSWORD) -> Response:
        return self.client.post("/api/v1/auth/login", json={"email": email, "password": password})

    def sign_in(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        """Bearer headers for a fresh sign-in, its second step answered with the
        factories' authenticator app when asked; fails the test if sign-in fails."""
        response = self.login(email, password)
        assert response.status_code == 200, response.text
        if response.json().get("status") == "mfa_required":
            response = self.second_step(email, response.json()["challenge"])
            assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    def second_step(self, email: str, challenge: str, **factor: Any) -> Response:
        """Answer a sign-in's challenge: `factor` (code=, recovery_code=), or else
        the factories' app's current code (a code used before is allowed again)."""
        if not factor:
            with self.db() as s:
                account = s.scalar(select(Account).where(Account.email == email.lower()))
                assert account is not None, email
                allow_totp_code_again(s, account.id)
                s.commit()
            factor = {"code": totp_code()}
        return self.client.post("/api/v1/auth/login/mfa", json={"challenge": challenge, **factor})

    def me(self, headers: dict[str, str]) -> Response:
        return self.client.get("/api/v1/me", headers=headers)

    # --- invitations ---------------------------------------------------------

    def invite(
        self, org_id: object, headers: dict[str, str], email: str, role: str = "user"
    ) -> Response:
        return self.client.post(
            f"/api/v1/orgs/{org_id}/invitations",
            json={"email": email, "role": role},
            headers=headers,
        )

    def invite_ok(
        self, org_id: object, headers: dict[str, str], email: str, role: str = "user"
    ) -> tuple[dict[str, Any], str]:
        """Invite, and return the invitation and the token mailed for it."""
        response = self.invite(org_id, headers, email, role)
        assert response.status_code == 201, response.text
        return response.json(), self.tokens_mailed_to(email.strip().lower())[-1]

    def tokens_mailed_to(self, email: str) -> list[str]:
        """The invitation tokens emailed to an address, oldest first."""
        tokens = []
        for text in self.mailbox.to(email):
            match = _INVITATION_LINK.search(text)
            assert match, f"no invitation link in {text!r}"
            tokens.append(match.group(1))
        return tokens

    def accept(self, token: str, **fields: Any) -> Response:
        return self.client.post("/api/v1/invitations/accept", json={"token": token, **fields})

    def accept_signed_in(self, headers: dict[str, str], org_id: object) -> Response:
        """Accept, signed in as the invitee, their pending invitation into the org."""
        pending = self.client.get("/api/v1/me/invitations", headers=headers)
        assert pending.status_code == 200, pending.text
        (invitation,) = [i for i in pending.json()["items"] if i["org_id"] == str(org_id)]
        return self.client.post(
            f"/api/v1/me/invitations/{invitation['id']}/accept", headers=headers
        )

    def invitations(self, org_id: object, headers: dict[str, str]) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/orgs/{org_id}/invitations", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    # --- directory -----------------------------------------------------------

    def users(self, org_id: object, headers: dict[str, str]) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/orgs/{org_id}/users", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    # --- looking in the database ---------------------------------------------

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A short-lived session for inspecting what the API wrote.

        Short-lived on purpose: on SQLite every transaction takes the write
        lock (BEGIN IMMEDIATE), so a session left open would block the app.
        """
        with self.sessions() as s:
            yield s
            s.rollback()


@pytest.fixture
def api(client: TestClient, outbox: Any, sessions: sessionmaker[Session]) -> IdentityApi:
    return IdentityApi(client, outbox, sessions)


def error_of(response: Response) -> dict[str, Any]:
    """The `error` object of an error response."""
    return response.json()["error"]  # type: ignore[no-any-return]


@pytest.fixture
def err():  # type: ignore[no-untyped-def]
    """`err(response)` → the response's error object."""
    return error_of
