"""The console's email domain lists (an org's, and every org's for the operator):
found by domain, sorted by domain, status or claim time both ways."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from console.test_console_http import cookie
from factories import build_world
from tenantree.domains.models import EmailDomain


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    # (domain, claimed on day, verified): claimed in another order than the names'.
    for domain, day, verified in [
        ("beta.test", 1, True),
        ("alpha.test", 2, False),
        ("gamma.test", 3, False),
    ]:
        session.add(
            EmailDomain(
                org_id=built.S.id,
                domain=domain,
                token=f"tok-{domain}",
                created_at=datetime(2030, 1, day, tzinfo=UTC),
                verified_at=datetime(2030, 1, 9, tzinfo=UTC) if verified else None,
            )
        )
    session.add(EmailDomain(org_id=built.T.id, domain="delta.test", token="tok-delta"))
    session.commit()
    return built


def _domains(page: str) -> list[str]:
    return re.findall(r"<tr><td>(\w+)\.test</td>", page)


def _org_list(client, world, **params):  # type: ignore[no-untyped-def]
    page = client.get(f"/orgs/{world.S.id}/domains", params=params, headers=cookie(world, "S-A"))
    assert page.status_code == 200
    return page.text


def test_an_orgs_domains_are_found_by_domain(client, world) -> None:  # type: ignore[no-untyped-def]
    assert _domains(_org_list(client, world)) == ["alpha", "beta", "gamma"]
    assert _domains(_org_list(client, world, q="MM")) == ["gamma"]
    assert "No domain matches." in _org_list(client, world, q="delta")  # another org's


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("domain", ["alpha", "beta", "gamma"]),
        ("status", ["alpha", "gamma", "beta"]),  # pending first, then by domain
        ("created", ["beta", "alpha", "gamma"]),
    ],
)
def test_an_orgs_domains_sort_both_ways(client, world, sort, ascending) -> None:  # type: ignore[no-untyped-def]
    up = _org_list(client, world, sort=sort, dir="asc")
    down = _org_list(client, world, sort=sort, dir="desc")
    assert _domains(up) == ascending and 'aria-sort="ascending"' in up
    assert _domains(down) == ascending[::-1] and 'aria-sort="descending"' in down


def test_the_operator_searches_and_sorts_every_orgs_claims(client, world) -> None:  # type: ignore[no-untyped-def]
    headers = cookie(world, "OP")
    every = client.get(
        "/operator/domains", params={"sort": "domain", "dir": "desc"}, headers=headers
    )
    assert _domains(every.text) == ["gamma", "delta", "beta", "alpha"]
    found = client.get("/operator/domains", params={"q": "ta"}, headers=headers).text
    assert _domains(found) == ["beta", "delta"]


@pytest.mark.parametrize("path", ["/orgs/{S}/domains", "/operator/domains"])
@pytest.mark.parametrize(("param", "value"), [("sort", "token"), ("dir", "down")])
def test_an_unknown_order_is_a_422_naming_the_field(client, world, path, param, value) -> None:  # type: ignore[no-untyped-def]
    actor = "OP" if path.startswith("/operator") else "S-A"
    page = client.get(
        path.format(S=world.S.id), params={param: value}, headers=cookie(world, actor)
    )
    assert page.status_code == 422 and f"{param} must be" in page.text
