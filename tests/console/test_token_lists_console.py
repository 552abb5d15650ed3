"""The console's token lists: found by name, ordered by name, creation, last use
or expiry both ways; an unknown order is a 422 naming the field."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from console.test_console_http import cookie, csrf_of
from factories import build_world
from tenantree.identity.integration_models import ScimToken


def _names(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", page)


def _day(day: int) -> datetime:
    return datetime(2030, 1, day, tzinfo=UTC)


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    # (name, created, last used, expires): "Okta" never used, "Entra" never expires.
    for name, created, used, expires in [
        ("Okta", 1, None, 20),
        ("Entra", 2, 5, None),
        ("Ping", 3, 4, 10),
    ]:
        session.add(
            ScimToken(
                org_id=built.S.id,
                name=name,
                token_hash=uuid.uuid4().hex,
                created_at=_day(created),
                last_used_at=_day(used) if used else None,
                expires_at=_day(expires) if expires else None,
            )
        )
    session.commit()
    return built


def _listed(client, world, **params):  # type: ignore[no-untyped-def]
    page = client.get(
        f"/orgs/{world.S.id}/scim-tokens", params=params, headers=cookie(world, "S-A")
    )
    assert page.status_code == 200
    return page.text


def test_scim_tokens_open_newest_first_and_are_found_by_name(client, world) -> None:  # type: ignore[no-untyped-def]
    assert _names(_listed(client, world)) == ["Ping", "Entra", "Okta"]
    assert _names(_listed(client, world, q="TR")) == ["Entra"]
    assert "No token matches." in _listed(client, world, q="nothing like it")


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("name", ["Entra", "Okta", "Ping"]),
        ("created", ["Okta", "Entra", "Ping"]),
        ("last_used", ["Okta", "Ping", "Entra"]),  # never used: the oldest use
        ("expires", ["Ping", "Okta", "Entra"]),  # never expires: the latest expiry
    ],
)
def test_scim_tokens_sort_both_ways(client, world, sort, ascending) -> None:  # type: ignore[no-untyped-def]
    up = _listed(client, world, sort=sort, dir="asc")
    down = _listed(client, world, sort=sort, dir="desc")
    assert _names(up) == ascending and 'aria-sort="ascending"' in up
    assert _names(down) == ascending[::-1] and 'aria-sort="descending"' in down


def test_an_api_token_list_is_searched_and_sorted_by_name(client, world) -> None:  # type: ignore[no-untyped-def]
    headers = cookie(world, "S-A")
    path = f"/orgs/{world.S.id}/api-tokens"
    for name in ["Backup job", "Billing sync", "Audit export"]:
        csrf = csrf_of(client, f"/orgs/{world.S.id}", headers)
        created = client.post(
            path, data={"name": name, "role": "read_only", "csrf_token": csrf}, headers=headers
        )
        assert created.status_code == 200
    found = client.get(path, params={"q": "b", "sort": "name", "dir": "asc"}, headers=headers).text
    assert _names(found) == ["Backup job", "Billing sync"]
    down = client.get(path, params={"sort": "name", "dir": "desc"}, headers=headers).text
    assert _names(down) == ["Billing sync", "Backup job", "Audit export"]


@pytest.mark.parametrize("kind", ["api-tokens", "scim-tokens"])
@pytest.mark.parametrize(("param", "value"), [("sort", "token_hash"), ("dir", "sideways")])
def test_an_unknown_order_is_a_422_naming_the_field(client, world, kind, param, value) -> None:  # type: ignore[no-untyped-def]
    page = client.get(
        f"/orgs/{world.S.id}/{kind}", params={param: value}, headers=cookie(world, "S-A")
    )
    assert page.status_code == 422 and f"{param} must be" in page.text
