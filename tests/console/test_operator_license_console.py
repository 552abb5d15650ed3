"""The operator changes or ends a license from the console (PATCH .../licenses/{id})."""

from __future__ import annotations

import pytest

from console.test_console_http import cookie, csrf_of
from factories import build_world, make_license
from tenantree.licensing.models import License


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    built.license = make_license(session, built.P, quantity=100, sku="mon")  # type: ignore[attr-defined]
    session.commit()
    return built


def _post(client, world, actor, **data):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    token = csrf_of(client, "/orgs", headers)
    return client.post(
        f"/operator/orgs/{world.P.id}/licenses/{world.license.id}",
        data={**data, "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


def test_the_operator_changes_the_quantity_and_then_ends_the_license(client, world, sessions):
    page = client.get(f"/operator/orgs/{world.P.id}", headers=cookie(world, "OP")).text
    assert 'data-testid="change-license-mon"' in page
    changed = _post(client, world, "OP", quantity="150", ends_on="2098-12-31")
    assert changed.status_code == 303
    with sessions() as s:
        license_ = s.get(License, world.license.id)
        assert license_.quantity == 150 and license_.ends_at.date().isoformat() == "2098-12-31"
    ended = _post(client, world, "OP", status="ended")
    assert ended.status_code == 303
    with sessions() as s:
        assert s.get(License, world.license.id).status == "ended"


def test_a_negative_quantity_is_refused_naming_the_field(client, world):
    refused = _post(client, world, "OP", quantity="-1")
    assert refused.status_code == 422
    assert "quantity" in refused.text


@pytest.mark.parametrize(("actor", "status"), [("P-PA", 403), ("U-A", 404)])
def test_only_the_operator_changes_a_license(client, world, sessions, actor, status):
    assert _post(client, world, actor, quantity="1").status_code == status
    with sessions() as s:
        assert s.get(License, world.license.id).quantity == 100
