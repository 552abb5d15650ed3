"""The console's SCIM and API token pages: the secret shown once, list, revoke, refusals."""

from __future__ import annotations

import re

import pytest

from console.test_console_http import cookie, csrf_of
from factories import bearer, build_world


def _secret(page: str) -> str:
    match = re.search(r'value="([^"]+)" data-testid="secret-value"', page)
    assert match, "the page shows the new token's secret"
    return match.group(1)


def _post(client, world, actor, path, **data):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    token = csrf_of(client, f"/orgs/{world.S.id}", headers)
    return client.post(
        path, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
    )


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


def test_an_api_token_is_shown_once_works_and_is_revoked(client, world):
    page = f"/orgs/{world.S.id}/api-tokens"
    created = _post(client, world, "S-A", page, name="Backup job", role="read_only")
    assert created.status_code == 200
    secret = _secret(created.text)
    assert "shown this once" in created.text

    # The token is the API's: it reads the org as its read-only service account.
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(secret)).status_code == 200
    listed = client.get(page, headers=cookie(world, "S-A")).text
    assert "Backup job" in listed and secret not in listed

    token_id = re.search(rf"{page}/([0-9a-f-]+)/revoke", listed).group(1)  # type: ignore[union-attr]
    revoked = _post(client, world, "S-A", f"{page}/{token_id}/revoke")
    assert revoked.status_code == 303
    assert (
        "Token revoked"
        in client.get(revoked.headers["location"], headers=cookie(world, "S-A")).text
    )
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(secret)).status_code == 401


def test_a_scim_token_is_shown_once_with_the_scim_base_url(client, world):
    page = f"/orgs/{world.S.id}/scim-tokens"
    created = _post(client, world, "S-A", page, name="Entra ID", expires_on="2099-12-31")
    assert created.status_code == 200
    secret = _secret(created.text)
    assert f"/scim/v2/orgs/{world.S.id}" in created.text
    listed = client.get(page, headers=cookie(world, "S-A")).text
    assert "Entra ID" in listed and "2099-12-31" in listed and secret not in listed


def test_a_bad_expiry_day_is_refused_naming_the_field(client, world):
    page = f"/orgs/{world.S.id}/scim-tokens"
    refused = _post(client, world, "S-A", page, name="Okta", expires_on="31/12/2099")
    assert refused.status_code == 422
    assert "expires_on" in refused.text


def test_an_api_token_without_a_known_role_is_refused(client, world):
    refused = _post(
        client, world, "S-A", f"/orgs/{world.S.id}/api-tokens", name="Job", role="owner"
    )
    assert refused.status_code == 422
    assert "role" in refused.text


@pytest.mark.parametrize("kind", ["api-tokens", "scim-tokens"])
@pytest.mark.parametrize(("actor", "status"), [("S-U", 403), ("S-RO", 403), ("U-A", 404)])
def test_who_may_not_manage_users_creates_no_token(client, world, kind, actor, status):
    headers = cookie(world, actor)
    token = csrf_of(client, "/orgs", headers)
    refused = client.post(
        f"/orgs/{world.S.id}/{kind}",
        data={"name": "x", "role": "admin", "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    assert refused.status_code == status
    listed = client.get(f"/api/v1/orgs/{world.S.id}/{kind}", headers=world.headers("S-A"))
    assert listed.json()["items"] == []
