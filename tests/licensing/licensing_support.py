"""Helpers for the licensing tests (imported by them; tests/licensing/conftest.py
puts this directory on the import path)."""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import World
from tenantree.audit.models import AuditEvent

TERM = {"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z"}

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def scrub(text: str) -> str:
    """Text without ids and timestamps, whose digits could match a figure by chance."""
    return _TIMESTAMP.sub("<time>", _UUID.sub("<id>", text))


def assert_figures_absent(text: str, figures: dict[str, int]) -> None:
    """None of the figures appears anywhere in the text (ids and times aside)."""
    clean = scrub(text)
    for name, value in figures.items():
        assert str(value) not in clean, f"{name} ({value}) leaked into: {text}"


@dataclass
class Api:
    client: TestClient
    world: World

    def grant(self, org_id: uuid.UUID, actor: str = "OP", **body: Any) -> Response:
        payload = {"sku": "mon", "unit": "devices", "quantity": 10, **TERM, **body}
        return self.client.post(
            f"/api/v1/orgs/{org_id}/licenses", json=payload, headers=self.world.headers(actor)
        )

    def grant_ok(self, org_id: uuid.UUID, **body: Any) -> dict[str, Any]:
        response = self.grant(org_id, **body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def use(self, org_id: uuid.UUID, actor: str, sku: str = "mon", **op: int) -> Response:
        return self.client.post(
            f"/api/v1/orgs/{org_id}/usage",
            json={"sku": sku, **op},
            headers=self.world.headers(actor),
        )

    def use_ok(self, org_id: uuid.UUID, actor: str, sku: str = "mon", **op: int) -> int:
        response = self.use(org_id, actor, sku, **op)
        assert response.status_code == 200, response.text
        return response.json()["consumed"]  # type: ignore[no-any-return]

    def report(self, org_id: uuid.UUID, actor: str, **params: str) -> Response:
        return self.client.get(
            f"/api/v1/orgs/{org_id}/license-report",
            params=params,
            headers=self.world.headers(actor),
        )

    def set_quota(
        self, org_id: uuid.UUID, actor: str, max_units: int | None, sku: str = "mon"
    ) -> Response:
        return self.client.put(
            f"/api/v1/orgs/{org_id}/quotas/{sku}",
            json={"max_units": max_units},
            headers=self.world.headers(actor),
        )

    def set_source(self, org_id: uuid.UUID, source: str, actor: str = "OP") -> Response:
        return self.client.put(
            f"/api/v1/orgs/{org_id}/license-source",
            json={"source": source},
            headers=self.world.headers(actor),
        )


def audit_events(
    sessions: sessionmaker[Session], action: str, org_id: uuid.UUID | None = None
) -> list[AuditEvent]:
    """The events, read in a session of their own and ended at once (on SQLite
    every transaction holds the write lock, which the app's requests need)."""
    query = select(AuditEvent).where(AuditEvent.action == action)
    if org_id is not None:
        query = query.where(AuditEvent.org_id == org_id)
    with sessions() as reader:
        events = list(reader.scalars(query.order_by(AuditEvent.at)))
        reader.commit()
    return events


class FakeClock:
    """`tenantree.clock.utcnow`, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> datetime:
        self.now = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return self.now


def run_at_once(
    worker: Callable[[uuid.UUID], list[str]], org_ids: list[uuid.UUID]
) -> tuple[Counter[str], list[BaseException]]:
    """One thread per org id, all released together at a barrier; the outcomes
    the workers returned, counted, and the exceptions any of them raised."""
    barrier = threading.Barrier(len(org_ids), timeout=60)

    def released(org_id: uuid.UUID) -> list[str]:
        barrier.wait()
        return worker(org_id)

    with ThreadPoolExecutor(max_workers=len(org_ids)) as pool:
        futures = [pool.submit(released, org_id) for org_id in org_ids]
    counts: Counter[str] = Counter()
    failures: list[BaseException] = []
    for future in futures:
        if future.exception() is not None:
            failures.append(future.exception())  # type: ignore[arg-type]
        else:
            counts.update(future.result())
    return counts, failures
