"""The console's webhook lists: endpoints found by URL or description and sorted
by URL, status or registration; an endpoint's deliveries filtered by status,
sorted by time both ways and paged both ways."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from console.test_console_http import cookie
from factories import build_world
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.webhooks.models import WebhookEndpoint
from tenantree.webhooks.production import SUBJECT, WEBHOOK

NEXT = re.compile(r'href="([^"]+)" rel="next"')
PREV = re.compile(r'href="([^"]+)" rel="prev"')


def _at(minute: int) -> datetime:
    return datetime(2030, 1, 1, 12, minute, tzinfo=UTC)


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    for url, description, enabled, minute in [
        ("https://b.example.com/hook", "billing sync", True, 1),
        ("https://c.example.com/hook", "", False, 2),
        ("https://a.example.com/hook", "audit archive", True, 3),
    ]:
        session.add(
            WebhookEndpoint(
                org_id=built.S.id,
                url=url,
                description=description,
                event_types=["org"],
                secret_sealed="sealed",
                enabled=enabled,
                created_at=_at(minute),
            )
        )
    session.commit()
    return built


def _hosts(page: str) -> list[str]:
    return re.findall(r'">https://(\w)\.example\.com/hook</a>', page)


def _endpoints(client, world, **params):  # type: ignore[no-untyped-def]
    page = client.get(f"/orgs/{world.S.id}/webhooks", params=params, headers=cookie(world, "S-A"))
    assert page.status_code == 200
    return page.text


def test_endpoints_are_found_by_url_or_description(client, world) -> None:  # type: ignore[no-untyped-def]
    assert _hosts(_endpoints(client, world)) == ["b", "c", "a"]  # as registered
    assert _hosts(_endpoints(client, world, q="C.EXAMPLE")) == ["c"]
    assert _hosts(_endpoints(client, world, q="archive")) == ["a"]
    assert "No endpoint matches." in _endpoints(client, world, q="nowhere")


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("url", ["a", "b", "c"]),
        ("created", ["b", "c", "a"]),
        ("status", ["c", "b", "a"]),  # disabled first, then as registered
    ],
)
def test_endpoints_sort_both_ways(client, world, sort, ascending) -> None:  # type: ignore[no-untyped-def]
    up = _endpoints(client, world, sort=sort, dir="asc")
    down = _endpoints(client, world, sort=sort, dir="desc")
    assert _hosts(up) == ascending and 'aria-sort="ascending"' in up
    assert _hosts(down) == ascending[::-1] and 'aria-sort="descending"' in down


@pytest.fixture
def log(session, world):  # type: ignore[no-untyped-def]
    endpoint = session.query(WebhookEndpoint).filter_by(org_id=world.S.id).first()
    # Minute m's delivery: sent, failed, retrying (attempted) or queued, in turn.
    states = [
        (MessageStatus.SENT, 1),
        (MessageStatus.FAILED, 3),
        (MessageStatus.PENDING, 2),
        (MessageStatus.PENDING, 0),
    ]
    for minute in range(8):
        status, attempts = states[minute % 4]
        session.add(
            OutboxMessage(
                kind=WEBHOOK,
                subject_type=SUBJECT,
                subject_id=endpoint.id,
                org_id=world.S.id,
                payload={"type": f"event.m{minute}"},
                status=status,
                attempts=attempts,
                created_at=_at(minute),
            )
        )
    session.commit()
    return f"/orgs/{world.S.id}/webhooks/{endpoint.id}"


def _events(page: str) -> list[int]:
    return [int(m) for m in re.findall(r"<td>event\.m(\d)</td>", page)]


def test_deliveries_filter_by_status(client, world, log) -> None:  # type: ignore[no-untyped-def]
    headers = cookie(world, "S-A")
    for status, minutes in [("sent", [4, 0]), ("retrying", [6, 2]), ("queued", [7, 3])]:
        page = client.get(log, params={"status": status}, headers=headers).text
        assert _events(page) == minutes
    refused = client.get(log, params={"status": "lost"}, headers=headers)
    assert refused.status_code == 422 and "status must be one of" in refused.text


def test_deliveries_sort_by_time_and_page_both_ways(client, world, log) -> None:  # type: ignore[no-untyped-def]
    headers = cookie(world, "S-A")
    assert _events(client.get(log, headers=headers).text) == [7, 6, 5, 4, 3, 2, 1, 0]
    pages = [client.get(log, params={"dir": "asc", "limit": 3}, headers=headers).text]
    while found := NEXT.search(pages[-1]):
        pages.append(client.get(found.group(1).replace("&amp;", "&"), headers=headers).text)
    assert [_events(p) for p in pages] == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert 'aria-sort="ascending"' in pages[0]
    back = PREV.search(pages[2]).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert _events(client.get(back, headers=headers).text) == [3, 4, 5]


@pytest.mark.parametrize(("param", "value"), [("sort", "attempts"), ("dir", "up")])
def test_an_unknown_delivery_order_is_a_422_naming_the_field(
    client, world, log, param, value
) -> None:  # type: ignore[no-untyped-def]
    page = client.get(log, params={param: value}, headers=cookie(world, "S-A"))
    assert page.status_code == 422 and f"{param} must be" in page.text
