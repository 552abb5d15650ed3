"""`tenantree sso …` and `tenantree smtp-relay …` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_sso_show_of_an_org_without_sso_is_refused(cli: Cli) -> None:
    result = cli.run("sso", "show", "Sub-org S")
    assert result.exit_code == 1
    assert error_code(result) == "sso_not_configured"


def test_sso_set_for_a_domain_the_org_has_not_verified_is_refused(cli: Cli) -> None:
    result = cli.run(
        "sso", "set", "Sub-org S", "--issuer", "https://idp.example.com", "--client-id", "abc",
        "--domain", "s-corp.com",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "allowed_domains" in result.stderr


def test_smtp_relay_set_show_and_remove(cli: Cli) -> None:
    relay = cli.ok("smtp-relay", "set", "Partner P", "--host", "8.8.8.8", "--port", "2525")
    assert (relay["relay"]["host"], relay["relay"]["port"]) == ("8.8.8.8", 2525)
    assert relay["relay"]["password_set"] is False
    assert cli.ok("smtp-relay", "show", "Partner P")["delivery_via"] == relay["delivery_via"]
    assert cli.run("smtp-relay", "remove", "Partner P", output=None).exit_code == 0
    assert cli.ok("smtp-relay", "show", "Partner P")["relay"] is None


def test_a_relay_on_a_private_address_is_refused(cli: Cli) -> None:
    result = cli.run("smtp-relay", "set", "Partner P", "--host", "127.0.0.1")
    assert result.exit_code == 1
    assert "host" in result.stderr


def test_a_partner_user_may_not_set_the_relay(remote: Cli) -> None:
    result = remote.run("smtp-relay", "set", "Partner P", "--host", "8.8.8.8", actor="P-U")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"
