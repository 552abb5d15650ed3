"""The operator's past reconciliations sort by time both ways and page both ways."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from console.test_console_http import cookie
from factories import build_world
from tenantree.crm.models import Reconciliation

NEXT = re.compile(r'href="([^"]+)" rel="next"')
PREV = re.compile(r'href="([^"]+)" rel="prev"')


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    for day in [3, 1, 5, 2, 4]:
        session.add(
            Reconciliation(
                created_at=datetime(2030, 1, day, tzinfo=UTC),
                filename=f"day{day}.csv",
                account_count=day,
                org_count=0,
                drift_count=0,
            )
        )
    session.commit()
    return built


def _days(page: str) -> list[int]:
    return [int(d) for d in re.findall(r"<td>day(\d)\.csv</td>", page)]


def _follow(client, headers, found):  # type: ignore[no-untyped-def]
    return client.get(found.group(1).replace("&amp;", "&"), headers=headers).text


def test_reconciliations_open_newest_first_and_page_both_ways(client, world) -> None:  # type: ignore[no-untyped-def]
    headers = cookie(world, "OP")
    first = client.get("/operator/crm", params={"limit": 2}, headers=headers).text
    assert _days(first) == [5, 4] and 'aria-sort="descending"' in first
    second = _follow(client, headers, NEXT.search(first))
    third = _follow(client, headers, NEXT.search(second))
    assert (_days(second), _days(third)) == ([3, 2], [1])
    assert not NEXT.search(third)
    assert _days(_follow(client, headers, PREV.search(third))) == [3, 2]


def test_reconciliations_sort_oldest_first(client, world) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/operator/crm", params={"dir": "asc"}, headers=cookie(world, "OP")).text
    assert _days(page) == [1, 2, 3, 4, 5] and 'aria-sort="ascending"' in page


@pytest.mark.parametrize(("param", "value"), [("sort", "drift_count"), ("dir", "later")])
def test_an_unknown_order_is_a_422_naming_the_field(client, world, param, value) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/operator/crm", params={param: value}, headers=cookie(world, "OP"))
    assert page.status_code == 422 and f"{param} must be" in page.text
