"""`tenantree orgs deactivate|reactivate`, against a migrated SQLite file.

The database and its cast of orgs are test_licensing_cli's fixtures.
"""

# ruff: noqa: F811 - the fixtures imported below are the tests' parameters

from __future__ import annotations

from cli.test_licensing_cli import World, migrated, run, world  # noqa: F401 - fixtures
from tenantree.orgs.models import Org


def _status(world: World, org_id) -> str:  # type: ignore[no-untyped-def]
    with world.sessions() as session:
        org = session.get(Org, org_id)
        assert org is not None
        return org.status


def test_deactivating_a_partner_with_customers_needs_the_choice(world: World) -> None:
    result = run("orgs", "deactivate", str(world.msp))
    assert result.exit_code == 1
    assert "customers" in result.output
    assert _status(world, world.msp) == "active"


def test_suspend_deactivates_the_customers_and_reactivate_brings_them_back(world: World) -> None:
    result = run("orgs", "deactivate", world.msp_salesforce_id, "--customers", "suspend")
    assert result.exit_code == 0, result.output
    assert [_status(world, o) for o in (world.msp, world.alpha, world.beta)] == ["deactivated"] * 3
    result = run("orgs", "reactivate", str(world.msp))
    assert result.exit_code == 0, result.output
    assert [_status(world, o) for o in (world.msp, world.alpha, world.beta)] == ["active"] * 3


def test_keep_running_leaves_the_customers_active(world: World) -> None:
    result = run("orgs", "deactivate", str(world.msp), "--customers", "keep_running")
    assert result.exit_code == 0, result.output
    assert _status(world, world.msp) == "deactivated"
    assert _status(world, world.alpha) == "active"
