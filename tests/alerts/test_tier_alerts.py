"""Alerts over three tiers: each level's alerts carry its own figures, never a
figure of a level above. D holds 1000 units; R (tier 2) draws on D's pool
under a quota of 40 and holds 50 of its own; C draws on R's pool under a
quota of 10. R's pool is linked (licensing.linked): R's quota bounds its own
use and its customers' together. A tier-2 partner's admins set its own thresholds (its pools, its
customers' quotas)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.tiers_world import TierWorld, build_tiers
from factories import make_license
from tenantree.alerts.sweep import sweep
from tenantree.licensing.models import LicenseSource, LicenseSourceChange

SKU = "mon"


def _call(client, world: TierWorld, method: str, org, actor: str, path: str, body=None):  # type: ignore[no-untyped-def]
    return client.request(
        method, f"/api/v1/orgs/{org.id}{path}", json=body, headers=world.headers(actor)
    )


def _arrange(client, session: Session, identity) -> TierWorld:  # type: ignore[no-untyped-def]
    world = build_tiers(session, identity)
    make_license(session, world.D, quantity=1000, sku=SKU)
    make_license(session, world.R, quantity=50, sku=SKU)
    for org in (world.R, world.C):
        session.add(LicenseSourceChange(org_id=org.id, source=LicenseSource.PARENT_POOL))
    session.commit()
    for org, actor, units in ((world.R, "D-A", 40), (world.C, "R-A", 10)):
        response = _call(client, world, "PUT", org, actor, f"/quotas/{SKU}", {"max_units": units})
        assert response.status_code == 200, response.text
    return world


def _use(client, world: TierWorld, org, actor: str, units: int) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, world, "POST", org, actor, "/usage", {"sku": SKU, "set": units})
    assert response.status_code == 200, response.text


def _alerts(client, world: TierWorld, org, actor: str) -> list[dict]:  # type: ignore[type-arg, no-untyped-def]
    response = _call(client, world, "GET", org, actor, "/alerts")
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def _numbers(alerts: list[dict]) -> set[int]:  # type: ignore[type-arg]
    return {v for a in alerts for v in a["figures"].values() if isinstance(v, int)}


def test_a_tier_two_admin_sets_its_own_thresholds_and_its_customers_alert_at_them(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    response = _call(client, world, "PUT", world.R, "R-A", "/alert-thresholds", {"percents": [50]})
    assert response.status_code == 200, response.text
    # Its customer may not: the thresholds over its quota are its partner's.
    refused = _call(client, world, "PUT", world.C, "C-A", "/alert-thresholds", {"percents": [50]})
    assert refused.status_code == 403
    _use(client, world, world.C, "C-A", 6)  # 60% of C's quota: past R's 50
    [alert] = _alerts(client, world, world.C, "C-A")
    assert (alert["kind"], alert["threshold"]) == ("quota_use", 50)
    assert alert["figures"]["quota"] == 10


def test_no_alert_shows_a_figure_of_a_level_above(client, session, identity) -> None:
    world = _arrange(client, session, identity)
    _use(client, world, world.R, "R-A", 27)
    _use(client, world, world.C, "C-A", 9)  # 90% of C's quota; R's pool: 36, 90% of R's
    r_alerts = _alerts(client, world, world.R, "R-A")
    assert {a["kind"] for a in r_alerts} == {"quota_use"}
    assert 40 in _numbers(r_alerts) and 1000 not in _numbers(r_alerts)
    c_alerts = _alerts(client, world, world.C, "C-A")
    assert {a["kind"] for a in c_alerts} == {"quota_use"}
    assert _numbers(c_alerts) & {1000, 50, 40, 36} == set()
    # D's admins, above both, read each level's list as it is.
    assert _alerts(client, world, world.C, "D-A") == c_alerts


def test_a_tier_three_customers_forecast_is_of_its_quota_never_a_pool_above(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    _use(client, world, world.C, "C-A", 9)
    response = _call(client, world, "GET", world.C, "C-A", "/license-report")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["view"] == "child"
    # Its quota's run-out may be projected; no pool's (R's or D's) is there.
    assert "quota_runs_out_on" in response.text
    assert '"runs_out_on"' not in response.text and '"pool"' not in response.text


def test_a_linked_pool_never_alerts_against_its_holders_own_licenses(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    # R's pool (40: R's 31 and C's 9) is 80% of R's own 50 units, which do not
    # bound it, and all of R's quota of 40 from D, which does.
    _use(client, world, world.R, "R-A", 31)
    _use(client, world, world.C, "C-A", 9)
    sweep(session, identity.outbox)
    session.commit()
    alerts = _alerts(client, world, world.R, "R-A")
    assert {a["kind"] for a in alerts} == {"quota_use"}
    assert {a["figures"]["quota"] for a in alerts} == {40}
