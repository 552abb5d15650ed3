"""The operator's Salesforce reconciliation pages (console, over plain HTTP)."""

from __future__ import annotations

import re

import pytest

from console.test_console_http import cookie
from crm.planted import PLANTED, plant_tree, planted_export
from factories import build_world

CSRF = re.compile(r'data-csrf="([^"]+)"')


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    plant_tree(session)
    session.commit()
    return built


def _upload(client, world, body: bytes, *, token: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get("/operator/crm", headers=cookie(world, "OP"))
    assert page.status_code == 200, page.text
    token = token or CSRF.search(page.text).group(1)
    return client.post(
        "/operator/crm/reconciliations",
        params={"filename": "accounts.csv"},
        content=body,
        headers={**cookie(world, "OP"), "Content-Type": "text/csv", "X-CSRF-Token": token},
        follow_redirects=False,
    )


def test_an_operator_uploads_an_export_and_reads_each_drift(client, world):
    response = _upload(client, world, planted_export())
    assert response.status_code == 303, response.text
    result = client.get(response.headers["location"], headers=cookie(world, "OP"))
    assert result.status_code == 200
    for kind, salesforce_id in PLANTED.items():
        assert re.search(rf"<td>{kind.value}</td><td>{salesforce_id}</td>", result.text), kind
    # A sub-org's drift names its parent chain before the org.
    assert re.search(r"<td>Northwind MSP &gt; <a href=\"/operator/orgs/", result.text)
    listing = client.get("/operator/crm", headers=cookie(world, "OP")).text
    assert response.headers["location"] in listing
    assert "accounts.csv" in listing


def test_a_bad_export_is_refused_naming_the_row_and_column(client, world):
    response = _upload(client, world, planted_export().replace(b"Litware, Inc.", b""))
    assert response.status_code == 422
    assert "row 5, column &#34;Account Name&#34;" in response.text  # escaped quotes


def test_an_upload_without_the_csrf_header_is_refused(client, world):
    response = _upload(client, world, planted_export(), token="0" * 64)
    assert response.status_code == 403


@pytest.mark.parametrize("actor", ["P-PA", "S-A", "U-A"])
def test_only_operators_see_the_pages(client, world, actor):
    assert client.get("/operator/crm", headers=cookie(world, actor)).status_code == 403
