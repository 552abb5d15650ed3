"""`tenantree outbox list | retry | work --once` on a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tenantree.cli.main import app
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox import Outbox
from tenantree.outbox.delivery import Delivery, drain
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.retry import RetryPolicy


class Refusing:
    def send(self, message: object) -> None:
        raise ConnectionRefusedError("relay down")


@pytest.fixture
def failed_message(upgraded: Path) -> Path:
    """One message that failed for good, and one still queued."""
    engine = create_engine(f"sqlite:///{upgraded}")
    outbox = Outbox(Refusing(), "tenantree <no-reply@tenantree.test>")
    with Session(engine) as session:
        with UnitOfWork(session):
            outbox.enqueue(session, to="lost@example.com", subject="Invite", text="t")
        drain(session, Delivery(outbox, "w", RetryPolicy(max_attempts=1)))
        with UnitOfWork(session):
            outbox.enqueue(session, to="queued@example.com", subject="Later", text="t")
    engine.dispose()
    return upgraded


def statuses(path: Path) -> dict[str, str]:
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        found = {m.payload["to"]: m.status for m in session.scalars(select(OutboxMessage))}
    engine.dispose()
    return found


def test_list_shows_a_failed_message_with_its_reason(runner: CliRunner, failed_message) -> None:
    result = runner.invoke(app, ["outbox", "list", "--status", "failed"])
    assert result.exit_code == 0, result.output
    (line,) = result.output.strip().splitlines()
    assert "lost@example.com" in line and "failed" in line
    assert "error: ConnectionRefusedError: relay down" in line


def test_retry_queues_every_failed_message_again(runner: CliRunner, failed_message) -> None:
    result = runner.invoke(app, ["outbox", "retry", "--all-failed"])
    assert result.exit_code == 0, result.output
    assert "1 message(s) queued again" in result.output
    assert statuses(failed_message)["lost@example.com"] == MessageStatus.PENDING


def test_retry_needs_ids_or_all_failed(runner: CliRunner, upgraded) -> None:
    result = runner.invoke(app, ["outbox", "retry"])
    assert result.exit_code == 2
    assert "--all-failed" in result.output


def test_work_once_delivers_what_is_due(runner: CliRunner, failed_message) -> None:
    result = runner.invoke(app, ["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert statuses(failed_message)["queued@example.com"] == MessageStatus.SENT


def test_prune_deletes_what_is_past_its_retention_and_again_nothing(
    runner: CliRunner, failed_message: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenantree.config import get_settings

    # Both messages are a moment old: keep failed ones for about a second.
    monkeypatch.setenv("TENANTREE_RETENTION_FAILED_DAYS", "0.00000001")
    get_settings.cache_clear()

    first = runner.invoke(app, ["outbox", "prune"])
    again = runner.invoke(app, ["outbox", "prune"])

    assert first.exit_code == 0, first.output
    assert "0 delivered message(s), 1 failed message(s)" in first.output
    assert "0 delivered message(s), 0 failed message(s)" in again.output
    assert statuses(failed_message) == {"queued@example.com": MessageStatus.PENDING}
