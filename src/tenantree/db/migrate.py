"""Alembic, driven from code so `tenantree db upgrade` works from an installed package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


# The key of the PostgreSQL advisory lock held while migrating ("tenantree" as an int).
MIGRATION_LOCK_KEY = 0x74656E616E74


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold the database's migration lock: one migration at a time, cluster-wide.

    Replicas started together may all run `db upgrade`: the first migrates,
    the others wait here and then find nothing left to do. On SQLite (one
    machine) there is nothing to hold: it serialises writers itself.
    """
    if make_url(database_url).get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), revision)


def current_revisions(database_url: str) -> tuple[str, ...]:
    """The revisions the database is at (none before its first upgrade)."""
    engine = create_engine(database_url, poolclass=NullPool)
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
