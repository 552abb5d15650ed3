"""`tenantree api-tokens …` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_create_list_and_revoke_an_api_token(cli: Cli) -> None:
    issued = cli.ok("api-tokens", "create", "Sub-org S", "backup job", "--role", "read_only")
    assert issued["token"] and issued["status"] == "active"
    listed = cli.ok("api-tokens", "list", "Sub-org S")
    assert [(t["id"], t["name"]) for t in listed] == [(issued["id"], "backup job")]
    assert "token" not in listed[0]
    result = cli.run("api-tokens", "revoke", "Sub-org S", issued["id"], output=None)
    assert result.exit_code == 0, result.output
    assert cli.ok("api-tokens", "list", "Sub-org S")[0]["status"] == "revoked"


def test_an_expiry_without_a_time_zone_is_a_usage_error(cli: Cli) -> None:
    result = cli.run("api-tokens", "create", "Sub-org S", "job", "--expires", "2099-01-01T00:00")
    assert result.exit_code == 2


def test_an_expiry_in_the_past_is_refused(cli: Cli) -> None:
    result = cli.run("api-tokens", "create", "Sub-org S", "job", "--expires", "2000-01-01T00:00Z")
    assert result.exit_code == 1
    assert "expires_at" in result.stderr


def test_a_token_id_that_is_not_an_id_is_a_usage_error(cli: Cli) -> None:
    assert cli.run("api-tokens", "revoke", "Sub-org S", "abc", output=None).exit_code == 2


def test_a_partner_admin_is_refused_tokens_outside_its_subtree(remote: Cli) -> None:
    result = remote.run("api-tokens", "create", str(remote.world.U.id), "x", actor="P-A")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"
