"""`tenantree export|plan|apply` through the API by a tier-2 partner's admin
(docs/ACCESS.md "Three tiers"): its own org is the file's top-level entry with
its customers below, and nothing of its distributor is in the file.

The distributor D holds a license of 4321 units and caps R's draw on its pool
at 777: figures no other org carries, so the file must show neither."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from api.tiers_world import TierWorld, build_tiers
from cli.commands.running import Cli
from factories import make_license
from tenantree.cli.main import app
from tenantree.identity.context import IdentityConfig
from tenantree.licensing.models import LicenseSource, LicenseSourceChange, Quota


@pytest.fixture
def tiers(db, arrange_sessions: sessionmaker[Session], identity: IdentityConfig) -> TierWorld:  # type: ignore[no-untyped-def]
    with arrange_sessions() as session:
        world = build_tiers(session, identity)
        make_license(session, world.D, quantity=4321)
        make_license(session, world.R, quantity=50)
        session.add(LicenseSourceChange(org_id=world.R.id, source=LicenseSource.PARENT_POOL))
        session.add(Quota(sub_org_id=world.R.id, sku="mon", max_units=777))
        session.commit()
        for org in (world.D, world.R, world.R2, world.C, world.C2, world.E):
            session.refresh(org)
        session.expunge_all()
    return world


@pytest.fixture
def remote(tiers: TierWorld, local_env: None, live_url: str) -> Cli:
    return Cli("remote", tiers, live_url)  # type: ignore[arg-type]  # tokens by actor, as World


def _export(remote: Cli, actor: str) -> str:
    result = remote.run("export", "-", actor=actor, output=None)
    assert result.exit_code == 0, result.output
    return result.stdout


def _write(tmp_path: Path, tree: dict[str, Any]) -> str:
    path = tmp_path / "tree.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    return str(path)


def test_a_tier_two_admins_export_is_its_own_org_with_its_customers(remote: Cli) -> None:
    world: TierWorld = remote.world  # type: ignore[assignment]
    tree = yaml.safe_load(_export(remote, "R-PA"))
    [top] = tree["orgs"]
    assert (top["salesforce_id"], top["name"]) == (world.R.salesforce_id, world.R.name)
    assert top["partner_type"] == "reseller"
    assert top["primary_admin_email"] == "r-pa@tiers.example"
    assert [lic["quantity"] for lic in top["licenses"]] == [50]
    customers = [(c["salesforce_id"], c["customer_name"]) for c in top["sub_orgs"]]
    assert customers == [
        (world.C.salesforce_id, world.C.customer_name),
        (world.C2.salesforce_id, world.C2.customer_name),
    ]


def test_a_tier_two_admins_export_holds_nothing_of_the_distributor(remote: Cli) -> None:
    world: TierWorld = remote.world  # type: ignore[assignment]
    text = _export(remote, "R-A")
    for above_or_beside in (world.D, world.R2, world.E):
        for value in (above_or_beside.name, above_or_beside.salesforce_id, str(above_or_beside.id)):
            assert value not in text
    # D's terms for R: its pool's quantity, R's quota on it, R's source and customer name.
    for figure in ("4321", "777", "parent_pool", "customer_name: " + str(world.R.customer_name)):
        assert figure not in text
    top = yaml.safe_load(text)["orgs"][0]
    assert not {"customer_name", "quotas", "license_source", "access"} & top.keys()


def test_applying_a_tier_two_admins_export_changes_nothing(remote: Cli, tmp_path: Path) -> None:
    whole_before = _export(remote, "OP")
    path = tmp_path / "exported.yaml"
    path.write_text(_export(remote, "R-PA"), encoding="utf-8")
    planned = remote.run("plan", str(path), actor="R-PA", output=None)
    assert planned.exit_code == 0, planned.output
    assert "Plan: 0 to create, 0 to update, 3 unchanged" in planned.stdout
    applied = remote.run("apply", "--prune", str(path), actor="R-PA", output=None)
    assert applied.exit_code == 0, applied.output
    assert "Applied: 0 orgs changed." in applied.stdout
    # Nothing outside R's subtree was read as "would delete", nor changed.
    assert "would delete" not in applied.stdout
    assert _export(remote, "OP") == whole_before


def test_a_tier_two_admin_applies_its_customers_access(remote: Cli, tmp_path: Path) -> None:
    world: TierWorld = remote.world  # type: ignore[assignment]
    tree = yaml.safe_load(_export(remote, "R-PA"))
    customer = tree["orgs"][0]["sub_orgs"][0]
    assert customer["salesforce_id"] == world.C.salesforce_id
    customer["access"] = {"customer_access": "refused", "partner_users": ["r-a@tiers.example"]}
    result = remote.run("apply", _write(tmp_path, tree), actor="R-PA", output=None)
    assert result.exit_code == 0, result.output
    assert "Applied: 1 orgs changed." in result.stdout
    again = remote.run("plan", _write(tmp_path, tree), actor="R-PA", output=None)
    assert "Plan: 0 to create, 0 to update, 3 unchanged" in again.stdout
    # The operator's whole tree shows it under R, under D.
    whole = yaml.safe_load(remote.run("export", "-", output=None).stdout)
    [distributor] = [o for o in whole["orgs"] if o["salesforce_id"] == world.D.salesforce_id]
    [tier_two] = [s for s in distributor["sub_orgs"] if s["salesforce_id"] == world.R.salesforce_id]
    assert tier_two["sub_orgs"][0]["access"]["partner_users"] == ["r-a@tiers.example"]


def test_a_tier_two_admin_is_refused_its_distributors_part(remote: Cli, tmp_path: Path) -> None:
    tree = yaml.safe_load(_export(remote, "R-PA"))
    tree["orgs"][0]["name"] = "Renamed by R"
    result = remote.run("apply", _write(tmp_path, tree), actor="R-PA", output=None)
    assert result.exit_code == 1, result.output
    assert "error: refused (forbidden)" in result.stderr
    assert "Renamed by R" not in remote.run("export", "-", output=None).stdout


def test_the_operators_remote_export_of_three_tiers_is_the_local_one(remote: Cli) -> None:
    local = CliRunner().invoke(app, ["export", "-"])
    assert local.exit_code == 0, local.output
    assert _export(remote, "OP") == local.stdout
