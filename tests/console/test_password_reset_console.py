"""Forgot password in the console: link on the sign-in page, the two forms, CSRF."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from console.test_console_http import csrf_of
from factories import PASSWORD, make_member, make_org
from identity.test_password_reset import limit_reset_requests

NEW_PASSWORD = "a brand new passphrase"
_LINK = re.compile(r"/reset-password\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture
def account(session, identity):  # type: ignore[no-untyped-def]
    org = make_org(session, name="Known Org")
    created = make_member(session, identity, org, email="known@example.com").account
    session.commit()
    return created


def forgot(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/forgot-password")
    return client.post("/forgot-password", data={"email": email, "csrf_token": token})


def mailed_token(outbox, email: str) -> str:  # type: ignore[no-untyped-def]
    (text,) = outbox.to(email)
    match = _LINK.search(text)
    assert match, text
    return match.group(1)


def reset(client: TestClient, token: str, password: str, again: str | None = None):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client, f"/reset-password?token={token}")
    return client.post(
        "/reset-password",
        data={
            "token": token,
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": csrf,
        },
    )


def sign_in(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )


def test_the_sign_in_page_links_to_the_forgot_password_form(client):  # type: ignore[no-untyped-def]
    page = client.get("/sign-in")
    assert 'href="/forgot-password"' in page.text
    assert "Forgot your password?" in page.text
    assert client.get("/forgot-password").status_code == 200


def test_known_and_unknown_addresses_get_the_same_page(client, account, outbox):  # type: ignore[no-untyped-def]
    known = forgot(client, "known@example.com")
    unknown = forgot(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert "an email is on its way" in known.text
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", known.text) == strip.sub("", unknown.text)
    assert outbox.to("nobody@example.com") == []
    assert len(outbox.to("known@example.com")) == 1


def test_the_emailed_link_opens_the_form_and_the_new_password_works(client, account, outbox):  # type: ignore[no-untyped-def]
    forgot(client, "known@example.com")
    token = mailed_token(outbox, "known@example.com")

    form = client.get(f"/reset-password?token={token}")
    assert form.status_code == 200
    assert f'name="token" value="{token}"' in form.text
    done = reset(client, token, NEW_PASSWORD)

    assert done.status_code == 200
    assert "Your password was changed" in done.text
    assert 'action="/sign-in"' in done.text
    assert sign_in(client, "known@example.com", PASSWORD).status_code == 400
    assert sign_in(client, "known@example.com", NEW_PASSWORD).status_code == 303

    used = reset(client, token, "yet another passphrase")
    assert used.status_code == 422
    assert "already used" in used.text


def test_mismatched_or_short_passwords_are_refused(client, account, outbox):  # type: ignore[no-untyped-def]
    forgot(client, "known@example.com")
    token = mailed_token(outbox, "known@example.com")

    mismatch = reset(client, token, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 422
    assert "not the same" in mismatch.text
    short = reset(client, token, "short")
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    assert reset(client, token, NEW_PASSWORD).status_code == 200


def test_an_unknown_token_is_refused(client, account):  # type: ignore[no-untyped-def]
    response = reset(client, "not-a-token", NEW_PASSWORD)
    assert response.status_code == 422
    assert "not valid" in response.text


def test_the_forms_need_a_csrf_token(client, account, outbox):  # type: ignore[no-untyped-def]
    client.get("/forgot-password")
    asked = client.post("/forgot-password", data={"email": "known@example.com"})
    assert asked.status_code == 403
    assert outbox.to("known@example.com") == []

    forgot(client, "known@example.com")
    token = mailed_token(outbox, "known@example.com")
    client.get(f"/reset-password?token={token}")
    refused = client.post(
        "/reset-password",
        data={
            "token": token,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "csrf_token": "0" * 64,
        },
    )
    assert refused.status_code == 403
    assert sign_in(client, "known@example.com", PASSWORD).status_code == 303


def test_throttled_requests_get_429_with_retry_after(client, account, monkeypatch):  # type: ignore[no-untyped-def]
    limit_reset_requests(monkeypatch, client, password_reset_email=1)
    assert forgot(client, "known@example.com").status_code == 200

    throttled = forgot(client, "known@example.com")

    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert "Too many reset requests" in throttled.text
