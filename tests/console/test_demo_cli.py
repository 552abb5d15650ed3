"""`tenantree demo`: loads through the services, refuses a database that has orgs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantree.cli.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tenantree.cli.main import app
from tenantree.config import get_settings


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "demo.db"
    monkeypatch.setenv("TENANTREE_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("TENANTREE_SECRET_KEY", "demo-test-secret")
    monkeypatch.setenv("TENANTREE_EMAIL_BACKEND", "console")
    monkeypatch.setenv("TENANTREE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TENANTREE_ARGON2_MEMORY_COST_KIB", "1024")
    monkeypatch.setenv("TENANTREE_ARGON2_PARALLELISM", "1")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_demo_loads_once_and_resets_on_sqlite(database_file: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output
    assert DEMO_TOTP_SECRET in first.output  # how the operator completes MFA
    for email in ("operator@demo.example", "pat@northwind.example", "admin@contoso.example"):
        assert email in first.output
    # The three-tier channel: a distributor, its tier-2 partners, their customers.
    for email in (
        "dana@contosodist.example",
        "admin@woodgrove.example",
        "admin@southridge.example",
    ):
        assert email in first.output

    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 2
    assert "already has orgs" in again.output

    reset = runner.invoke(app, ["demo", "--reset"])
    assert reset.exit_code == 0, reset.output


def test_reset_is_only_for_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENANTREE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("TENANTREE_SECRET_KEY", "demo-test-secret")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--reset"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "only on a SQLite" in result.output


def test_if_empty_loads_an_empty_database_and_leaves_a_loaded_one_alone(
    database_file: Path,
) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "pat@northwind.example" in first.output

    again = runner.invoke(app, ["demo", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "not loaded again" in again.output
    assert "pat@northwind.example" not in again.output
