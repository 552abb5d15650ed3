"""The `tenantree` command, run in-process with Typer's CliRunner on a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tenantree.audit.models import AuditEvent
from tenantree.cli.main import app
from tenantree.config import get_settings
from tenantree.identity.models import Account
from tenantree.models import metadata

PASSWORD = "a sufficiently long password"


def accounts(path: Path) -> list[Account]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Account)))
    finally:
        engine.dispose()


def table_names(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- db -----------------------------------------------------------------------------------


def test_db_upgrade_creates_every_table(database_file: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database is up to date" in result.output
    assert set(metadata.tables) <= table_names(database_file)


def test_db_upgrade_twice_is_harmless(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_db_check_passes_on_an_upgraded_database(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output
    assert "models and migrations agree" in result.output


def test_db_check_fails_clearly_on_a_database_not_upgraded(
    database_file: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 1
    assert "error: Target database is not up to date" in result.stderr
    assert "Traceback" not in result.output


def test_db_downgrade_to_an_unknown_revision_fails_clearly(
    upgraded: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["db", "downgrade", "nonsense"])
    assert result.exit_code == 1
    assert "error:" in result.stderr and "nonsense" in result.stderr
    assert set(metadata.tables) <= table_names(upgraded)


def test_db_downgrade_to_base_removes_the_tables(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "downgrade", "base", "--yes-drop-data"])
    assert result.exit_code == 0, result.output
    assert table_names(upgraded) & set(metadata.tables) == set()


def test_db_downgrade_refuses_to_drop_data_unconfirmed(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "downgrade", "0004"])
    assert result.exit_code == 2
    assert "--yes-drop-data" in result.stderr
    assert set(metadata.tables) <= table_names(upgraded)


def test_db_downgrade_that_reverts_nothing_needs_no_confirmation(
    upgraded: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["db", "downgrade", "head"])
    assert result.exit_code == 0, result.output
    assert set(metadata.tables) <= table_names(upgraded)


# --- operator create ------------------------------------------------------------------


def test_operator_create_reads_the_password_from_the_environment(
    upgraded: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTREE_OPERATOR_PASSWORD", PASSWORD)
    result = runner.invoke(app, ["operator", "create", "--email", "Ops@Example.com"])
    assert result.exit_code == 0, result.output
    assert "operator ops@example.com created" in result.output
    assert "Password" not in result.output
    (account,) = accounts(upgraded)
    assert account.email == "ops@example.com"
    assert account.is_operator is True
    assert account.password_hash and PasswordHasher().verify(account.password_hash, PASSWORD)


def test_operator_create_prompts_for_the_password_twice(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["operator", "create", "--email", "ops@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    (account,) = accounts(upgraded)
    assert PasswordHasher().verify(account.password_hash, PASSWORD)


def test_operator_create_asks_again_when_the_confirmation_differs(
    upgraded: Path, runner: CliRunner
) -> None:
    other = "another long password!"
    result = runner.invoke(
        app,
        ["operator", "create", "--email", "ops@example.com"],
        input=f"{PASSWORD}\n{other}\n{other}\n{other}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    (account,) = accounts(upgraded)
    assert PasswordHasher().verify(account.password_hash, other)


def test_operator_create_refuses_a_short_password(
    upgraded: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTREE_OPERATOR_PASSWORD", "short")
    result = runner.invoke(app, ["operator", "create", "--email", "ops@example.com"])
    assert result.exit_code == 1
    assert "a password has at least 12 characters" in result.stderr
    assert accounts(upgraded) == []


def test_operator_create_refuses_a_short_password_from_the_prompt(
    upgraded: Path, runner: CliRunner
) -> None:
    result = runner.invoke(
        app, ["operator", "create", "--email", "ops@example.com"], input="short\nshort\n"
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.stderr
    assert accounts(upgraded) == []


def test_operator_create_refuses_a_duplicate_email(
    upgraded: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTREE_OPERATOR_PASSWORD", PASSWORD)
    first = runner.invoke(app, ["operator", "create", "--email", "ops@example.com"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["operator", "create", "--email", "OPS@example.com"])
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert len(accounts(upgraded)) == 1


def test_operator_create_records_an_audit_event(
    upgraded: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTREE_OPERATOR_PASSWORD", PASSWORD)
    runner.invoke(app, ["operator", "create", "--email", "ops@example.com"])
    engine = create_engine(f"sqlite:///{upgraded}")
    try:
        with Session(engine) as session:
            (event,) = session.scalars(select(AuditEvent))
    finally:
        engine.dispose()
    assert event.action == "operator.created"
    assert event.request_id == "cli"
    assert PASSWORD not in str(event.details)


def test_operator_create_has_no_password_option(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["operator", "create", "--email", "ops@example.com", "--password", PASSWORD]
    )
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert accounts(upgraded) == []


def test_operator_create_help_offers_no_way_to_pass_a_password(runner: CliRunner) -> None:
    result = runner.invoke(app, ["operator", "create", "--help"])
    assert result.exit_code == 0
    assert "--password" not in result.output
    assert "TENANTREE_OPERATOR_PASSWORD" in result.output


def test_operator_create_needs_an_email(upgraded: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["operator", "create"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 2
    assert "--email" in result.output


# --- help ---------------------------------------------------------------------------------


def _command_paths() -> list[list[str]]:
    """Every command and group of the CLI, walked from the app (new ones included)."""
    import typer.main

    def walk(command, path):  # type: ignore[no-untyped-def]
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


COMMANDS = _command_paths()


def test_the_help_walk_finds_the_documented_commands() -> None:
    for command in (["serve"], ["db", "upgrade"], ["db", "check"], ["operator", "create"]):
        assert command in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tenantree")
def test_help_works_for_every_command(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_running_without_arguments_shows_the_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert "Usage:" in result.output
    assert "operator" in result.output and "db" in result.output


# --- serve --------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """uvicorn.run replaced by a recorder: what serve would have served with."""
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def test_serve_refuses_a_postgresql_database_without_a_secret_key(
    database_file: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, served
) -> None:
    monkeypatch.setenv("TENANTREE_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/db")
    monkeypatch.delenv("TENANTREE_SECRET_KEY")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "TENANTREE_SECRET_KEY" in result.stderr
    assert served == []


def test_serve_starts_on_postgresql_with_a_secret_key(
    database_file: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, served
) -> None:
    monkeypatch.setenv("TENANTREE_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/db")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert len(served) == 1


def test_serve_migrate_upgrades_before_serving(
    database_file: Path, runner: CliRunner, served
) -> None:
    result = runner.invoke(app, ["serve", "--migrate"])
    assert result.exit_code == 0, result.output
    assert set(metadata.tables) <= table_names(database_file)
    assert len(served) == 1


def test_serve_logs_json_when_asked(
    database_file: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, served
) -> None:
    monkeypatch.setenv("TENANTREE_LOG_FORMAT", "json")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    [call] = served
    assert call["log_config"]["handlers"]["default"]["formatter"] == "json"  # type: ignore[index]
    assert call["access_log"] is False


def test_serve_runs_on_httptools_and_uvloop(database_file: Path, runner: CliRunner, served) -> None:
    assert runner.invoke(app, ["serve"]).exit_code == 0
    [call] = served
    assert (call["http"], call["loop"]) == ("httptools", "uvloop")


def test_serve_believes_forwarded_headers_only_from_the_configured_proxies(
    database_file: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, served
) -> None:
    assert runner.invoke(app, ["serve"]).exit_code == 0
    monkeypatch.setenv("TENANTREE_FORWARDED_ALLOW_IPS", "10.0.0.7")
    get_settings.cache_clear()
    assert runner.invoke(app, ["serve"]).exit_code == 0

    assert served[0]["proxy_headers"] is False
    assert served[1]["proxy_headers"] is True
    assert served[1]["forwarded_allow_ips"] == "10.0.0.7"


def test_operator_create_refuses_an_email_mixing_scripts(
    database_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTREE_OPERATOR_PASSWORD", "a long enough passphrase")
    CliRunner().invoke(app, ["db", "upgrade"])
    result = CliRunner().invoke(app, ["operator", "create", "--email", "ops@ex\u0430mple.com"])
    assert result.exit_code != 0
    assert "mixed scripts" in result.output
