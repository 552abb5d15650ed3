"""Migration 0022 fills each existing rollup row's closing figure and carried
level exactly as the change writes compute them for new rows."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from usage_history import change_use, day_start

from factories import make_partner, make_sub_org
from tenantree.licensing.models import LicensePool, UsageDaily
from tenantree.migrations import versions

START = day_start(date(2025, 3, 1))


def _migration() -> ModuleType:
    path = Path(versions.__path__[0]) / "0022_usage_daily_period_sums.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_backfill_computes_what_the_writes_do(session: Session, backend: str) -> None:
    partner = make_partner(session)
    consumers = [partner.id, make_sub_org(session, partner).id]
    pool = LicensePool(holder_org_id=partner.id, sku="mon", unit="seats")
    session.add(pool)
    session.flush()
    # Changes at midnight, within a second of it, several a day, days apart.
    steps = [(0, 5), (3_600.5, 7), (86_399.999_999, 2), (0.000_001, 9), (4 * 86_400 + 11, 0)]
    for org_id in consumers:
        at = START
        for seconds, units in steps:
            at += timedelta(seconds=seconds)
            change_use(session, pool.id, org_id, units, at)
    columns = (UsageDaily.id, UsageDaily.closing_unit_seconds, UsageDaily.carried_units)
    written = set(session.execute(select(*columns)).all())
    assert len(written) == 6 and {row.carried_units for row in written} != {0}

    session.execute(update(UsageDaily).values(closing_unit_seconds=-1, carried_units=-1))
    migration = _migration()
    session.execute(text(migration._CLOSING[backend]))
    session.execute(text(migration._CARRIED))
    assert set(session.execute(select(*columns)).all()) == written
