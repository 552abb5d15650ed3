"""Request metrics by route template, with no tenant in any label, and the access log line."""

from __future__ import annotations

import json
import logging

from factories import PASSWORD, bearer, issue_token, make_account, make_member, make_org
from tenantree.server.logs import FIELDS, JsonFormatter, TextFormatter, logging_config


def _operator_headers(session, identity) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = issue_token(session, identity, make_account(session, identity, is_operator=True))
    return bearer(token)


def test_requests_are_counted_by_route_template_and_no_label_names_a_tenant(
    client, session, identity
) -> None:
    org = make_org(session, name="Zanzibar Widgets Tenant")
    account = make_account(session, identity)
    make_member(session, identity, org, account=account)
    token = issue_token(session, identity, account)
    operator = _operator_headers(session, identity)
    session.commit()
    assert client.get(f"/api/v1/orgs/{org.id}", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/orgs?q=Zanzibar", headers=bearer(token)).status_code == 200

    text = client.get("/metrics", headers=operator).text
    assert (
        'tenantree_http_requests_total{method="GET",route="/api/v1/orgs/{org_id}",status="200"}'
        in text
    )
    for tenant_value in (str(org.id), "Zanzibar", org.salesforce_id, account.email):
        assert tenant_value not in text


def test_a_path_that_matches_no_route_is_labelled_unmatched(client, session, identity) -> None:
    operator = _operator_headers(session, identity)
    session.commit()
    client.get("/no/such/secret-tenant-path")
    text = client.get("/metrics", headers=operator).text
    assert "secret-tenant-path" not in text
    assert 'route="unmatched"' in text


def test_a_failed_sign_in_is_counted_once(client, session, identity, app) -> None:
    account = make_account(session, identity)
    make_member(session, identity, make_org(session), account=account)
    session.commit()
    registry = app.state.metrics.registry
    before = registry.get_sample_value("tenantree_sign_in_failures_total") or 0
    wrong = client.post("/api/v1/auth/login", json={"email": account.email, "password": "wrong"})
    assert wrong.status_code == 401
    right = client.post("/api/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert right.status_code == 200
    assert registry.get_sample_value("tenantree_sign_in_failures_total") == before + 1


def test_each_request_logs_one_line_with_its_route_actor_and_org(
    client, session, identity, caplog
) -> None:
    org = make_org(session)
    account = make_account(session, identity)
    make_member(session, identity, org, account=account)
    token = issue_token(session, identity, account)
    session.commit()
    with caplog.at_level(logging.INFO, logger="tenantree.access"):
        answer = client.get(f"/api/v1/orgs/{org.id}", headers=bearer(token))
    [line] = [r for r in caplog.records if r.name == "tenantree.access"]
    fields = getattr(line, FIELDS)
    assert fields["request_id"] == answer.headers["x-request-id"]
    assert fields["method"] == "GET"
    assert fields["route"] == "/api/v1/orgs/{org_id}"
    assert fields["status"] == 200
    assert fields["actor_id"] == str(account.id)
    assert fields["org_id"] == str(org.id)
    assert fields["duration_ms"] >= 0


def _record(fields: dict[str, object]) -> logging.LogRecord:
    record = logging.LogRecord(
        "tenantree.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None
    )
    setattr(record, FIELDS, fields)
    return record


def test_the_json_format_writes_one_object_with_the_fields() -> None:
    line = JsonFormatter().format(_record({"request_id": "r-1", "status": 200}))
    entry = json.loads(line)
    assert entry["message"] == "GET /x"
    assert entry["request_id"] == "r-1"
    assert entry["status"] == 200
    assert entry["time"]
    assert "\n" not in line


def test_the_text_format_appends_the_fields() -> None:
    line = TextFormatter().format(_record({"request_id": "r-1", "actor_id": None}))
    assert line.endswith("GET /x request_id=r-1")


def test_the_log_format_setting_picks_the_formatter() -> None:
    assert logging_config("json")["handlers"]["default"]["formatter"] == "json"
    assert logging_config("text")["handlers"]["default"]["formatter"] == "text"
