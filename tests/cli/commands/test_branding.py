"""`tenantree branding show|draft|publish` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code


def test_draft_changes_only_the_fields_given_and_publish_shows_them(cli: Cli) -> None:
    cli.ok("branding", "draft", "Partner P", "--product-name", "P Cloud")
    drafted = cli.ok("branding", "draft", "Partner P", "--support-email", "help@p.example")
    assert drafted["draft"]["product_name"] == "P Cloud"
    assert drafted["draft"]["support_email"] == "help@p.example"
    assert drafted["unpublished_changes"] is True
    assert drafted["published"] is None
    published = cli.ok("branding", "publish", "Partner P")
    assert published["published"]["product_name"] == "P Cloud"
    assert published["unpublished_changes"] is False


def test_clear_lets_a_field_inherit_again(cli: Cli) -> None:
    cli.ok("branding", "draft", "Partner P", "--product-name", "P Cloud")
    cleared = cli.ok("branding", "draft", "Partner P", "--clear", "product_name")
    assert cleared["draft"]["product_name"] is None


def test_clear_of_an_unknown_field_is_a_usage_error(cli: Cli) -> None:
    assert cli.run("branding", "draft", "Partner P", "--clear", "logo").exit_code == 2


def test_a_colour_without_contrast_is_refused(cli: Cli) -> None:
    result = cli.run("branding", "draft", "Partner P", "--primary-color", "#ffff00")
    assert result.exit_code == 1
    assert "primary_color" in result.stderr


def test_a_partner_admin_brands_its_own_org_not_others(remote: Cli) -> None:
    drafted = remote.ok("branding", "draft", "Partner P", "--product-name", "Ours", actor="P-PA")
    assert drafted["draft"]["product_name"] == "Ours"
    result = remote.run("branding", "publish", str(remote.world.U.id), actor="P-PA")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_verify_domain_without_the_txt_record_is_refused(cli: Cli) -> None:
    cli.ok("branding", "draft", "Partner P", "--custom-domain", "portal.pcorp-cli-test.com")
    result = cli.run("branding", "verify-domain", "Partner P")
    assert result.exit_code == 1
    assert error_code(result) in {"domain_not_verified", "dns_unavailable", "service_unavailable"}
