"""`tenantree webhooks list|deliveries`, against a migrated SQLite file."""

# ruff: noqa: F811 - the fixtures imported below are the tests' parameters

from __future__ import annotations

from cli.test_licensing_cli import World, migrated, run, world  # noqa: F401 - fixtures
from tenantree.orgs.models import Org
from tenantree.webhooks import service
from webhooks.helpers import org_changed, register


def _registered(world: World) -> service.WithSecret:
    with world.sessions() as session:
        msp = session.get(Org, world.msp)
        made = register(session, msp, types=("org", "audit"), include_sub_orgs=True)
        org_changed(session, msp)
        session.commit()
        return made


def test_list_shows_an_orgs_endpoints_by_salesforce_id(world: World) -> None:
    made = _registered(world)
    result = run("webhooks", "list", world.msp_salesforce_id)
    assert result.exit_code == 0, result.output
    assert str(made.endpoint.id) in result.stdout
    assert (
        "audit,org +sub-orgs" in result.stdout and "https://hooks.example.com/in" in result.stdout
    )


def test_deliveries_lists_the_endpoints_queued_events(world: World) -> None:
    made = _registered(world)
    result = run("webhooks", "deliveries", str(made.endpoint.id))
    assert result.exit_code == 0, result.output
    assert "queued" in result.stdout and "org.updated" in result.stdout
    assert "webhook.created" in result.stdout


def test_deliveries_of_an_unknown_endpoint_fails(world: World) -> None:
    result = run("webhooks", "deliveries", "00000000-0000-4000-8000-000000000000")
    assert result.exit_code == 2
    assert "no webhook endpoint" in result.output
