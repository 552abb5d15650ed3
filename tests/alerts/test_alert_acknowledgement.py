"""Acknowledging an alert: the admins of the org it was raised to take it off
the banner; it stays listed, once audited, and never across orgs."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.test_console_http import cookie, csrf_of
from factories import World, build_world
from tenantree.alerts.models import Alert
from tenantree.audit.models import AuditEvent


@pytest.fixture
def world(session: Session, identity) -> World:  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


FIGURES = {
    "quota_use": {"quota": 10, "used": 8, "unit": "devices", "percent": 80},
    "pool_use": {"quantity": 10, "used": 8, "unit": "devices", "percent": 80},
}


def raise_alert(session: Session, org_id: uuid.UUID, kind: str = "quota_use") -> Alert:
    alert = Alert(
        org_id=org_id,
        kind=kind,
        subject_id=uuid.uuid4(),
        sku="mon",
        threshold=80,
        epoch=1,
        figures=FIGURES[kind],
    )
    session.add(alert)
    session.commit()
    return alert


def acknowledge(client: TestClient, world: World, org_id, alert_id, actor: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/orgs/{org_id}/alerts/{alert_id}/acknowledge", headers=world.headers(actor)
    )


def listed(client: TestClient, world: World, org_id, actor: str, state: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/api/v1/orgs/{org_id}/alerts", params={"state": state}, headers=world.headers(actor)
    )
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_an_acknowledged_alert_leaves_the_open_list_and_stays_listed(client, session, world):
    alert = raise_alert(session, world.S.id)
    other = raise_alert(session, world.S.id)

    response = acknowledge(client, world, world.S.id, alert.id, "S-A")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acknowledged_by"] == str(world.accounts["S-A"].id)
    assert body["acknowledged_at"] is not None
    assert listed(client, world, world.S.id, "S-A", "open") == [str(other.id)]
    assert listed(client, world, world.S.id, "S-A", "acknowledged") == [str(alert.id)]
    assert set(listed(client, world, world.S.id, "S-A", "all")) == {str(alert.id), str(other.id)}


def test_acknowledging_is_audited_once_however_often_it_is_sent(client, session, world):
    alert = raise_alert(session, world.S.id)
    first = acknowledge(client, world, world.S.id, alert.id, "S-A").json()
    again = acknowledge(client, world, world.S.id, alert.id, "S-PA")

    assert again.status_code == 200
    # The second changes nothing: the first acknowledgement stands.
    assert again.json()["acknowledged_by"] == first["acknowledged_by"]
    assert again.json()["acknowledged_at"] == first["acknowledged_at"]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "alert.acknowledged")
    ).all()
    assert [(e.org_id, e.target_id, e.actor_id) for e in events] == [
        (world.S.id, str(alert.id), world.accounts["S-A"].id)
    ]
    assert events[0].details == {"kind": "quota_use", "sku": "mon", "threshold": 80}


def test_partner_staff_read_a_customers_alert_but_may_not_acknowledge_it(client, session, world):
    alert = raise_alert(session, world.S.id)

    refused = acknowledge(client, world, world.S.id, alert.id, "P-PA")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert listed(client, world, world.S.id, "P-A", "open") == [str(alert.id)]


def test_an_alert_of_another_org_is_not_found_through_an_org_one_administers(
    client, session, world
):
    customers = raise_alert(session, world.S.id)
    siblings = raise_alert(session, world.T.id)

    # P's admins administer P, but S's and T's alerts are not P's.
    through_p = acknowledge(client, world, world.P.id, customers.id, "P-A")
    through_s = acknowledge(client, world, world.S.id, siblings.id, "S-A")
    unknown = acknowledge(client, world, world.S.id, uuid.uuid4(), "S-A")

    for response in (through_p, through_s, unknown):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "alert_not_found"
    assert through_s.json() == unknown.json()
    session.expire_all()
    assert session.get(Alert, siblings.id).acknowledged_at is None  # type: ignore[union-attr]


def test_an_unknown_state_is_refused_naming_the_field(client, world):
    response = client.get(
        f"/api/v1/orgs/{world.S.id}/alerts",
        params={"state": "closed"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "state"


def test_the_openapi_describes_acknowledgement(client):
    operation = client.get("/openapi.json").json()["paths"][
        "/api/v1/orgs/{org_id}/alerts/{alert_id}/acknowledge"
    ]["post"]
    assert operation["operationId"] == "acknowledge_alert"
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AlertOut"
    }
    assert {"403", "404"} <= set(operation["responses"])


def test_the_console_banner_drops_an_acknowledged_alert(client, session, world):
    alert = raise_alert(session, world.S.id)
    headers = cookie(world, "S-A")
    assert 'data-testid="alert-banner"' in client.get(f"/orgs/{world.S.id}", headers=headers).text

    assert acknowledge(client, world, world.S.id, alert.id, "S-A").status_code == 200

    page = client.get(f"/orgs/{world.S.id}", headers=headers).text
    assert 'data-testid="alert-banner"' not in page


def console_acknowledge(client, world, alert, actor: str, back: str):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    return client.post(
        f"/orgs/{alert.org_id}/alerts/{alert.id}/acknowledge",
        data={"csrf_token": csrf_of(client, back, headers), "back": back},
        headers=headers,
        follow_redirects=False,
    )


def test_the_banners_button_acknowledges_and_returns_to_the_page(client, session, world):
    alert = raise_alert(session, world.S.id)
    users = f"/orgs/{world.S.id}/users"
    page = client.get(users, headers=cookie(world, "S-A")).text
    assert f'action="/orgs/{world.S.id}/alerts/{alert.id}/acknowledge"' in page

    response = console_acknowledge(client, world, alert, "S-A", users)

    assert (response.status_code, response.headers["location"]) == (303, users)
    session.expire_all()
    assert session.get(Alert, alert.id).acknowledged_at is not None  # type: ignore[union-attr]


def test_partner_staff_see_a_customers_banner_without_the_button(client, session, world):
    alert = raise_alert(session, world.S.id)
    page = client.get(f"/orgs/{world.S.id}", headers=cookie(world, "P-A")).text
    assert 'data-testid="alert-banner"' in page
    assert 'data-testid="acknowledge-alert"' not in page

    refused = console_acknowledge(client, world, alert, "P-A", f"/orgs/{world.S.id}")

    assert refused.status_code == 403
    session.expire_all()
    assert session.get(Alert, alert.id).acknowledged_at is None  # type: ignore[union-attr]


def test_the_alerts_page_filters_open_acknowledged_and_all(client, session, world):
    seen = raise_alert(session, world.P.id, kind="pool_use")
    fresh = raise_alert(session, world.P.id, kind="pool_use")
    alerts = f"/orgs/{world.P.id}/alerts"
    response = console_acknowledge(client, world, seen, "P-A", alerts)
    assert response.headers["location"] == f"{alerts}?done=acknowledged"

    def listing(state: str) -> str:
        page = client.get(f"{alerts}?state={state}", headers=cookie(world, "P-A")).text
        return page.split('data-testid="alerts"')[1] if 'data-testid="alerts"' in page else ""

    def buttons(state: str) -> list[str]:
        table = listing(state)
        return [i for i in (str(seen.id), str(fresh.id)) if f"/alerts/{i}/acknowledge" in table]

    assert buttons("open") == [str(fresh.id)]
    assert listing("open").count("<tr>") == 2  # the header and the fresh one
    assert listing("all").count("<tr>") == 3
    assert buttons("all") == [str(fresh.id)]  # no button for the acknowledged one
    assert listing("acknowledged").count("<tr>") == 2
    assert buttons("acknowledged") == []
