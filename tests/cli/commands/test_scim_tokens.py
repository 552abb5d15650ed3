"""`tenantree scim-tokens …` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_create_list_and_revoke_a_scim_token(cli: Cli) -> None:
    issued = cli.ok("scim-tokens", "create", "Sub-org S", "Okta")
    assert issued["token"]
    assert issued["scim_base_url"].endswith(f"/scim/v2/orgs/{cli.world.S.id}")
    listed = cli.ok("scim-tokens", "list", "Sub-org S")
    assert [(t["id"], t["status"]) for t in listed] == [(issued["id"], "active")]
    result = cli.run("scim-tokens", "revoke", "Sub-org S", issued["id"], output=None)
    assert result.exit_code == 0, result.output
    assert cli.ok("scim-tokens", "list", "Sub-org S")[0]["status"] == "revoked"


def test_a_read_only_user_may_not_create_scim_tokens(remote: Cli) -> None:
    result = remote.run("scim-tokens", "create", "Sub-org S", "Okta", actor="S-RO")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"
