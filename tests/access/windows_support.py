"""A clock the tests move, and shortcuts for partner access windows over HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from factories import World
from tenantree import clock


@dataclass
class MovedClock:
    """The real time plus an offset the test moves (tokens last an hour: stay within it)."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def later(self, **delta: float) -> str:
        return (self() + timedelta(**delta)).isoformat()


def moved_clock(monkeypatch: pytest.MonkeyPatch) -> MovedClock:
    moved = MovedClock()
    monkeypatch.setattr(clock, "utcnow", moved)
    return moved


def grant(client: TestClient, world: World, actor: str, expires_at: str | None, by="P-PA"):
    return client.put(
        f"/api/v1/orgs/{world.S.id}/partner-grants/{world.members[actor].id}",
        json={"expires_at": expires_at},
        headers=world.headers(by),
    )


def status(client: TestClient, world: World, actor: str) -> int:
    return client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers(actor)).status_code


def listed(client: TestClient, world: World, actor: str) -> bool:
    response = client.get("/api/v1/orgs", headers=world.headers(actor))
    assert response.status_code == 200, response.text
    return str(world.S.id) in {item["id"] for item in response.json()["items"]}


def audit_actions(client: TestClient, world: World, action: str) -> list[dict]:
    response = client.get(
        f"/api/v1/orgs/{world.S.id}/audit-events",
        params={"action": action},
        headers=world.headers("OP"),
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]
