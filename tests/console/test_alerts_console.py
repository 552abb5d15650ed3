"""License alerts in the console: a banner on the org's pages for those who
read its alerts, and the projected run-out on the license charts."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import World, build_world
from tenantree import clock
from tenantree.web.cookie_session import SESSION_COOKIE

sys.path.insert(0, str(Path(__file__).parents[1] / "licensing"))

from licensing_support import Api, FakeClock, assert_figures_absent  # noqa: E402

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
    fake = FakeClock(START)
    monkeypatch.setattr(clock, "utcnow", fake)
    return fake


def page(api: Api, path: str, actor: str) -> str:
    response = api.client.get(
        path, headers={"Cookie": f"{SESSION_COOKIE}={api.world.tokens[actor]}"}
    )
    assert response.status_code == 200, response.text
    return response.text


def quota(api: Api, units: int) -> None:
    response = api.client.put(
        f"/api/v1/orgs/{api.world.S.id}/quotas/mon",
        json={"max_units": units},
        headers=api.world.headers("P-A"),
    )
    assert response.status_code == 200, response.text


def test_the_banner_shows_each_org_its_own_alerts(api, world, fake_clock):
    api.grant_ok(world.P.id, quantity=37)
    quota(api, 5)
    assert api.use(world.S.id, "S-A", set=5).status_code == 200  # S's quota: 100%
    assert api.use(world.T.id, "T-A", set=26).status_code == 200  # P's pool: 83%

    partner = page(api, f"/orgs/{world.P.id}", "P-A")
    assert 'data-testid="alert-banner"' in partner
    assert "31 of 37 devices in use" in partner

    customer = page(api, f"/orgs/{world.S.id}/users", "S-A")
    assert "5 of your quota of 5 devices in use" in customer
    banner = customer.split('data-testid="alert-banner"')[1].split("</section>")[0]
    # Its acknowledge buttons' forms carry a random token, whose digits are no figure.
    banner = re.sub(r"<form.*?</form>", "", banner, flags=re.S)
    assert_figures_absent(banner, {"pool quantity": 37, "pool use": 31})
    # Those who do not read the org's alerts get no banner.
    assert 'data-testid="alert-banner"' not in page(api, f"/orgs/{world.S.id}", "S-U")


def test_the_charts_project_the_run_out_each_to_its_reader(api, world, fake_clock):
    api.grant_ok(world.P.id, quantity=100)
    quota(api, 90)
    for day in range(30):
        fake_clock.now = START + timedelta(days=day)
        assert api.use(world.S.id, "S-A", set=3 + 2 * day).status_code == 200
    last = fake_clock.now.date()

    partner = page(api, f"/orgs/{world.P.id}/licenses", "P-A")
    assert 'class="projection"' in partner
    assert f'run out on <span data-testid="runs-out-on">{last + timedelta(days=20)}' in partner

    customer = page(api, f"/orgs/{world.S.id}/licenses", "S-A")
    assert 'class="projection"' in customer
    assert str(last + timedelta(days=15)) in customer  # its quota's run-out
    assert str(last + timedelta(days=20)) not in customer  # never the pool's
    assert "Licensed quantity" not in customer
