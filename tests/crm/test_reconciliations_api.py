"""POST/GET /api/v1/crm/reconciliations: operators upload an export, results are kept."""

from __future__ import annotations

import uuid

import pytest

from crm.planted import PLANTED, plant_tree, planted_export, planted_orgs
from factories import bearer, build_world, issue_token, make_account

URL = "/api/v1/crm/reconciliations"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def operator(session, identity) -> dict[str, str]:  # type: ignore[no-untyped-def]
    plant_tree(session)
    account = make_account(session, identity, is_operator=True)
    headers = {**bearer(issue_token(session, identity, account)), **CSV}
    session.commit()
    return headers


def test_the_planted_export_finds_each_drift_once(client, operator):
    response = client.post(URL, content=planted_export(), headers=operator)
    assert response.status_code == 201, response.text
    body = response.json()
    assert {d["kind"]: d["salesforce_id"] for d in body["drifts"]} == PLANTED
    assert len(body["drifts"]) == body["drift_count"] == len(PLANTED)
    assert (body["account_count"], body["org_count"]) == (10, len(planted_orgs()))


def test_reconciliations_are_kept_listed_newest_first_and_read_again(client, operator):
    first = client.post(
        URL, content=planted_export(), headers=operator, params={"filename": "a.csv"}
    )
    second = client.post(
        URL, content=planted_export(), headers=operator, params={"filename": "b.csv"}
    )
    listed = client.get(URL, headers=operator).json()["items"]
    assert [r["filename"] for r in listed] == ["b.csv", "a.csv"]
    assert "drifts" not in listed[0]
    again = client.get(f"{URL}/{first.json()['id']}", headers=operator)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert second.json()["id"] != first.json()["id"]


def test_a_bad_csv_is_a_422_naming_the_row_and_column_and_nothing_is_kept(client, operator):
    export = planted_export().replace(b"Litware, Inc.", b"")
    response = client.post(URL, content=export, headers=operator)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_accounts_csv", "file")
    assert (error["row"], error["column"]) == (5, "Account Name")
    assert client.get(URL, headers=operator).json()["items"] == []


def test_a_body_not_sent_as_csv_is_a_415(client, operator):
    headers = {**operator, "Content-Type": "application/json"}
    assert client.post(URL, content=planted_export(), headers=headers).status_code == 415


def test_an_unknown_reconciliation_is_a_404(client, operator):
    assert client.get(f"{URL}/{uuid.uuid4()}", headers=operator).status_code == 404


def test_only_operators_reconcile_or_read_reconciliations(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    kept = client.post(URL, content=b"Id,Name\r\n", headers={**world.headers("OP"), **CSV})
    assert kept.status_code == 201, kept.text
    observed = {}
    for actor in [*world.tokens, "anon"]:
        headers = world.headers(actor)
        observed[actor] = (
            client.post(URL, content=b"Id,Name\r\n", headers={**headers, **CSV}).status_code,
            client.get(URL, headers=headers).status_code,
            client.get(f"{URL}/{kept.json()['id']}", headers=headers).status_code,
        )
    expected = {actor: (403, 403, 403) for actor in world.tokens}
    assert observed == expected | {"OP": (201, 200, 200), "anon": (401, 401, 401)}
