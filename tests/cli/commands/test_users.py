"""`tenantree users …` and `tenantree invitations …` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_users_list_shows_the_members(cli: Cli) -> None:
    emails = {u["email"] for u in cli.ok("users", "list", "Sub-org S")}
    assert emails == {f"{a}@example.com" for a in ("s-pa", "s-a", "s-u", "s-ro")}


def test_users_role_changes_a_role_named_by_email(cli: Cli) -> None:
    user = cli.ok("users", "role", "Sub-org S", "S-U@example.com", "read_only")
    assert (user["email"], user["role"]) == ("s-u@example.com", "read_only")


def test_users_suspend_and_reactivate(cli: Cli) -> None:
    member = str(cli.world.members["S-U"].id)
    assert cli.ok("users", "suspend", "Sub-org S", member)["status"] == "suspended"
    assert cli.ok("users", "reactivate", "Sub-org S", member)["status"] == "active"


def test_users_remove(cli: Cli) -> None:
    assert cli.run("users", "remove", "Sub-org S", "s-ro@example.com", output=None).exit_code == 0
    emails = {u["email"] for u in cli.ok("users", "list", "Sub-org S")}
    assert "s-ro@example.com" not in emails


def test_removing_the_primary_admin_is_refused(cli: Cli) -> None:
    result = cli.run("users", "remove", "Sub-org S", "s-pa@example.com", output=None)
    assert result.exit_code == 1


def test_an_unknown_user_is_refused_with_user_not_found(cli: Cli) -> None:
    result = cli.run("users", "suspend", "Sub-org S", "nobody@example.com")
    assert result.exit_code == 1
    assert error_code(result) == "user_not_found"


def test_transfer_primary_admin(cli: Cli) -> None:
    user = cli.ok("users", "transfer-primary-admin", "Sub-org S", "s-a@example.com")
    assert user["is_primary_admin"] is True
    users = {u["email"]: u for u in cli.ok("users", "list", "Sub-org S")}
    assert users["s-pa@example.com"]["is_primary_admin"] is False


def test_invite_list_and_revoke(cli: Cli) -> None:
    invited = cli.ok("invitations", "invite", "Sibling T", "new@example.com", "--role", "admin")
    assert (invited["email"], invited["role"], invited["status"]) == (
        "new@example.com",
        "admin",
        "pending",
    )
    assert [i["id"] for i in cli.ok("invitations", "list", "Sibling T")] == [invited["id"]]
    revoked = cli.run("invitations", "revoke", "Sibling T", invited["id"], output=None)
    assert revoked.exit_code == 0, revoked.output
    assert cli.ok("invitations", "list", "Sibling T")[0]["status"] == "revoked"


def test_an_invitation_to_a_bad_address_names_the_field(cli: Cli) -> None:
    result = cli.run("invitations", "invite", "Sibling T", "not-an-address")
    assert result.exit_code == 1
    assert "email" in result.stderr


def test_a_partner_admin_manages_users_of_its_sub_org_remotely(remote: Cli) -> None:
    user = remote.ok("users", "suspend", "Sub-org S", "s-u@example.com", actor="P-A")
    assert user["status"] == "suspended"


def test_a_partner_admin_is_refused_users_outside_its_subtree(remote: Cli) -> None:
    result = remote.run("users", "list", str(remote.world.U.id), actor="P-A")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_a_sub_org_user_may_not_manage_users(remote: Cli) -> None:
    result = remote.run("invitations", "invite", "Sub-org S", "x@example.com", actor="S-U")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"
