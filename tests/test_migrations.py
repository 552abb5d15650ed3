"""The migrations build exactly the models' schema, and undo it, on every test backend.

Each test gets a fresh, empty database (a temporary SQLite file, or a new
PostgreSQL database on the TENANTREE_TEST_POSTGRES_URL server).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tenantree.db import make_engine
from tenantree.db import migrate as migrations
from tenantree.models import metadata

POSTGRES_ENV = "TENANTREE_TEST_POSTGRES_URL"


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server_url = os.environ.get(POSTGRES_ENV)
    if not server_url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"tenantree_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def head() -> str:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    (only_head,) = script.get_heads()
    return only_head


def test_the_migrations_have_a_single_head() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_head_builds_every_table_of_the_models(fresh_url: str) -> None:
    migrations.upgrade(fresh_url)
    assert tables(fresh_url) == set(metadata.tables)
    assert current_revision(fresh_url) == head()


def test_upgraded_schema_matches_the_models(fresh_url: str) -> None:
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)  # raises when autogenerate finds a difference


def test_check_refuses_a_database_that_is_not_upgraded(fresh_url: str) -> None:
    with pytest.raises(CommandError, match="not up to date"):
        migrations.check(fresh_url)


def test_downgrade_base_removes_every_table(fresh_url: str) -> None:
    migrations.upgrade(fresh_url)
    migrations.downgrade(fresh_url, "base")
    assert tables(fresh_url) == set()
    assert current_revision(fresh_url) is None


def test_upgrade_after_downgrade_matches_the_models_again(fresh_url: str) -> None:
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)
    migrations.downgrade(fresh_url, "base")
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)
    assert tables(fresh_url) == set(metadata.tables)


def test_every_revision_downgrades_and_upgrades_one_step_at_a_time(fresh_url: str) -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config(fresh_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrations.upgrade(fresh_url, revision)
        assert current_revision(fresh_url) == revision
    for revision in reversed(revisions):
        migrations.downgrade(fresh_url, "-1")
        assert current_revision(fresh_url) != revision
    assert tables(fresh_url) == set()
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)


def test_a_database_url_with_a_percent_sign_works(tmp_path: Path) -> None:
    # Alembic's config interpolates %; the URL must reach the engine unchanged.
    directory = tmp_path / "100%-full"
    directory.mkdir()
    url = f"sqlite:///{directory / 'x.db'}"
    migrations.upgrade(url)
    migrations.check(url)


@pytest.mark.postgres_only
def test_concurrent_upgrades_of_a_fresh_database_both_succeed(fresh_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(migrations.upgrade, fresh_url) for _ in range(2)]
        for run in runs:
            run.result()  # raises if that upgrade failed
    assert set(metadata.tables) <= tables(fresh_url)
    assert migrations.current_revisions(fresh_url) == migrations.head_revisions()
