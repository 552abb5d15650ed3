"""`tenantree license-source …`, `quotas set` and `usage …` in both modes:
S and T draw on P's pool of 10 `mon` devices."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cli.commands.running import Cli, error_code
from factories import World, make_license


@pytest.fixture
def pool(world: World, arrange_sessions: sessionmaker[Session]) -> None:
    with arrange_sessions() as session:
        partner = session.merge(world.P)
        make_license(session, partner, quantity=10)
        session.commit()


def test_license_source_show_and_set(cli: Cli) -> None:
    assert cli.ok("license-source", "show", "Sub-org S") == {"source": "parent_pool"}
    assert cli.ok("license-source", "set", "Sub-org S", "own") == {"source": "own"}
    assert cli.ok("license-source", "show", "Sub-org S") == {"source": "own"}


def test_a_partner_has_no_license_source_to_set(cli: Cli) -> None:
    result = cli.run("license-source", "set", "Partner P", "own")
    assert result.exit_code == 1
    assert error_code(result) == "not_a_sub_org"


@pytest.mark.usefixtures("pool")
def test_usage_draws_on_the_pool_within_the_quota(cli: Cli) -> None:
    assert cli.ok("quotas", "set", "Sub-org S", "mon", "3") == {"sku": "mon", "max_units": 3}
    used = cli.ok("usage", "report", "Sub-org S", "mon", "--add", "2")
    assert (used["sku"], used["consumed"]) == ("mon", 2)
    refused = cli.run("usage", "report", "Sub-org S", "mon", "--add", "2")
    assert refused.exit_code == 1
    assert cli.ok("quotas", "set", "Sub-org S", "mon") == {"sku": "mon", "max_units": None}
    assert cli.ok("usage", "report", "Sub-org S", "mon", "--set", "4")["consumed"] == 4
    events = cli.ok("usage", "events", "Sub-org S")
    assert [e["units"] for e in events] == [4, 2]


def test_usage_report_needs_exactly_one_operation(cli: Cli) -> None:
    result = cli.run("usage", "report", "Sub-org S", "mon", "--add", "1", "--set", "2")
    assert result.exit_code == 2


@pytest.mark.usefixtures("pool")
def test_a_partner_admin_sets_quotas_of_its_sub_orgs_not_others(remote: Cli) -> None:
    assert remote.ok("quotas", "set", "Sub-org S", "mon", "5", actor="P-PA")["max_units"] == 5
    result = remote.run("quotas", "set", str(remote.world.U.id), "mon", "5", actor="P-PA")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_a_partner_admin_may_not_switch_the_license_source(remote: Cli) -> None:
    result = remote.run("license-source", "set", "Sub-org S", "own", actor="P-PA")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"
