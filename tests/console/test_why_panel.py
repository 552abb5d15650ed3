"""The "Why?" panel of a user's console page: the same answers, and the same
discretion, as GET /api/v1/orgs/{org_id}/access-check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.tiers_world import build_tiers
from console.test_console_http import ACTORS, cookie
from factories import build_world
from tenantree import clock
from tenantree.orgs.sub_org_access import SubOrgAccess


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


def _page(client, world, actor, subject):
    return client.get(
        f"/orgs/{world.S.id}/users/{world.members[subject].id}",
        headers=cookie(world, actor),
        follow_redirects=False,
    )


def test_the_page_refuses_whom_the_api_refuses(client, world):
    for actor in ACTORS:
        api = client.get(
            f"/api/v1/orgs/{world.S.id}/access-check",
            params={"user_id": str(world.members["S-U"].id), "permission": "org:view"},
            headers=world.headers(actor),
        )
        page = _page(client, world, actor, "S-U")
        assert page.status_code == api.status_code, (actor, page.text)


def test_the_panel_shows_every_permission_with_its_reason(client, world):
    page = _page(client, world, "P-PA", "P-A")
    assert page.status_code == 200
    assert 'data-testid="why"' in page.text
    assert 'data-permission="org:users:manage"' in page.text
    assert "partner staff of Partner P" in page.text
    assert "org:access:manage</td>\n    <td>refused (forbidden)" in page.text


def test_a_sub_org_admin_never_sees_the_partners_name_on_the_panel(client, world):
    page = _page(client, world, "S-A", "P-A")
    assert page.status_code == 200
    assert "Partner P" not in page.text and "p-a@example.com" not in page.text


def test_the_users_list_links_each_user_to_their_page(client, world):
    page = client.get(f"/orgs/{world.S.id}/users", headers=cookie(world, "S-A"))
    assert f'href="/orgs/{world.S.id}/users/{world.members["S-U"].id}"' in page.text


def test_a_distributor_technicians_binding_window_is_named_at_tier_three(client, session, identity):
    # D lets its users into R until `sooner`; R lets its partner users into C until `later`.
    tiers = build_tiers(session, identity)
    sooner = clock.utcnow().replace(second=0, microsecond=0) + timedelta(hours=1)
    later = sooner + timedelta(hours=4)
    for org, end in ((tiers.R, sooner), (tiers.C, later)):
        session.get(SubOrgAccess, org.id).partner_access_expires_at = end
    session.commit()
    url = f"/orgs/{tiers.C.id}/users/{tiers.members['D-U'].id}"
    seen_by_operator = client.get(url, headers=cookie(tiers, "OP"))
    assert seen_by_operator.status_code == 200, seen_by_operator.text
    assert "partner staff of Distributor D" in seen_by_operator.text
    assert (
        f"This access ends at {sooner:%Y-%m-%d %H:%M} UTC: the partner access window into "
        "Tier-2 R closes first on the way down." in seen_by_operator.text
    )
    assert f"{later:%Y-%m-%d %H:%M}" not in seen_by_operator.text
    # C's admin sees the same end, and neither level above by name.
    seen_by_customer = client.get(url, headers=cookie(tiers, "C-A")).text
    assert f"This access ends at {sooner:%Y-%m-%d %H:%M} UTC" in seen_by_customer
    assert "Distributor D" not in seen_by_customer and "Tier-2 R" not in seen_by_customer
