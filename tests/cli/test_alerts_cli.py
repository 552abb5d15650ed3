"""`tenantree alerts sweep | list | thresholds` on a fresh SQLite file (`list`
and `ack` in both modes: tests/cli/commands/test_alerts.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from factories import make_license, make_partner
from tenantree.cli.main import app
from tenantree.outbox.models import OutboxMessage


def partner_with_license_ending_in(path: Path, days: int) -> str:
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        partner = make_partner(session)
        license_ = make_license(session, partner, quantity=10)
        license_.ends_at = datetime.now(UTC) + timedelta(days=days)
        session.commit()
        partner_id = str(partner.id)
    engine.dispose()
    return partner_id


def test_sweep_raises_a_due_expiry_alert_once(runner: CliRunner, upgraded: Path) -> None:
    partner_id = partner_with_license_ending_in(upgraded, 6)
    first = runner.invoke(app, ["alerts", "sweep"])
    assert first.exit_code == 0, first.output
    assert "1 alert(s) raised" in first.output
    again = runner.invoke(app, ["alerts", "sweep"])
    assert "0 alert(s) raised" in again.output
    listed = runner.invoke(app, ["alerts", "list", partner_id, "--output", "json"])
    assert listed.exit_code == 0, listed.output
    [alert] = json.loads(listed.stdout)
    assert (alert["kind"], alert["threshold"], alert["state"]) == ("expiry", 7, "open")


def test_thresholds_are_shown_and_set(runner: CliRunner, upgraded: Path) -> None:
    partner_id = partner_with_license_ending_in(upgraded, 300)
    shown = runner.invoke(app, ["alerts", "thresholds", partner_id])
    assert shown.output.strip() == "80% 100% (default)"
    changed = runner.invoke(
        app, ["alerts", "thresholds", partner_id, "--percent", "90", "--percent", "50"]
    )
    assert changed.exit_code == 0, changed.output
    assert changed.output.strip() == "50% 90%"
    refused = runner.invoke(app, ["alerts", "thresholds", partner_id, "--percent", "0"])
    assert refused.exit_code == 1
    assert "percent from 1 to 1000" in refused.output


def test_a_sweep_with_no_admins_raises_but_mails_no_one(runner: CliRunner, upgraded: Path) -> None:
    partner_with_license_ending_in(upgraded, 1)
    assert "1 alert(s) raised" in runner.invoke(app, ["alerts", "sweep"]).output
    engine = create_engine(f"sqlite:///{upgraded}")
    with Session(engine) as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    engine.dispose()
