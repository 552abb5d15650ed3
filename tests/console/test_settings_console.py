"""The console's settings page: each section changes through the API route's
permission and service, and says why when it is read-only for this person."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from console.test_console_http import cookie, csrf_of
from factories import build_world, make_license
from tenantree.access.mfa_policy import get_mfa_policy
from tenantree.branding.models import SmtpRelay
from tenantree.licensing.models import Quota
from tenantree.orgs.models import Org


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    make_license(session, built.P, quantity=100, sku="mon")
    session.commit()
    return built


def _settings(world, org) -> str:  # type: ignore[no-untyped-def]
    return f"/orgs/{org.id}/settings"


def _post(client, world, actor, path, **data):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    token = csrf_of(client, "/orgs", headers)
    return client.post(
        path, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
    )


def test_a_partner_admin_sets_a_customers_quota(client, world, sessions):
    page = _settings(world, world.S)
    assert 'data-testid="quotas"' in client.get(page, headers=cookie(world, "P-A")).text
    saved = _post(client, world, "P-A", page + "/quotas", sku="mon", max_units="40")
    assert saved.status_code == 303
    with sessions() as s:
        quota = s.scalar(select(Quota).where(Quota.sub_org_id == world.S.id))
        assert quota is not None and quota.max_units == 40
    assert "Quota saved" in client.get(saved.headers["location"], headers=cookie(world, "P-A")).text


def test_a_customer_admin_sees_quotas_read_only_naming_the_partner(client, world):
    shown = client.get(_settings(world, world.S), headers=cookie(world, "S-A")).text
    assert "Partner P sets the quotas of Sub-org S." in shown
    refused = _post(client, world, "S-A", _settings(world, world.S) + "/quotas", sku="mon")
    assert refused.status_code == 403


def test_a_quota_that_is_not_a_whole_number_is_refused_naming_the_field(client, world):
    page = _settings(world, world.S)
    refused = _post(client, world, "P-A", page + "/quotas", sku="mon", max_units="lots")
    assert refused.status_code == 422
    assert "max_units" in refused.text


def test_a_customer_not_allowed_to_brand_is_told_why(client, world):
    branding = client.get(f"/orgs/{world.S.id}/branding", headers=cookie(world, "S-A")).text
    assert "Partner P manages the brand of Sub-org S" in branding
    settings = client.get(_settings(world, world.S), headers=cookie(world, "S-A")).text
    assert 'data-testid="why-not-relay"' in settings and "Partner P" in settings


def test_an_admin_requires_mfa_and_the_customer_sees_it_inherited(client, world, sessions):
    saved = _post(
        client,
        world,
        "P-A",
        _settings(world, world.P) + "/mfa",
        required="on",
        required_for_sub_orgs="on",
    )
    assert saved.status_code == 303
    with sessions() as s:
        assert get_mfa_policy(s, s.get(Org, world.P.id)).required_for_sub_orgs is True
    shown = client.get(_settings(world, world.S), headers=cookie(world, "S-A")).text
    assert "because Partner P requires it of its customers" in shown


def test_a_plain_user_sees_settings_but_changes_none(client, world):
    shown = client.get(_settings(world, world.S), headers=cookie(world, "S-U"))
    assert shown.status_code == 200
    assert "Your role in Sub-org S does not allow changing this" in shown.text
    refused = _post(client, world, "S-U", _settings(world, world.S) + "/mfa", required="on")
    assert refused.status_code == 403


def test_only_an_operator_renames_an_org_or_changes_its_edition(client, world, sessions):
    page = _settings(world, world.S)
    shown = html.unescape(client.get(page, headers=cookie(world, "P-A")).text)
    assert "Only the platform's operators change this." in shown
    assert _post(client, world, "P-A", page + "/org", name="Renamed").status_code == 403

    saved = _post(client, world, "OP", page + "/org", name="Sub-org S renamed", edition="pro")
    assert saved.status_code == 303
    with sessions() as s:
        assert s.get(Org, world.S.id).name == "Sub-org S renamed"


def test_an_empty_org_name_is_refused_naming_the_field(client, world):
    refused = _post(client, world, "OP", _settings(world, world.S) + "/org", name="")
    assert refused.status_code == 422
    assert "name" in refused.text


def test_only_an_operator_changes_a_customers_license_source(client, world):
    page = _settings(world, world.S)
    assert _post(client, world, "P-A", page + "/license-source", source="own").status_code == 403
    changed = _post(client, world, "OP", page + "/license-source", source="own")
    assert changed.status_code == 303
    shown = client.get(page, headers=cookie(world, "P-A")).text
    assert "draws on its own licenses" in shown


def test_an_smtp_relay_keeps_its_password_when_the_field_is_left_empty(client, world, sessions):
    page = _settings(world, world.P) + "/smtp-relay"
    fields = {"host": "smtp.example.com", "port": "587", "starttls": "on", "username": "mailer"}
    assert _post(client, world, "P-A", page, **fields, password="s3cret").status_code == 303
    with sessions() as s:
        stored = s.scalar(select(SmtpRelay).where(SmtpRelay.org_id == world.P.id))
        before = stored.password_encrypted  # type: ignore[union-attr]
    assert _post(client, world, "P-A", page, **fields, password="").status_code == 303
    with sessions() as s:
        stored = s.scalar(select(SmtpRelay).where(SmtpRelay.org_id == world.P.id))
        assert stored is not None and stored.password_encrypted == before
    removed = _post(client, world, "P-A", page + "/remove")
    assert removed.status_code == 303


@pytest.mark.parametrize("actor", ["T-A", "U-A"])
def test_another_tenant_neither_sees_nor_changes_settings(client, world, actor):
    page = _settings(world, world.S)
    assert client.get(page, headers=cookie(world, actor)).status_code == 404
    assert _post(client, world, actor, page + "/mfa", required="on").status_code == 404
