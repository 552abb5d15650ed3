"""The webhook endpoints API: SSRF refusals naming the field, the secret shown
once, test events and the delivery log."""

from __future__ import annotations

import pytest

from factories import build_world

HOOK = {"url": "https://hooks.example.com/tenantree", "event_types": ["org", "audit"]}


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _hooks(world, org) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/orgs/{org.id}/webhooks"


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data/",
        "http://hooks.example.com/hook",
    ],
)
def test_an_endpoint_inside_the_network_or_without_tls_is_refused_naming_url(
    client, world, url: str
) -> None:
    answer = client.post(
        _hooks(world, world.S), json={**HOOK, "url": url}, headers=world.headers("S-A")
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "url"


def test_an_unknown_event_type_is_refused_naming_event_types(client, world) -> None:
    answer = client.post(
        _hooks(world, world.S),
        json={**HOOK, "event_types": ["everything"]},
        headers=world.headers("S-A"),
    )
    assert answer.status_code == 422
    assert "event_types" in answer.text


def test_only_a_partners_endpoint_may_include_sub_orgs_events(client, world) -> None:
    refused = client.post(
        _hooks(world, world.S),
        json={**HOOK, "include_sub_orgs": True},
        headers=world.headers("S-A"),
    )
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "include_sub_orgs")
    made = client.post(
        _hooks(world, world.P),
        json={**HOOK, "include_sub_orgs": True},
        headers=world.headers("P-A"),
    )
    assert made.status_code == 201 and made.json()["include_sub_orgs"] is True


def test_the_secret_is_shown_when_made_and_rotated_and_never_listed(client, world) -> None:
    made = client.post(_hooks(world, world.S), json=HOOK, headers=world.headers("S-A")).json()
    assert made["secret"].startswith("whsec_")
    one = f"{_hooks(world, world.S)}/{made['id']}"
    assert "secret" not in client.get(one, headers=world.headers("S-A")).json()
    listed = client.get(_hooks(world, world.S), headers=world.headers("S-A")).json()["items"]
    assert [e["id"] for e in listed] == [made["id"]] and "secret" not in listed[0]
    rotated = client.post(f"{one}/rotate-secret", headers=world.headers("S-A")).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != made["secret"]


def test_a_test_event_is_queued_and_shown_in_the_delivery_log(client, world) -> None:
    made = client.post(_hooks(world, world.S), json=HOOK, headers=world.headers("S-A")).json()
    one = f"{_hooks(world, world.S)}/{made['id']}"
    queued = client.post(f"{one}/test", headers=world.headers("S-A"))
    assert queued.status_code == 202
    assert (queued.json()["event_type"], queued.json()["status"]) == ("webhook.test", "queued")
    log = client.get(f"{one}/deliveries", headers=world.headers("S-A")).json()["items"]
    assert queued.json()["id"] in [d["id"] for d in log]
    # Registering was audited, and the endpoint takes the audit stream: it is in the log too.
    assert "webhook.created" in [d["event_type"] for d in log]


def test_another_orgs_endpoint_is_not_found(client, world) -> None:
    made = client.post(_hooks(world, world.T), json=HOOK, headers=world.headers("T-A")).json()
    answer = client.get(f"{_hooks(world, world.S)}/{made['id']}", headers=world.headers("S-A"))
    assert answer.status_code == 404


def test_a_disabled_endpoint_is_enabled_again_by_patch(client, world) -> None:
    made = client.post(_hooks(world, world.S), json=HOOK, headers=world.headers("S-A")).json()
    one = f"{_hooks(world, world.S)}/{made['id']}"
    paused = client.patch(one, json={"enabled": False}, headers=world.headers("S-A")).json()
    assert (paused["enabled"], paused["disabled_reason"]) == (False, "disabled by an admin")
    again = client.patch(one, json={"enabled": True}, headers=world.headers("S-A")).json()
    assert (again["enabled"], again["disabled_reason"]) == (True, None)
