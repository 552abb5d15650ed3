"""Migrations 0026 and 0028 key usage_daily and consumptions by the columns a
report reads them in, on SQLite as WITHOUT ROWID tables, keeping every row;
their downgrades give the rowid tables back with the same rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from factories import make_license, make_partner, make_sub_org
from tenantree.clock import utcnow
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.db.base import new_id
from tenantree.licensing.models import LicensePool
from tenantree.orgs.models import Org

_AT = "%Y-%m-%d %H:%M:%S.%f"


def _table_sql(connection: Connection, table: str) -> str:
    return str(
        connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table})
    )


def _rows_survive_both_ways(
    tmp_path: Path,
    table: str,
    *,
    before: str,
    key: str,
    fill: Callable[[Session, Org, LicensePool], int],
) -> None:
    """`table` filled at revision `before`, upgraded to head and back: the same
    rows throughout; keyed by `key` without a rowid at head; keyed by `id`,
    `key` unique, with a rowid before and after."""
    url = f"sqlite:///{tmp_path / 'rekeyed.db'}"
    migrations.upgrade(url, before)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=10)
        filled = fill(session, partner, session.query(LicensePool).one())
        session.commit()
    rows = f"SELECT * FROM {table} ORDER BY {key}"  # noqa: S608 - the test's own names
    with engine.connect() as connection:
        was, rowid_sql = connection.execute(text(rows)).all(), _table_sql(connection, table)
    assert len(was) == filled
    migrations.upgrade(url)
    migrations.check(url)
    with engine.connect() as connection:
        assert connection.execute(text(rows)).all() == was
        keyed = _table_sql(connection, table)
    # Without a rowid, the table is its key's B-tree: no lookup per row.
    assert keyed.rstrip().endswith("WITHOUT ROWID")
    assert f"PRIMARY KEY ({key})" in keyed and "UNIQUE (id)" in keyed
    migrations.downgrade(url, before)
    with engine.connect() as connection:
        assert connection.execute(text(rows)).all() == was
        rebuilt = _table_sql(connection, table)
    assert "WITHOUT ROWID" not in rebuilt and "WITHOUT ROWID" not in rowid_sql
    for kept in ("PRIMARY KEY (id)", f"UNIQUE ({key})"):
        assert kept in rebuilt and kept in rowid_sql
    engine.dispose()


def test_usage_daily_rows_survive_the_rebuild_both_ways(tmp_path: Path) -> None:
    def fill(session: Session, partner: Org, pool: LicensePool) -> int:
        at = utcnow().strftime(_AT)
        for n in range(3):
            customer = make_sub_org(session, partner)
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
                        "at": at,
                    },
                )
        return 9

    _rows_survive_both_ways(
        tmp_path,
        "usage_daily",
        before="0025",
        key="pool_id, org_id, day",
        fill=fill,
    )


def _fill_consumptions(session: Session, partner: Org, pool: LicensePool) -> int:
    at = utcnow().strftime(_AT)
    for units in range(3):
        session.execute(
            text(
                "INSERT INTO consumptions (id, pool_id, org_id, units, updated_at)"
                " VALUES (:id, :pool, :org, :units, :at)"
            ),
            {
                "id": new_id().hex,
                "pool": pool.id.hex,
                "org": make_sub_org(session, partner).id.hex,
                "units": units,
                "at": at,
            },
        )
    return 3


def test_consumptions_rows_survive_the_rebuild_both_ways(tmp_path: Path) -> None:
    _rows_survive_both_ways(
        tmp_path,
        "consumptions",
        before="0027",
        key="pool_id, org_id",
        fill=_fill_consumptions,
    )


def test_consumptions_statistics_are_gathered_again_after_the_rebuild(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'analyzed.db'}"
    migrations.upgrade(url, "0027")
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=10)
        _fill_consumptions(session, partner, session.query(LicensePool).one())
        session.commit()
    stats = text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'consumptions'")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        assert connection.scalar(stats) > 0
    migrations.upgrade(url)
    with engine.connect() as connection:
        assert connection.scalar(stats) > 0
    migrations.downgrade(url, "0027")
    with engine.connect() as connection:
        assert connection.scalar(stats) > 0
    engine.dispose()
