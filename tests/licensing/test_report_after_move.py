"""History stays true across a move: a past period's report shows a sub-org's
use under the partner it was under then (orgs.parentage)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from licensing_support import Api, FakeClock
from sqlalchemy.orm import Session

from factories import World, make_partner
from tenantree.orgs.models import Org

BEFORE = {"from": "2025-01-01", "to": "2025-01-10"}
AFTER = {"from": "2025-01-11", "to": "2025-01-20"}


@pytest.fixture
def moved(api: Api, world: World, session: Session, fake_clock: FakeClock) -> Org:
    """S uses 4 of P's pool from Jan 1 and moves to Q at the start of Jan 11."""
    q = make_partner(session, name="Partner Q")
    # The world is built on the real clock; S existed before the fake one's January.
    session.get(Org, world.S.id).created_at = datetime(2024, 12, 1, tzinfo=UTC)  # type: ignore[union-attr]
    session.commit()
    fake_clock.at("2025-01-01T00:00:00")
    api.grant_ok(world.P.id, quantity=10)
    api.grant_ok(q.id, quantity=10)
    api.use_ok(world.S.id, "S-U", add=4)
    fake_clock.at("2025-01-11T00:00:00")
    response = api.client.post(
        f"/api/v1/orgs/{world.S.id}/move",
        json={"to_partner_id": str(q.id)},
        headers=world.headers("OP"),
    )
    assert response.status_code == 200, response.text
    fake_clock.at("2025-02-01T00:00:00")
    return q


def _children(api: Api, org_id: Any, actor: str = "OP", **period: str) -> dict[str, Any]:
    response = api.report(org_id, actor, **period)
    assert response.status_code == 200, response.text
    (pool,) = response.json()["pools"]
    return {c["org_name"]: c for c in pool["children"]}


def test_the_old_partners_report_for_a_period_before_the_move_shows_the_use(
    api: Api, world: World, moved: Org
) -> None:
    s = _children(api, world.P.id, **BEFORE)[world.S.name]
    assert s["period_use"] == {"peak": 4, "average": 4.0}
    assert s["used"] == 0  # released by the move
    assert s["moved_out_at"].startswith("2025-01-11T00:00:00")
    summaries = api.report(world.P.id, "OP", **BEFORE).json()["children"]
    assert world.S.name not in {c["org_name"] for c in summaries}


def test_the_old_partners_report_after_the_move_no_longer_lists_it(
    api: Api, world: World, moved: Org
) -> None:
    assert world.S.name not in _children(api, world.P.id, **AFTER)
    assert world.S.name not in _children(api, world.P.id)  # no period: as it is now


def test_the_new_partners_report_shows_the_use_only_from_the_move(
    api: Api, world: World, moved: Org
) -> None:
    before = _children(api, moved.id, **BEFORE)[world.S.name]
    after = _children(api, moved.id, **AFTER)[world.S.name]
    assert before["period_use"] == {"peak": 0, "average": 0.0}
    assert after["period_use"] == {"peak": 4, "average": 4.0}
    assert after["used"] == 4 and "moved_out_at" not in after


def test_a_former_sub_org_is_shown_only_to_readers_who_see_every_sub_org(
    api: Api, world: World, moved: Org
) -> None:
    assert world.S.name in _children(api, world.P.id, "P-PA", **BEFORE)
    assert world.S.name not in _children(api, world.P.id, "P-A", **BEFORE)
