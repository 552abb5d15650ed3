"""`tenantree explain` / `access-check` in both modes: the API's access check."""

from __future__ import annotations

import json

from cli.commands.running import Cli, error_code


def test_access_check_says_whether_and_why(cli: Cli) -> None:
    org = cli.world.S.salesforce_id
    args = ("--user", "p-a@example.com", "--org", org, "--permission", "org:users:manage")
    result = cli.run("access-check", *args, "--json", output=None)
    assert result.exit_code == 0, result.output
    (check,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert check["allowed"] is True and check["rule"] == "role_grants"
    assert check["path"]["kind"] == "partner"
    text = cli.run("explain", *args, output=None)
    assert "org:users:manage: allowed [role_grants]" in text.stdout


def test_access_check_refusal_names_the_code(cli: Cli) -> None:
    args = ("--user", "s-a@example.com", "--org", str(cli.world.S.id))
    result = cli.run("explain", *args, "--permission", "org:quotas:manage", "--json", output=None)
    assert result.exit_code == 0, result.output
    check = json.loads(result.stdout)
    assert check["allowed"] is False and check["code"] is not None


def test_access_check_is_refused_to_who_may_not_read_the_users(remote: Cli) -> None:
    args = ("--user", "s-a@example.com", "--org", str(remote.world.S.id))
    result = remote.run("access-check", *args, "--permission", "org:view", actor="P-U", output=None)
    assert result.exit_code == 1, result.output
    assert error_code(result) == "forbidden"


def test_access_check_of_an_unknown_person_exits_1(cli: Cli) -> None:
    args = ("--user", "nobody@example.com", "--org", str(cli.world.S.id))
    result = cli.run("explain", *args, "--permission", "org:view", output=None)
    assert result.exit_code == 1
    assert error_code(result) == "user_not_found"
