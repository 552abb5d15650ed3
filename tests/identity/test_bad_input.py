"""Bad input to the identity endpoints is a 4xx with an error body, never a 500."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass

import pytest

from factories import bearer, issue_token, make_member, make_org
from tenantree.identity.roles import Role

NEW_PASSWORD = "a brand new passphrase"
JSON = {"content-type": "application/json"}


@dataclass
class Org:
    """A small org: enough for every identity endpoint, cheaper than build_world."""

    id: uuid.UUID
    admin_headers: dict[str, str]
    user_id: uuid.UUID


@pytest.fixture
def org(session, identity) -> Org:  # type: ignore[no-untyped-def]
    org = make_org(session, name="Acme")
    admin = make_member(session, identity, org, primary=True, email="admin@example.com")
    user = make_member(session, identity, org, role=Role.USER, email="s-u@example.com")
    headers = bearer(issue_token(session, identity, admin.account))
    session.commit()
    return Org(org.id, headers, user.id)


def _cursor(key: object, item_id: object = None) -> str:
    raw = json.dumps([key, str(uuid.uuid4()) if item_id is None else item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _raw(text: str) -> bytes:
    """JSON text as sent on the wire; lets a test send escapes like \\u0000 or \\ud800."""
    return text.encode("utf-8", "surrogatepass")


def _assert_client_error(response) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] and error["message"]


LOGIN_BODIES = [
    "",
    "not json",
    "null",
    "[]",
    '"ann@example.com"',
    "5",
    "{}",
    '{"email": "s-u@example.com"}',
    '{"password": "x"}',
    '{"email": 5, "password": 6}',
    '{"email": ["s-u@example.com"], "password": "x"}',
    '{"email": null, "password": null}',
    '{"email": "", "password": ""}',
    '{"email": "s-u@example.com", "password": ""}',
    '{"email": "' + "a" * 10_000 + '@example.com", "password": "x"}',
    '{"email": "s-u@example.com", "password": "' + "x" * 5_000 + '"}',
    '{"email": "s-u\\u0000@example.com", "password": "x"}',
    '{"email": "s-u@example.com", "password": "x\\u0000"}',
    '{"email": "s-u\\ud800@example.com", "password": "x"}',
    '{"email": "s-u@example.com", "password": "x\\ud800"}',
    '{"email": "s-u@example.com", "password": "x", "email": 3}',
    '{"email": "\\u202e@example.com", "password": "x"}',
    "{" * 5_000,
]


@pytest.mark.parametrize("body", LOGIN_BODIES, ids=range(len(LOGIN_BODIES)))
def test_login_with_bad_input(api, org, body):
    response = api.client.post("/api/v1/auth/login", content=_raw(body), headers=JSON)

    _assert_client_error(response)


def test_login_with_a_form_body(api, org):
    response = api.client.post(
        "/api/v1/auth/login", data={"email": "s-u@example.com", "password": "x"}
    )

    _assert_client_error(response)


def test_login_email_with_a_nul_character_is_invalid_input(api, org, err):
    response = api.client.post(
        "/api/v1/auth/login",
        content=_raw('{"email": "s-u@example.com\\u0000", "password": "x"}'),
        headers=JSON,
    )

    assert response.status_code == 422
    assert err(response)["field"] == "email"


ACCEPT_BODIES = [
    "{}",
    '{"token": ""}',
    '{"token": null}',
    '{"token": 12345}',
    '{"token": ["a"]}',
    '{"token": "' + "t" * 10_000 + '"}',
    '{"token": "a\\u0000b"}',
    '{"token": "a\\ud800b"}',
    '{"token": "../../etc/passwd"}',
    '{"token": "abc", "password": 123456789012}',
    '{"token": "abc", "display_name": ' + '"' + "d" * 5_000 + '"}',
]


@pytest.mark.parametrize("body", ACCEPT_BODIES, ids=range(len(ACCEPT_BODIES)))
def test_accept_with_bad_input(api, org, body):
    response = api.client.post("/api/v1/invitations/accept", content=_raw(body), headers=JSON)

    _assert_client_error(response)


@pytest.mark.parametrize(
    "extra, field",
    [
        ('"display_name": "New\\u0000Person"', "display_name"),
        ('"display_name": "New\\u0007Person"', "display_name"),
        ('"display_name": "x\\ud800"', "display_name"),
        ('"password": "correct horse\\ud800 battery"', "password"),
        ('"password": "' + "p" * 2_000 + '"', "password"),
        ('"display_name": "' + "d" * 201 + '"', "display_name"),
    ],
)
def test_accept_with_a_valid_token_and_bad_fields(api, org, err, extra, field):
    _, token = api.invite_ok(org.id, org.admin_headers, "new@example.com")
    fields = [f'"token": "{token}"', extra]
    if not extra.startswith('"password"'):
        fields.append(f'"password": "{NEW_PASSWORD}"')
    body = "{" + ", ".join(fields) + "}"

    response = api.client.post("/api/v1/invitations/accept", content=_raw(body), headers=JSON)

    assert response.status_code == 422, response.text
    assert err(response)["field"] == field
    # The invitation was not used up by the bad attempt.
    assert api.accept(token, password=NEW_PASSWORD).status_code == 200


INVITE_BODIES = [
    "[]",
    "{}",
    '{"email": "new@example.com"}',
    '{"role": "user"}',
    '{"email": "not-an-email", "role": "user"}',
    '{"email": "new@example.com", "role": "owner"}',
    '{"email": "new@example.com", "role": null}',
    '{"email": "new@example.com", "role": ["admin"]}',
    '{"email": 5, "role": "user"}',
    '{"email": "new\\u0000@example.com", "role": "user"}',
    '{"email": "new\\ud800@example.com", "role": "user"}',
    '{"email": "new@example.com\\r\\nBcc: victim@example.com", "role": "user"}',
    '{"email": "' + "n" * 400 + '@example.com", "role": "user"}',
]


@pytest.mark.parametrize("body", INVITE_BODIES, ids=range(len(INVITE_BODIES)))
def test_invite_with_bad_input(api, org, outbox, body):
    response = api.client.post(
        f"/api/v1/orgs/{org.id}/invitations",
        content=_raw(body),
        headers={**JSON, **org.admin_headers},
    )

    _assert_client_error(response)
    assert outbox.backend.sent == []


PATCH_BODIES = [
    "[]",
    "null",
    '{"role": 5}',
    '{"role": "ADMIN"}',
    '{"status": true}',
    '{"status": "active\\u0000"}',
]


@pytest.mark.parametrize("body", PATCH_BODIES, ids=range(len(PATCH_BODIES)))
def test_patch_user_with_bad_input(api, org, body):
    response = api.client.patch(
        f"/api/v1/orgs/{org.id}/users/{org.user_id}",
        content=_raw(body),
        headers={**JSON, **org.admin_headers},
    )

    _assert_client_error(response)


BAD_IDS = ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "%00", "..", "x" * 300]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_malformed_ids_in_paths(api, org, bad):
    headers = org.admin_headers
    s, u = org.id, org.user_id
    for method, path, body in (
        ("GET", f"/api/v1/orgs/{bad}/users", None),
        ("GET", f"/api/v1/orgs/{bad}/invitations", None),
        ("PATCH", f"/api/v1/orgs/{s}/users/{bad}", {"role": "user"}),
        ("PATCH", f"/api/v1/orgs/{bad}/users/{u}", {"role": "user"}),
        ("DELETE", f"/api/v1/orgs/{s}/users/{bad}", None),
        ("DELETE", f"/api/v1/orgs/{s}/invitations/{bad}", None),
        ("POST", f"/api/v1/orgs/{bad}/invitations", {"email": "a@example.com", "role": "user"}),
        ("POST", f"/api/v1/orgs/{bad}/primary-admin", {"user_id": str(u)}),
    ):
        response = api.client.request(method, path, json=body, headers=headers)
        _assert_client_error(response)


def test_unknown_invitation_id_is_404(api, org, err):
    response = api.client.delete(
        f"/api/v1/orgs/{org.id}/invitations/{uuid.uuid4()}", headers=org.admin_headers
    )

    assert response.status_code == 404
    assert err(response)["code"] == "invitation_not_found"


LIST_PARAMS = [
    {"limit": "0"},
    {"limit": "-1"},
    {"limit": "100000"},
    {"limit": "abc"},
    {"limit": "1e3"},
    {"cursor": "garbage"},
    {"cursor": "%%%"},
    {"cursor": "x" * 600},
    {"cursor": base64.urlsafe_b64encode(b"\xff\xfe").decode()},
    {"cursor": _cursor("abc")},
    {"cursor": _cursor(5)},
    {"cursor": _cursor(None)},
    {"cursor": _cursor(True)},
    {"cursor": _cursor([1])},
    {"cursor": _cursor("a\u0000")},
    {"cursor": _cursor({"t": "2020-01-01T00:00:00"})},
    {"cursor": _cursor({"t": 5})},
    {"cursor": _cursor({"t": "9999-12-31T23:59:59-14:00"})},
    {"cursor": _cursor({"t": "0001-01-01T00:00:00+14:00"})},
    {"cursor": _cursor({"t": "2020-01-01T00:00:00+00:00"}, 5)},
    {"cursor": _cursor({"t": "2020-01-01T00:00:00+00:00"}, "not-a-uuid")},
]


@pytest.mark.parametrize("what", ["users", "invitations"])
def test_lists_with_bad_paging(api, org, what):
    for params in LIST_PARAMS:
        response = api.client.get(
            f"/api/v1/orgs/{org.id}/{what}", params=params, headers=org.admin_headers
        )
        assert 400 <= response.status_code < 500, (params, response.status_code, response.text)
        assert response.json()["error"]["field"] in {"limit", "cursor"}, params


AUTH_HEADERS = [
    "Bearer",
    "Bearer ",
    "Bearer a b",
    "Bearer " + "t" * 10_000,
    "bearer lower-case-scheme-unknown-token",
    "Token abc",
    "Basic " + base64.b64encode(b"s-u@example.com:correct horse battery staple").decode(),
]


@pytest.mark.parametrize("value", AUTH_HEADERS, ids=range(len(AUTH_HEADERS)))
def test_bad_authorization_headers_are_401(api, org, value):
    response = api.client.get("/api/v1/me", headers={"Authorization": value})

    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] in {"not_authenticated", "invalid_token"}


def test_non_ascii_bearer_token_is_401(api, org):
    response = api.client.get("/api/v1/me", headers=[(b"authorization", b"Bearer \xff\xfe")])

    assert response.status_code == 401
