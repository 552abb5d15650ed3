"""Fresh databases for a run: a SQLite file, or a new database on a PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from tenantree.db import migrate


def sqlite_url(folder: Path, name: str) -> str:
    path = folder / f"{name}.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    return url


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """A migrated database on the server, dropped afterwards."""
    db = f"tenantree_bench_{name}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    url = make_url(server_url).set(database=db).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


class QueryCounter:
    """Counts the SQL statements an engine sends."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement: str, *args: object) -> None:
        # Transaction control (SQLite's BEGIN IMMEDIATE) is not a query.
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.count += 1
