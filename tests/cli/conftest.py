"""Fixtures for the `tenantree` command's tests: a fresh SQLite file, a runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantree.cli.main import app
from tenantree.config import get_settings


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Points TENANTREE_DATABASE_URL at an empty SQLite file; settings re-read around the test."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("TENANTREE_DATABASE_URL", f"sqlite:///{path}")
    # Keep the CLI off the real data dir (secret key file) and make hashing cheap.
    monkeypatch.setenv("TENANTREE_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("TENANTREE_EMAIL_BACKEND", "console")
    monkeypatch.setenv("TENANTREE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TENANTREE_ARGON2_MEMORY_COST_KIB", "1024")
    monkeypatch.setenv("TENANTREE_ARGON2_PARALLELISM", "1")
    monkeypatch.delenv("TENANTREE_OPERATOR_PASSWORD", raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def upgraded(database_file: Path, runner: CliRunner) -> Path:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return database_file
