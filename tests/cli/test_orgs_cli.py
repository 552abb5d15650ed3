"""`tenantree orgs deactivate|reactivate|move`, against a migrated SQLite file.

The database and its cast of orgs are test_licensing_cli's fixtures.
"""

# ruff: noqa: F811 - the fixtures imported below are the tests' parameters

from __future__ import annotations

import json

from cli.test_licensing_cli import World, grant, migrated, run, world  # noqa: F401 - fixtures
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.pool import UsageOp
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


def _parent(world: World, org_id) -> object:  # type: ignore[no-untyped-def]
    with world.sessions() as session:
        org = session.get(Org, org_id)
        assert org is not None
        return org.parent_id


def _use(world: World, org_id, units: int) -> None:  # type: ignore[no-untyped-def]
    with world.sessions() as session:
        org = session.get(Org, org_id)
        assert org is not None
        report_usage(
            session,
            AuditTrail(session, actor_id=None),
            org,
            sku="monitor",
            op=UsageOp.SET,
            amount=units,
            sees_pool_figures=True,
        )
        session.commit()


def test_move_puts_a_sub_org_under_another_partner(world: World) -> None:
    result = run("orgs", "move", str(world.alpha), "--to", str(world.reseller), "-o", "json")
    assert result.exit_code == 0, result.output
    moved = json.loads(result.output)
    assert (moved["from_partner_id"], moved["to_partner_id"]) == (
        str(world.msp),
        str(world.reseller),
    )
    assert _parent(world, world.alpha) == world.reseller


def test_move_refuses_a_shortfall_unless_overage_is_allowed(world: World) -> None:
    assert grant(world.msp, quantity=10).exit_code == 0
    _use(world, world.alpha, 4)

    refused = run("orgs", "move", str(world.alpha), "--to", str(world.reseller))
    assert refused.exit_code == 1
    assert "new_pool_lacks_room" in refused.output
    assert "monitor: 4 units short" in refused.output
    assert _parent(world, world.alpha) == world.msp

    moved = run(
        "orgs",
        "move",
        str(world.alpha),
        "--to",
        str(world.reseller),
        "--allow-overage",
        "-o",
        "json",
    )
    assert moved.exit_code == 0, moved.output
    answer = json.loads(moved.output)
    assert answer["moved"] == {"monitor": 4}
    assert answer["overage"] == {"monitor": 4}
    assert _parent(world, world.alpha) == world.reseller


def test_move_refuses_a_standard_org_as_the_new_partner(world: World) -> None:
    result = run("orgs", "move", str(world.alpha), "--to", str(world.standard))
    assert result.exit_code == 1
    assert "not_a_partner" in result.output
    assert _parent(world, world.alpha) == world.msp
