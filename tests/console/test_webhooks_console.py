"""The console's webhook pages: register (secret shown once), send a test event,
read the delivery log, disable and enable, refuse a private URL."""

from __future__ import annotations

import re

from console.test_console_http import cookie, csrf_of
from factories import build_world


def _post(client, world, actor, page, path, data):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    token = csrf_of(client, page, headers)
    return client.post(
        path, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
    )


def test_an_admin_registers_tests_and_reads_the_delivery_log(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    page = f"/orgs/{world.P.id}/webhooks"
    overview = client.get(f"/orgs/{world.P.id}", headers=cookie(world, "P-A")).text
    assert f'href="{page}"' in overview

    registered = _post(
        client,
        world,
        "P-A",
        page,
        page,
        {
            "url": "https://hooks.example.com/in",
            "event_types": ["org", "audit"],
            "include_sub_orgs": "on",
        },
    )
    assert registered.status_code == 200, registered.text
    assert re.search(r"whsec_[A-Za-z0-9+/=]+", registered.text)
    listed = client.get(page, headers=cookie(world, "P-A")).text
    assert "whsec_" not in listed and "(with sub-orgs)" in listed
    endpoint_id = re.search(rf"{page}/([0-9a-f-]+)/test", listed).group(1)  # type: ignore[union-attr]

    tested = _post(client, world, "P-A", page, f"{page}/{endpoint_id}/test", {})
    assert tested.status_code == 303
    log = client.get(f"{page}/{endpoint_id}", headers=cookie(world, "P-A")).text
    assert "webhook.test" in log and "queued" in log

    paused = _post(
        client, world, "P-A", page, f"{page}/{endpoint_id}/enabled", {"enabled": "false"}
    )
    assert paused.status_code == 303
    assert "disabled by an admin" in client.get(page, headers=cookie(world, "P-A")).text


def test_a_private_url_is_refused_with_a_message(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    page = f"/orgs/{world.S.id}/webhooks"
    refused = _post(
        client,
        world,
        "S-A",
        page,
        page,
        {"url": "https://169.254.169.254/latest", "event_types": ["org"]},
    )
    assert refused.status_code == 422
    assert "reachable on the internet" in refused.text


def test_a_plain_user_cannot_open_the_page(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    answer = client.get(f"/orgs/{world.S.id}/webhooks", headers=cookie(world, "S-U"))
    assert answer.status_code == 403
