"""`tenantree audit search` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_audit_search_finds_an_orgs_events_by_action(cli: Cli) -> None:
    cli.ok("users", "suspend", "Sub-org S", "s-u@example.com")
    events = cli.ok("audit", "search", "--org", "Sub-org S", "--action", "user.updated")
    assert [e["org_id"] for e in events] == [str(cli.world.S.id)]


def test_audit_search_of_the_whole_platform_within_a_window(cli: Cli) -> None:
    cli.ok("orgs", "rename", "Unrelated U", "U2")
    events = cli.ok("audit", "search", "--from", "2000-01-01T00:00:00Z")
    assert any(e["org_id"] == str(cli.world.U.id) for e in events)
    assert cli.ok("audit", "search", "--to", "2000-01-01T00:00:00Z") == []


def test_a_partner_admin_may_not_search_the_whole_platform(remote: Cli) -> None:
    result = remote.run("audit", "search", actor="P-A")
    assert result.exit_code == 1
    assert error_code(result) == "operator_only"
