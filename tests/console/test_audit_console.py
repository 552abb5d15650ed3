"""The console's audit log: names instead of ids, labelled actions grouped by area,
expandable details, and the API's CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from console.test_console_http import cookie, csrf_of
from factories import build_world
from tenantree.audit.actions import AuditAction
from tenantree.console.audit_view import AREAS, area_of, full_label, grouped_actions


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


def _create_api_token(client, world, actor: str = "P-A") -> None:  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    token = csrf_of(client, "/orgs", headers)
    created = client.post(
        f"/orgs/{world.S.id}/api-tokens",
        data={"name": "Backup job", "role": "read_only", "csrf_token": token},
        headers=headers,
    )
    assert created.status_code == 200


def test_events_show_names_labels_and_expandable_details(client, world):
    _create_api_token(client, world)
    page = client.get(f"/orgs/{world.S.id}/audit", headers=cookie(world, "S-A")).text
    assert "API tokens: created" in page
    # The partner admin acted from the partner: named, with where they came from.
    assert "p-a@example.com (from Partner P)" in page
    assert "api token Backup job" in page
    assert "<details>" in page and "<dt>role</dt>" in page


def test_the_action_filter_groups_labels_by_area_and_keeps_codes(client, world):
    page = client.get(f"/orgs/{world.S.id}/audit", headers=cookie(world, "S-A")).text
    assert '<optgroup label="API tokens">' in page
    assert '<option value="api_token.created">created</option>' in page
    filtered = client.get(
        f"/orgs/{world.S.id}/audit?action=api_token.created", headers=cookie(world, "S-A")
    )
    assert filtered.status_code == 200


def test_the_csv_export_holds_the_orgs_events(client, world):
    _create_api_token(client, world)
    page = client.get(f"/orgs/{world.S.id}/audit", headers=cookie(world, "S-A")).text
    assert f'href="/orgs/{world.S.id}/audit.csv"' in page
    exported = client.get(f"/orgs/{world.S.id}/audit.csv", headers=cookie(world, "S-A"))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["api_token.created"]


def test_a_backwards_export_period_is_refused_naming_the_field(client, world):
    refused = client.get(
        f"/orgs/{world.S.id}/audit.csv?from=2026-05-02&to=2026-05-01",
        headers=cookie(world, "S-A"),
    )
    assert refused.status_code == 422
    assert "to must not be before from" in refused.text


@pytest.mark.parametrize(("actor", "status"), [("S-U", 403), ("T-A", 404), ("U-A", 404)])
def test_who_may_not_read_the_audit_log_gets_no_export(client, world, actor, status):
    exported = client.get(f"/orgs/{world.S.id}/audit.csv", headers=cookie(world, actor))
    assert exported.status_code == status


def test_every_action_has_an_area_and_a_label() -> None:
    assert {area_of(a.value) for a in AuditAction} <= set(AREAS.values())
    codes = [code for _, items in grouped_actions() for code, _ in items]
    assert sorted(codes) == sorted(a.value for a in AuditAction)
    assert full_label("org.mfa_policy_changed") == "Orgs: MFA policy changed"
