"""`tenantree login|whoami|logout`: the token kept for remote commands."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.commands.running import Cli
from factories import PASSWORD
from tenantree.cli.main import app

runner = CliRunner()


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("TENANTREE_PASSWORD", PASSWORD)
    return tmp_path / "tenantree" / "credentials.json"


def tenantree(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), prog_name="tenantree")


def test_login_keeps_the_token_readable_by_the_user_alone(remote: Cli, config_home: Path) -> None:
    result = tenantree("login", "--api-url", str(remote.api_url), "--email", "p-a@example.com")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(config_home.stat().st_mode) == 0o600
    whoami = tenantree("whoami", "--api-url", str(remote.api_url), "--output", "csv")
    assert whoami.exit_code == 0, whoami.output
    assert "p-a@example.com" in whoami.stdout


def test_commands_use_the_kept_token(remote: Cli, config_home: Path) -> None:
    url = str(remote.api_url)
    assert tenantree("login", "--api-url", url, "--email", "p-a@example.com").exit_code == 0
    listed = tenantree("sub-orgs", "list", "Partner P", "--api-url", url, "--output", "csv")
    assert listed.exit_code == 0, listed.output
    assert "Sub-org S" in listed.stdout
    refused = tenantree("orgs", "show", "Unrelated U", "--api-url", url)
    assert refused.exit_code == 1


def test_logout_revokes_the_token_and_forgets_it(remote: Cli, config_home: Path) -> None:
    url = str(remote.api_url)
    assert tenantree("login", "--api-url", url, "--email", "p-a@example.com").exit_code == 0
    token = config_home.read_text()
    assert tenantree("logout", "--api-url", url).exit_code == 0
    assert url not in config_home.read_text()
    kept = token.split('"')[3]
    again = runner.invoke(
        app, ["whoami", "--api-url", url], env={"TENANTREE_TOKEN": kept}, prog_name="tenantree"
    )
    assert again.exit_code == 1
    assert "invalid_token" in again.stderr


def test_a_wrong_password_is_refused(remote: Cli, config_home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TENANTREE_PASSWORD", "wrong password")
    result = tenantree("login", "--api-url", str(remote.api_url), "--email", "p-a@example.com")
    assert result.exit_code == 1
    assert not config_home.exists()


def test_login_with_an_api_token(remote: Cli, config_home: Path) -> None:
    url = str(remote.api_url)
    result = tenantree("login", "--api-url", url, "--token", remote.world.tokens["S-A"])
    assert result.exit_code == 0, result.output
    assert "s-a@example.com" in result.stdout


def test_remote_mode_without_a_token_is_a_usage_error(remote: Cli, config_home: Path) -> None:
    assert tenantree("orgs", "list", "--api-url", str(remote.api_url)).exit_code == 2
