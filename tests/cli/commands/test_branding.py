"""`tenantree branding show|draft|logo|favicon|publish` in both modes."""

from __future__ import annotations

from pathlib import Path

from branding.conftest import SVG_OK, png
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


def test_logo_and_favicon_upload_into_the_draft_and_clear(cli: Cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    uploaded = cli.ok("branding", "logo", "Partner P", str(logo))
    assert uploaded["kind"] == "logo" and uploaded["content_type"] == "image/png"
    favicon = tmp_path / "icon.svg"
    favicon.write_bytes(SVG_OK)
    assert cli.ok("branding", "favicon", "Partner P", str(favicon))["kind"] == "favicon"
    draft = cli.ok("branding", "show", "Partner P")["draft"]
    assert draft["logo_url"] == uploaded["url"] and draft["favicon_url"]
    cleared = cli.ok("branding", "logo", "Partner P", "--clear")
    assert cleared["draft"]["logo_url"] is None and cleared["draft"]["favicon_url"]


def test_an_image_that_is_not_what_its_name_says_is_refused(cli: Cli, tmp_path: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(SVG_OK)
    result = cli.run("branding", "logo", "Partner P", str(fake))
    assert result.exit_code == 1, result.output


def test_an_image_needs_a_png_or_svg_file(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "logo.gif"
    other.write_bytes(b"GIF89a")
    assert cli.run("branding", "logo", "Partner P", str(other)).exit_code == 2
    assert cli.run("branding", "logo", "Partner P").exit_code == 2


def test_a_sub_orgs_admin_may_not_upload_its_logo_unless_allowed(
    remote: Cli, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    result = remote.run("branding", "logo", str(remote.world.S.id), str(logo), actor="S-A")
    assert result.exit_code == 1, result.output
    assert error_code(result) == "forbidden"
