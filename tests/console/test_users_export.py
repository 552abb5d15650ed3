"""The users list as CSV: every entry of the org, for whoever may read its users."""

from __future__ import annotations

import csv
import io

import pytest

from console.test_console_http import cookie
from factories import build_world


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


def test_the_export_lists_every_user_of_the_org(client, world):
    page = client.get(f"/orgs/{world.S.id}/users", headers=cookie(world, "S-A")).text
    assert f'href="/orgs/{world.S.id}/users.csv"' in page
    exported = client.get(f"/orgs/{world.S.id}/users.csv", headers=cookie(world, "S-A"))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(r["email"] for r in rows) == [
        "s-a@example.com",
        "s-pa@example.com",
        "s-ro@example.com",
        "s-u@example.com",
    ]
    primary = next(r for r in rows if r["email"] == "s-pa@example.com")
    assert primary["role"] == "admin" and primary["primary_admin"] == "yes"


@pytest.mark.parametrize(("actor", "status"), [("S-U", 403), ("T-A", 404), ("U-A", 404)])
def test_who_may_not_read_users_gets_no_export(client, world, actor, status):
    exported = client.get(f"/orgs/{world.S.id}/users.csv", headers=cookie(world, actor))
    assert exported.status_code == status
