"""`tenantree plan|apply|export` in both modes; remotely as the token's account,
so a partner admin applies its own sub-orgs and is refused an operator's change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from cli.commands.running import Cli
from tenantree.cli.main import app
from tenantree.treeplan.document import Tree, dump_tree
from treeplan.trees import distributor, sfid, tier_two


def _export(cli: Cli, tmp_path: Path, actor: str = "OP") -> dict[str, Any]:
    result = cli.run("export", "-", actor=actor, output=None)
    assert result.exit_code == 0, result.output
    (tmp_path / "exported.yaml").write_text(result.stdout, encoding="utf-8")
    return yaml.safe_load(result.stdout)  # type: ignore[no-any-return]


def _write(tmp_path: Path, tree: dict[str, Any]) -> str:
    path = tmp_path / "tree.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    return str(path)


def _org(tree: dict[str, Any], salesforce_id: str) -> dict[str, Any]:
    for top in tree["orgs"]:
        for sub in (top, *top.get("sub_orgs", [])):
            for org in (sub, *(sub.get("sub_orgs", []) if sub is not top else [])):
                if org["salesforce_id"] == salesforce_id:
                    return org  # type: ignore[no-any-return]
    raise AssertionError(f"{salesforce_id} is not in the tree")


def test_export_then_apply_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    _export(cli, tmp_path)
    result = cli.run("apply", str(tmp_path / "exported.yaml"), output=None)
    assert result.exit_code == 0, result.output
    assert "Plan: 0 to create, 0 to update" in result.stdout
    assert "Applied: 0 orgs changed." in result.stdout


def test_remote_export_is_the_local_export(remote: Cli, tmp_path: Path) -> None:
    local = CliRunner().invoke(app, ["export", "-"])
    assert local.exit_code == 0, local.output
    assert remote.run("export", "-", output=None).stdout == local.stdout


def test_a_partner_admin_exports_its_own_tree_only(remote: Cli, tmp_path: Path) -> None:
    tree = _export(remote, tmp_path, actor="P-PA")
    world = remote.world
    assert [top["salesforce_id"] for top in tree["orgs"]] == [world.P.salesforce_id]
    subs = {sub["salesforce_id"] for sub in tree["orgs"][0]["sub_orgs"]}
    assert subs == {world.S.salesforce_id, world.T.salesforce_id}


def test_a_partner_admin_applies_its_sub_orgs_terms(remote: Cli, tmp_path: Path) -> None:
    world = remote.world
    tree = _export(remote, tmp_path, actor="P-PA")
    _org(tree, world.S.salesforce_id)["quotas"] = {"backup": 4}
    _org(tree, world.T.salesforce_id)["access"] = {
        "customer_access": "refused",
        "partner_users": ["p-a@example.com"],
    }
    result = remote.run("apply", _write(tmp_path, tree), actor="P-PA", output=None)
    assert result.exit_code == 0, result.output
    assert "Applied: 2 orgs changed." in result.stdout
    again = remote.run("plan", _write(tmp_path, tree), actor="P-PA", output=None)
    assert "Plan: 0 to create, 0 to update" in again.stdout
    now = _export(remote, tmp_path)
    assert _org(now, world.S.salesforce_id)["quotas"] == {"backup": 4}
    assert _org(now, world.T.salesforce_id)["access"]["partner_users"] == ["p-a@example.com"]


def test_a_partner_admin_is_refused_an_operators_change(remote: Cli, tmp_path: Path) -> None:
    world = remote.world
    tree = _export(remote, tmp_path, actor="P-PA")
    # The file's order: T ("Sibling T") is applied before S ("Sub-org S").
    _org(tree, world.T.salesforce_id)["quotas"] = {"backup": 2}
    _org(tree, world.S.salesforce_id)["licenses"] = [
        {
            "sku": "backup",
            "unit": "terabytes",
            "quantity": 5,
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2027-01-01T00:00:00Z",
        }
    ]
    result = remote.run("apply", _write(tmp_path, tree), actor="P-PA", output=None)
    assert result.exit_code == 1, result.output
    assert "error: refused (forbidden)" in result.stderr
    assert f"applied before the refusal (1 orgs): {world.T.salesforce_id}" in result.stderr
    now = _export(remote, tmp_path)
    assert _org(now, world.T.salesforce_id)["quotas"] == {"backup": 2}
    assert "licenses" not in _org(now, world.S.salesforce_id)


def test_a_partner_admin_cannot_reach_another_org_through_the_file(
    remote: Cli, tmp_path: Path
) -> None:
    world = remote.world
    tree = _export(remote, tmp_path, actor="P-PA")
    unrelated = _org(_export(remote, tmp_path), world.U.salesforce_id)
    tree["orgs"].append({**unrelated, "name": "Taken Over"})
    result = remote.run("apply", _write(tmp_path, tree), actor="P-PA", output=None)
    assert result.exit_code == 1, result.output
    # U is invisible to P's admin: the file would create it, which only operators may.
    assert "error: refused (operator_only)" in result.stderr
    assert world.U.name in remote.run("export", "-", output=None).stdout


def test_a_refused_read_exits_1_with_the_apis_code(remote: Cli, tmp_path: Path) -> None:
    result = remote.run("export", "-", actor="P-U", output=None)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: forbidden:")


def test_a_distributors_three_tiers_are_applied_planned_and_pruned(
    cli: Cli, tmp_path: Path
) -> None:
    tree = _export(cli, tmp_path)
    three_tiers = Tree(orgs=[distributor([tier_two(1, [11, 12]), tier_two(2, [21], "reseller")])])
    tree["orgs"] += yaml.safe_load(dump_tree(three_tiers))["orgs"]
    result = cli.run("apply", _write(tmp_path, tree), output=None)
    assert result.exit_code == 0, result.output
    assert "Plan: 6 to create, 0 to update" in result.stdout
    now = _export(cli, tmp_path)
    assert _org(now, sfid(1, tag="TIER"))["partner_type"] == "msp"
    assert _org(now, sfid(2, tag="TIER"))["partner_type"] == "reseller"
    assert _org(now, sfid(21))["customer_name"] == "Customer 21 Ltd"
    again = cli.run("plan", str(tmp_path / "exported.yaml"), output=None)
    assert "Plan: 0 to create, 0 to update" in again.stdout
    # The reseller and its customer dropped: deactivated with --prune, customer first.
    distributor_entry = _org(now, sfid(0, tag="DIST"))
    distributor_entry["sub_orgs"] = distributor_entry["sub_orgs"][:1]
    pruned = cli.run("apply", "--prune", _write(tmp_path, now), output=None)
    assert pruned.exit_code == 0, pruned.output
    after = _export(cli, tmp_path)
    assert _org(after, sfid(21))["status"] == "deactivated"
    assert _org(after, sfid(2, tag="TIER"))["status"] == "deactivated"
    assert "status" not in _org(after, sfid(11))  # active, the default
