"""Run-out forecasts over three tiers: each level's report and alerts carry its
own run-outs only. D holds 1000 units; R (tier 2) draws on D's pool under a
quota of 700 and holds 50 of its own; C draws on R's pool under a quota of 45.
R's pool is linked (licensing.linked): R's own use and C's sit in it, bound by
R's quota, and its row in D's pool follows it.

Thirty days of steady growth make each run-out a different day: D's pool in
16 days, R's pool (against R's quota) in 1, C's quota in 14. R's report (JSON,
CSV, console) and alerts never show D's run-out; C's report only its quota's."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.tiers_world import TierWorld, build_tiers
from console.test_console_http import cookie
from factories import make_license
from tenantree import clock
from tenantree.alerts.forecast import WINDOW_DAYS
from tenantree.licensing.history import sum_pool_days
from tenantree.licensing.models import (
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    Quota,
    UsageDaily,
)

SKU = "mon"


def _grow(session: Session, pool: LicensePool, org_id, start: int, per_day: int) -> int:  # type: ignore[no-untyped-def]
    """The days before today of a steady climb; returns today's level."""
    today = clock.utcnow().date()
    for i in range(WINDOW_DAYS - 1):
        day = today - timedelta(days=WINDOW_DAYS - 1 - i)
        units = start + per_day * i
        session.add(
            UsageDaily(pool_id=pool.id, org_id=org_id, day=day, peak_units=units,
                       unit_seconds=units * 86_400, last_units=units,
                       last_at=datetime.combine(day, time(12), tzinfo=UTC),
                       # Held all day; carried in from the day before (none before the first).
                       closing_unit_seconds=units * 86_400,
                       carried_units=units - per_day if i else 0)
        )  # fmt: skip
    return start + per_day * (WINDOW_DAYS - 1)


def _request(client, world: TierWorld, method: str, org, actor: str, path: str, **kw):  # type: ignore[no-untyped-def]
    response = client.request(
        method, f"/api/v1/orgs/{org.id}{path}", headers=world.headers(actor), **kw
    )
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
def world(client, session: Session, identity) -> TierWorld:  # type: ignore[no-untyped-def]
    world = build_tiers(session, identity)
    make_license(session, world.D, quantity=1000, sku=SKU)
    make_license(session, world.R, quantity=50, sku=SKU)
    for org in (world.R, world.C):
        session.add(LicenseSourceChange(org_id=org.id, source=LicenseSource.PARENT_POOL))
    session.add(Quota(sub_org_id=world.R.id, sku=SKU, max_units=700))
    session.add(Quota(sub_org_id=world.C.id, sku=SKU, max_units=45))
    pools = {p.holder_org_id: p for p in session.scalars(select(LicensePool))}
    r_today = _grow(session, pools[world.R.id], world.R.id, start=98, per_day=19)
    c_today = _grow(session, pools[world.R.id], world.C.id, start=2, per_day=1)
    # R's row in D's pool: its pool's whole use, day by day.
    _grow(session, pools[world.D.id], world.R.id, start=100, per_day=20)
    session.flush()
    sum_pool_days(
        session, [p.id for p in pools.values()]
    )  # the history was written as rows, not as changes
    session.commit()
    for org, actor, units in ((world.R, "R-A", r_today), (world.C, "C-A", c_today)):
        _request(client, world, "POST", org, actor, "/usage", json={"sku": SKU, "set": units})
    return world


def _run_outs(client, world: TierWorld) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """D's pool's, R's pool's and C's quota's run-outs, as their readers above see them."""
    today = clock.utcnow().date()
    d_report = _request(client, world, "GET", world.D, "D-A", "/license-report").json()
    r_report = _request(client, world, "GET", world.R, "R-A", "/license-report").json()
    c_report = _request(client, world, "GET", world.C, "C-A", "/license-report").json()
    found = (
        d_report["pools"][0]["runs_out_on"],
        r_report["pools"][0]["runs_out_on"],
        c_report["items"][0]["quota_runs_out_on"],
    )
    expected = tuple(str(today + timedelta(days=n)) for n in (16, 1, 14))
    assert found == expected
    return found  # type: ignore[return-value]


def _text(client, world: TierWorld, org, actor: str, path: str, **params: str) -> str:  # type: ignore[no-untyped-def]
    return _request(client, world, "GET", org, actor, path, params=params).text  # type: ignore[no-any-return]


@pytest.mark.parametrize("actor", ["R-PA", "R-A"])
def test_a_tier_two_report_and_alerts_never_carry_the_distributors_run_out(
    client, world: TierWorld, actor: str
) -> None:
    distributor_run_out, own_run_out, _ = _run_outs(client, world)
    as_json = _text(client, world, world.R, actor, "/license-report")
    as_csv = _text(client, world, world.R, actor, "/license-report", format="csv")
    alerts = _text(client, world, world.R, actor, "/alerts")
    assert '"quota_use"' in alerts  # R's quota in D's pool: 680 of 700
    for shown in (as_json, as_csv, alerts):
        assert distributor_run_out not in shown
    assert own_run_out in as_json and own_run_out in as_csv
    page = client.get(f"/orgs/{world.R.id}/licenses", headers=cookie(world, actor))
    assert page.status_code == 200, page.text
    assert own_run_out in page.text and distributor_run_out not in page.text


def test_a_tier_three_report_carries_its_quotas_run_out_only(client, world: TierWorld) -> None:
    distributor_run_out, partner_run_out, quota_run_out = _run_outs(client, world)
    as_json = _text(client, world, world.C, "C-A", "/license-report")
    as_csv = _text(client, world, world.C, "C-A", "/license-report", format="csv")
    for shown in (as_json, as_csv):
        assert quota_run_out in shown
        assert distributor_run_out not in shown and partner_run_out not in shown
    [row] = as_csv.splitlines()[1:]
    assert row.endswith(f",{quota_run_out},,")  # quota_runs_out_on; no runs_out_on
