"""Alerts, thresholds and run-out forecasts over the API: each reader sees its
own figures, a sub-org never its partner's pool."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import World, build_world
from tenantree import clock

sys.path.insert(0, str(Path(__file__).parents[1] / "licensing"))

from licensing_support import Api, FakeClock, assert_figures_absent  # noqa: E402

QUANTITY = 97  # P's pool
QUOTA = 20  # S's quota in it
START = datetime(2025, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def world(session: Session, identity) -> World:  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


@pytest.fixture
def api(client: TestClient, world: World) -> Api:
    return Api(client, world)


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch, world: World) -> FakeClock:
    # After the world's tokens are issued with the real clock: times in the
    # past keep them valid.
    fake = FakeClock(START)
    monkeypatch.setattr(clock, "utcnow", fake)
    return fake


def get(api: Api, org_id, actor: str, path: str, **params):  # type: ignore[no-untyped-def]
    response = api.client.get(
        f"/api/v1/orgs/{org_id}{path}", params=params, headers=api.world.headers(actor)
    )
    assert response.status_code == 200, response.text
    return response


def set_quota(api: Api, units: int) -> None:
    response = api.client.put(
        f"/api/v1/orgs/{api.world.S.id}/quotas/mon",
        json={"max_units": units},
        headers=api.world.headers("P-A"),
    )
    assert response.status_code == 200, response.text


def test_a_quota_crossing_is_listed_for_the_sub_org_with_its_own_figures_only(
    api, world, fake_clock, outbox
):
    api.grant_ok(world.P.id, quantity=QUANTITY)
    set_quota(api, QUOTA)
    assert api.use(world.S.id, "S-A", set=16).status_code == 200  # 80% of the quota

    s_alerts = get(api, world.S.id, "S-A", "/alerts")
    [alert] = s_alerts.json()["items"]
    assert (alert["kind"], alert["threshold"]) == ("quota_use", 80)
    assert alert["figures"] == {"quota": QUOTA, "used": 16, "unit": "devices", "percent": 80}
    assert_figures_absent(s_alerts.text, {"pool quantity": QUANTITY})
    # The partner's admins read S's list too (ACCESS.md), and it is the same.
    assert get(api, world.S.id, "P-A", "/alerts").json()["items"] == [alert]
    # No pool alert yet (16 of 97): nothing in P's list.
    assert get(api, world.P.id, "P-A", "/alerts").json()["items"] == []
    # Mailed to S's admins only, through the outbox.
    [mail] = outbox.to("s-a@example.com")
    assert "quota of 20" in mail
    assert outbox.to("p-a@example.com") == []


def test_a_pool_crossing_is_listed_for_the_partner_only(api, world, fake_clock, outbox):
    api.grant_ok(world.P.id, quantity=10)
    assert api.use(world.S.id, "S-A", set=5).status_code == 200
    assert api.use(world.T.id, "T-A", set=4).status_code == 200  # 9 of 10
    [alert] = get(api, world.P.id, "P-A", "/alerts").json()["items"]
    assert alert["kind"] == "pool_use"
    assert alert["figures"]["quantity"] == 10 and alert["figures"]["used"] == 9
    for sub_org, admin in ((world.S, "S-A"), (world.T, "T-A")):
        assert get(api, sub_org.id, admin, "/alerts").json()["items"] == []
    assert len(outbox.to("p-a@example.com")) == 1
    assert len(outbox.to("p-pa@example.com")) == 1
    assert outbox.to("s-a@example.com") == []


def test_thresholds_are_set_by_the_partner_and_alert_at_the_new_level(api, world, fake_clock):
    api.grant_ok(world.P.id, quantity=10)
    response = api.client.put(
        f"/api/v1/orgs/{world.P.id}/alert-thresholds",
        json={"percents": [100, 50]},
        headers=world.headers("P-A"),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"percents": [50, 100], "is_default": False}
    assert api.use(world.S.id, "S-A", set=5).status_code == 200
    [alert] = get(api, world.P.id, "P-A", "/alerts").json()["items"]
    assert alert["threshold"] == 50


@pytest.mark.parametrize("percents", [[], [0], [2000]])
def test_bad_thresholds_are_422_naming_percents(api, world, percents):
    response = api.client.put(
        f"/api/v1/orgs/{world.P.id}/alert-thresholds",
        json={"percents": percents},
        headers=world.headers("P-A"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].split(".")[0] == "percents"


def csv_rows(api: Api, org_id) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = get(api, org_id, "P-A", "/license-report", format="csv").text
    return list(csv.DictReader(io.StringIO(text)))


def grow_for_thirty_days(api: Api, fake_clock: FakeClock) -> date:
    """S's use grows 2 units a day (3, 5, ... 61): the last day is returned."""
    for day in range(30):
        fake_clock.now = START + timedelta(days=day)
        assert api.use(api.world.S.id, "S-A", set=3 + 2 * day).status_code == 200
    return fake_clock.now.date()


def test_the_reports_project_run_outs_each_to_its_reader(api, world, fake_clock):
    api.grant_ok(world.P.id, quantity=QUANTITY + 3)  # 100
    set_quota(api, 90)
    last = grow_for_thirty_days(api, fake_clock)

    parent = get(api, world.P.id, "P-A", "/license-report").json()
    [pool] = parent["pools"]
    # The line 3 + 2x reaches 100 at x = 48.5: day 49, 20 days after the last (x = 29).
    assert pool["runs_out_on"] == (last + timedelta(days=20)).isoformat()

    child = get(api, world.S.id, "S-A", "/license-report")
    [item] = child.json()["items"]
    # The quota (90) is reached at x = 43.5: 15 days on.
    assert item["quota_runs_out_on"] == (last + timedelta(days=15)).isoformat()
    assert "pool" not in item
    assert (last + timedelta(days=20)).isoformat() not in child.text
    assert_figures_absent(child.text, {"pool quantity": 100})

    rows = list(
        csv.DictReader(
            io.StringIO(get(api, world.P.id, "P-A", "/license-report", format="csv").text)
        )
    )
    assert {row["runs_out_on"] for row in rows} == {(last + timedelta(days=20)).isoformat()}


def test_a_flat_pool_projects_no_run_out(api, world, fake_clock):
    api.grant_ok(world.P.id, quantity=100)
    for day in range(30):
        fake_clock.now = START + timedelta(days=day)
        assert api.use(world.S.id, "S-A", set=40).status_code == 200
    [pool] = get(api, world.P.id, "P-A", "/license-report").json()["pools"]
    assert pool["runs_out_on"] is None


def test_an_expired_license_is_flagged_in_the_report_and_its_csv(api, world, fake_clock):
    api.grant_ok(world.P.id, quantity=10)
    api.grant_ok(
        world.P.id, quantity=5, starts_at="2020-01-01T00:00:00Z", ends_at="2024-06-01T00:00:00Z"
    )
    [pool] = get(api, world.P.id, "P-A", "/license-report").json()["pools"]
    assert sorted(line["expired"] for line in pool["licenses"]) == [False, True]
    rows = list(
        csv.DictReader(
            io.StringIO(get(api, world.P.id, "P-A", "/license-report", format="csv").text)
        )
    )
    assert {row["expired_licenses"] for row in rows} == {"1"}
