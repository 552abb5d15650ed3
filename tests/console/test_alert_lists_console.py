"""The console's alerts page sorts by raised time, kind or SKU both ways, within
the state shown; an unknown order is a 422 naming the field."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from console.test_console_http import cookie
from factories import build_world
from tenantree.alerts.models import Alert

FIGURES = {
    "quota_use": {"quota": 10, "used": 8, "unit": "devices", "percent": 80},
    "pool_use": {"quantity": 10, "used": 9, "unit": "devices", "percent": 90},
}


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    # (sku, kind, raised on day): each order differs from the others.
    for sku, kind, day in [
        ("mon", "quota_use", 2),
        ("edr", "pool_use", 3),
        ("xdr", "quota_use", 1),
    ]:
        session.add(
            Alert(
                org_id=built.S.id,
                kind=kind,
                subject_id=uuid.uuid4(),
                sku=sku,
                threshold=80,
                epoch=1,
                figures=FIGURES[kind],
                raised_at=datetime(2030, 1, day, tzinfo=UTC),
            )
        )
    session.commit()
    return built


def _skus(page: str) -> list[str]:
    return re.findall(r"<td>(mon|edr|xdr)</td>", page)


def _alerts(client, world, **params):  # type: ignore[no-untyped-def]
    page = client.get(f"/orgs/{world.S.id}/alerts", params=params, headers=cookie(world, "S-A"))
    assert page.status_code == 200
    return page.text


def test_alerts_open_newest_first(client, world) -> None:  # type: ignore[no-untyped-def]
    page = _alerts(client, world)
    assert _skus(page) == ["edr", "mon", "xdr"] and 'aria-sort="descending"' in page


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("raised", ["xdr", "mon", "edr"]),
        ("sku", ["edr", "mon", "xdr"]),
        ("kind", ["edr", "mon", "xdr"]),  # pool use, then quota use newest first
    ],
)
def test_alerts_sort_both_ways(client, world, sort, ascending) -> None:  # type: ignore[no-untyped-def]
    up = _alerts(client, world, sort=sort, dir="asc", state="all")
    assert _skus(up) == ascending and 'aria-sort="ascending"' in up
    down = _skus(_alerts(client, world, sort=sort, dir="desc", state="all"))
    if sort == "kind":  # quota use (newest first), then pool use
        assert down == ["mon", "xdr", "edr"]
    else:
        assert down == ascending[::-1]


def test_the_state_links_keep_the_order(client, world) -> None:  # type: ignore[no-untyped-def]
    page = _alerts(client, world, sort="sku", dir="asc")
    assert "state=acknowledged&amp;sort=sku&amp;dir=asc" in page


@pytest.mark.parametrize(("param", "value"), [("sort", "figures"), ("dir", "upward")])
def test_an_unknown_alert_order_is_a_422_naming_the_field(client, world, param, value) -> None:  # type: ignore[no-untyped-def]
    page = client.get(
        f"/orgs/{world.S.id}/alerts", params={param: value}, headers=cookie(world, "S-A")
    )
    assert page.status_code == 422 and f"{param} must be" in page.text
