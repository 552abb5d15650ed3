"""Alembic, driven from code so `tenantree db upgrade` works from an installed package."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from tenantree.db.engine import make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


# The key of the PostgreSQL advisory lock held while migrating ("tenantree" as an int).
# migrations/env.py takes it with pg_advisory_xact_lock at the start of the
# one transaction every upgrade or downgrade runs in: replicas started
# together may all run `db upgrade`; the first migrates, the others wait and
# then find nothing left to do. Transaction-scoped, so it also holds behind a
# transaction-pooling PgBouncer, where a session lock and its unlock could
# land on different server connections. SQLite serialises writers itself.
MIGRATION_LOCK_KEY = 0x74656E616E74


# Alembic keeps its running context in module globals: within one process,
# one migration command at a time (the advisory lock orders the processes).
_ONE_COMMAND_AT_A_TIME = threading.Lock()


def upgrade(database_url: str, revision: str = "head") -> None:
    with _ONE_COMMAND_AT_A_TIME:
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    with _ONE_COMMAND_AT_A_TIME:
        command.downgrade(alembic_config(database_url), revision)


def current_revisions(database_url: str) -> tuple[str, ...]:
    """The revisions the database is at (none before its first upgrade)."""
    engine = make_engine(database_url, poolclass=NullPool, sqlite_immediate=False)
    try:
        with engine.connect() as conn:
            return tuple(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def revisions_reverted_by(database_url: str, target: str) -> list[str]:
    """The revisions a downgrade to `target` would revert, newest first.

    Every revision's downgrade drops the tables or columns it added, and
    their data with them.
    """
    current = current_revisions(database_url)
    if not current:
        return []
    script = ScriptDirectory.from_config(alembic_config(database_url))
    return [r.revision for r in script.iterate_revisions(current, target)]


def check(database_url: str) -> None:
    """Fail if the models have drifted from the migrations."""
    command.check(alembic_config(database_url))


def revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
