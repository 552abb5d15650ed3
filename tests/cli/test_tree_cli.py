"""`tenantree plan|apply|export`, against a migrated SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tenantree.audit.actions import AuditAction
from tenantree.audit.models import AuditEvent
from tenantree.cli.main import app
from tenantree.db import make_engine
from treeplan.trees import sfid

PARTNER = sfid(1, tag="PTNR")
TREE = f"""\
version: 1
orgs:
- salesforce_id: {PARTNER}
  name: Northwind MSP
  partner_type: msp
  primary_admin_email: pat@northwind.example
  licenses:
  - {{sku: backup, unit: terabytes, quantity: 20,
      starts_at: '2026-01-01T00:00:00Z', ends_at: '2027-01-01T00:00:00Z'}}
  sub_orgs:
  - salesforce_id: {sfid(1)}
    name: Contoso
    customer_name: Contoso Ltd
    quotas: {{backup: 5}}
  - salesforce_id: {sfid(2)}
    name: Fabrikam
    customer_name: Fabrikam Ltd
    access: {{customer_access: refused}}
"""


def _write(tmp_path: Path, text: str, name: str = "tree.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plan_shows_the_creations_and_touches_nothing(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    tree = _write(tmp_path, TREE)
    first = runner.invoke(app, ["plan", str(tree)])
    assert first.exit_code == 0, first.output
    assert f"+ create {PARTNER} (Northwind MSP)" in first.output
    assert "Plan: 3 to create, 0 to update, 0 unchanged" in first.output
    again = runner.invoke(app, ["plan", str(tree)])
    assert "Plan: 3 to create" in again.output


def test_apply_then_apply_again_changes_nothing(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    tree = _write(tmp_path, TREE)
    result = runner.invoke(app, ["apply", str(tree)])
    assert result.exit_code == 0, result.output
    assert "Applied: 3 orgs changed." in result.output
    again = runner.invoke(app, ["apply", str(tree)])
    assert again.exit_code == 0, again.output
    assert "Plan: 0 to create, 0 to update, 3 unchanged" in again.output
    assert "Applied: 0 orgs changed." in again.output


def test_export_then_plan_shows_no_change(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    runner.invoke(app, ["apply", str(_write(tmp_path, TREE))])
    exported = tmp_path / "exported.yaml"
    result = runner.invoke(app, ["export", str(exported)])
    assert result.exit_code == 0, result.output
    assert "customer_access: refused" in exported.read_text()
    plan = runner.invoke(app, ["plan", str(exported)])
    assert "Plan: 0 to create, 0 to update, 3 unchanged, 0 with deletions." in plan.output


def test_a_refusal_exits_1_naming_the_change_and_what_was_applied(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    runner.invoke(app, ["apply", str(_write(tmp_path, TREE))])
    changed = TREE.replace("name: Contoso\n", "name: Contoso Group\n").replace(
        "customer_name: Fabrikam Ltd", "customer_name: Fabrikam Group"
    )
    result = runner.invoke(app, ["apply", str(_write(tmp_path, changed, "changed.yaml"))])
    assert result.exit_code == 1
    assert f"refused (not_supported_by_tree): {sfid(2)} (Fabrikam): customer_name" in result.output
    assert f"applied before the refusal (1 orgs): {sfid(1)}" in result.output


def test_a_bad_file_exits_2_naming_the_field(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    bad = _write(tmp_path, TREE.replace("quantity: 20", "quantity: -1"))
    result = runner.invoke(app, ["plan", str(bad)])
    assert result.exit_code == 2
    assert "orgs[0].licenses[0].quantity" in result.output


def test_prune_deactivates_what_the_file_dropped(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    runner.invoke(app, ["apply", str(_write(tmp_path, TREE))])
    fewer = TREE.split(f"  - salesforce_id: {sfid(2)}")[0]
    tree = _write(tmp_path, fewer, "fewer.yaml")
    plan = runner.invoke(app, ["plan", str(tree)])
    assert f"- would deactivate {sfid(2)} (Fabrikam, sub-org of {PARTNER})" in plan.output
    kept = runner.invoke(app, ["apply", str(tree)])
    assert "Not made: 1 deletions" in kept.output
    pruned = runner.invoke(app, ["apply", str(tree), "--prune"])
    assert pruned.exit_code == 0, pruned.output
    assert "Applied: 1 orgs changed." in pruned.output
    after = runner.invoke(app, ["plan", str(tree), "--prune"])
    assert "Plan: 0 to create, 0 to update, 3 unchanged, 0 with deletions." in after.output


def test_apply_as_an_operator_records_them_as_the_actor(
    upgraded: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTREE_OPERATOR_PASSWORD", "a long operator password")
    created = runner.invoke(app, ["operator", "create", "--email", "ops@example.com"])
    assert created.exit_code == 0, created.output
    tree = _write(tmp_path, TREE)
    result = runner.invoke(app, ["apply", str(tree), "--as-operator", "ops@example.com"])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{upgraded}")
    try:
        with engine.connect() as conn:
            actors = set(
                conn.scalars(
                    select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.ORG_CREATED)
                )
            )
    finally:
        engine.dispose()
    assert len(actors) == 1 and None not in actors


def test_an_unknown_operator_is_refused_before_anything_is_applied(
    upgraded: Path, runner: CliRunner, tmp_path: Path
) -> None:
    tree = _write(tmp_path, TREE)
    result = runner.invoke(app, ["apply", str(tree), "--as-operator", "nobody@example.com"])
    assert result.exit_code == 2
    assert "no platform operator" in result.output
    assert "Plan: 3 to create" in runner.invoke(app, ["plan", str(tree)]).output
