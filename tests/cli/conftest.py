"""Fixtures for the `tenantree` command's tests: a fresh SQLite file, a runner."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantree.config import get_settings
from tenantree.db import migrate as migrations


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


@pytest.fixture(scope="session")
def head_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, once per worker: running every migration
    cost ~1 s of CPU per test. The command's own upgrade of an empty file is
    test_db_upgrade_creates_every_table's."""
    path = tmp_path_factory.mktemp("cli-head") / "head.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def upgraded(database_file: Path, head_template: Path) -> Path:
    """The test's database file at head: a copy of the template (SQLite's backup
    copies what the write-ahead log still holds too)."""
    with (
        closing(sqlite3.connect(head_template)) as template,
        closing(sqlite3.connect(database_file)) as copy,
    ):
        template.backup(copy)
    return database_file
