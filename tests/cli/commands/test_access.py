"""`tenantree access …` in both modes (world: S lists P-A, P-U and P-RO)."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_access_show_lists_the_partner_users(cli: Cli) -> None:
    settings = cli.ok("access", "show", "Sub-org S")
    members = cli.world.members
    assert settings["customer_access"] == "permitted"
    assert sorted(settings["partner_users"]) == sorted(
        str(members[a].id) for a in ("P-A", "P-U", "P-RO")
    )


def test_refuse_and_restore_customer_access(cli: Cli) -> None:
    assert cli.ok("access", "refuse-customer", "Sibling T")["customer_access"] == "refused"
    assert cli.ok("access", "show", "Sibling T")["partner_users"] == "all"
    assert cli.ok("access", "restore-customer", "Sibling T")["customer_access"] == "permitted"


def test_restrict_partner_users_by_email_then_open_to_all_until_a_time(cli: Cli) -> None:
    restricted = cli.ok("access", "partner-users", "Sibling T", "p-u@example.com")
    assert restricted["partner_users"] == [str(cli.world.members["P-U"].id)]
    opened = cli.ok("access", "partner-users", "Sibling T", "--all", "--until", "2099-01-01T00:00Z")
    assert opened["partner_users"] == "all"
    assert opened["partner_access_expires_at"].startswith("2099-01-01T00:00")


def test_partner_users_needs_users_or_all(cli: Cli) -> None:
    assert cli.run("access", "partner-users", "Sibling T").exit_code == 2


def test_customer_branding_allow(cli: Cli) -> None:
    assert cli.ok("access", "customer-branding", "Sibling T", "--allow")["customer_may_brand"]


def test_grant_and_end_a_partner_users_window(cli: Cli) -> None:
    grant = cli.ok(
        "access", "grant", "Sub-org S", "p-x@example.com", "--until", "2099-01-01T00:00Z"
    )
    assert grant["user_id"] == str(cli.world.members["P-X"].id)
    ended = cli.run("access", "end-grant", "Sub-org S", "p-x@example.com", output=None)
    assert ended.exit_code == 0, ended.output
    again = cli.run("access", "end-grant", "Sub-org S", "p-x@example.com", output=None)
    assert again.exit_code == 1
    assert error_code(again) == "grant_not_found"


def test_access_settings_of_a_partner_are_refused(cli: Cli) -> None:
    result = cli.run("access", "show", "Partner P")
    assert result.exit_code == 1
    assert error_code(result) == "not_a_sub_org"


def test_a_partner_admin_refuses_its_customer_remotely(remote: Cli) -> None:
    assert remote.ok("access", "refuse-customer", "Sibling T", actor="P-PA")["customer_access"] == (
        "refused"
    )


def test_a_customer_admin_may_not_change_access_settings(remote: Cli) -> None:
    result = remote.run("access", "refuse-customer", "Sibling T", actor="T-A")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"


def test_mfa_policy_set_for_a_partner_and_its_sub_orgs(cli: Cli) -> None:
    policy = cli.ok("mfa-policy", "set", "Partner P", "--required", "--sub-orgs")
    assert (policy["required"], policy["required_for_sub_orgs"]) == (True, True)
    inherited = cli.ok("mfa-policy", "show", "Sub-org S")
    assert (inherited["required"], inherited["effective"]) == (False, True)


def test_mfa_policy_for_sub_orgs_of_a_standard_org_is_refused(cli: Cli) -> None:
    result = cli.run("mfa-policy", "set", "Unrelated U", "--required", "--sub-orgs")
    assert result.exit_code == 1


def test_a_partner_user_may_not_set_the_mfa_policy(remote: Cli) -> None:
    result = remote.run("mfa-policy", "set", "Partner P", "--required", actor="P-U")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"


def test_access_staff_lists_the_partner_users_who_reach_the_sub_org(cli: Cli) -> None:
    emails = {s["email"] for s in cli.ok("access", "staff", "Sub-org S")}
    assert "p-a@example.com" in emails and "p-x@example.com" not in emails
