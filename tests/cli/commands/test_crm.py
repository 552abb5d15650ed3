"""`tenantree crm reconcile` in both modes: locally through the service, remotely
by posting the CSV to POST /api/v1/crm/reconciliations (operators only)."""

from __future__ import annotations

import json
from pathlib import Path

from cli.commands.running import Cli, error_code


def _export(cli: Cli, tmp_path: Path) -> str:
    """An export naming only partner P: every other org of the world drifts."""
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Account ID,Account Name,Parent Account ID,Type\n"
        f"{cli.world.P.salesforce_id},{cli.world.P.name},,Partner\n",
        encoding="utf-8",
    )
    return str(path)


def test_reconcile_reports_the_drift_and_keeps_it(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("crm", "reconcile", _export(cli, tmp_path), output="json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["id"] is not None and done["account_count"] == 1
    drifting = {d["salesforce_id"] for d in done["drifts"]}
    world = cli.world
    assert drifting == {o.salesforce_id for o in (world.S, world.T, world.U)}


def test_reconcile_is_for_operators(remote: Cli, tmp_path: Path) -> None:
    result = remote.run("crm", "reconcile", _export(remote, tmp_path), actor="P-PA")
    assert result.exit_code == 1, result.output
    assert error_code(result) == "operator_only"


def test_the_api_keeps_every_reconciliation(remote: Cli, tmp_path: Path) -> None:
    result = remote.run("crm", "reconcile", _export(remote, tmp_path), "--no-keep")
    assert result.exit_code == 2
