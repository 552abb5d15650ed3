"""Migration 0026 keys usage_daily by (pool_id, org_id, day), on SQLite as a
WITHOUT ROWID table, keeping every row, and its downgrade gives the rowid
table back with the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, text

from factories import make_license, make_partner, make_sub_org
from tenantree.clock import utcnow
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.db.base import new_id
from tenantree.licensing.models import LicensePool

_ROWS = "SELECT * FROM usage_daily ORDER BY pool_id, org_id, day"


def _table_sql(connection: Connection) -> str:
    return str(connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'usage_daily'")))


def test_sqlite_rows_survive_the_rebuild_both_ways(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'usage.db'}"
    migrations.upgrade(url, "0025")
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=10)
        customers = [make_sub_org(session, partner) for _ in range(3)]
        pool = session.query(LicensePool).one()
        at = utcnow()
        for n, customer in enumerate(customers):
            for back in range(3):
                session.execute(
                    text(
                        "INSERT INTO usage_daily (id, pool_id, org_id, day, peak_units,"
                        " unit_seconds, last_units, last_at, closing_unit_seconds,"
                        " carried_units) VALUES (:id, :pool, :org, :day, :n, :n, :n, :at,"
                        " :n, :n)"
                    ),
                    {
                        "id": new_id().hex,
                        "pool": pool.id.hex,
                        "org": customer.id.hex,
                        "day": date(2027, 1, 10) - timedelta(days=back),
                        "n": n * 10 + back,
                        "at": at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    },
                )
        session.commit()
    with engine.connect() as connection:
        before, rowid_sql = connection.execute(text(_ROWS)).all(), _table_sql(connection)
    assert len(before) == 9
    migrations.upgrade(url)
    migrations.check(url)
    with engine.connect() as connection:
        assert connection.execute(text(_ROWS)).all() == before
        keyed = _table_sql(connection)
    # Without a rowid, the table is its key's B-tree: no lookup per row.
    assert keyed.rstrip().endswith("WITHOUT ROWID")
    assert "PRIMARY KEY (pool_id, org_id, day)" in keyed and "UNIQUE (id)" in keyed
    migrations.downgrade(url, "0025")
    with engine.connect() as connection:
        assert connection.execute(text(_ROWS)).all() == before
        rebuilt = _table_sql(connection)
    assert "WITHOUT ROWID" not in rebuilt and "WITHOUT ROWID" not in rowid_sql
    for key in ("PRIMARY KEY (id)", "UNIQUE (pool_id, org_id, day)"):
        assert key in rebuilt and key in rowid_sql
    engine.dispose()
