"""The console over plain HTTP: cookie flags, CSRF, and refusing whom the API refuses."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, World, build_world
from tenantree.web.cookie_session import PRE_SESSION_COOKIE, SESSION_COOKIE

ACTORS = ("OP", "P-PA", "P-A", "P-U", "P-RO", "P-X", "S-PA", "S-A", "S-U", "S-RO", "T-A", "U-A")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cookie(world: World, actor: str) -> dict[str, str]:
    return {} if actor == "anon" else {"Cookie": f"{SESSION_COOKIE}={world.tokens[actor]}"}


def csrf_of(client: TestClient, path: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, response.text
    match = CSRF.search(response.text)
    assert match, "the page has no form"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


# (console page, API endpoint it mirrors), under /orgs/{id} and /api/v1/orgs/{id}.
PAGES = [
    ("", ""),
    ("/users", "/users"),
    ("/access", "/access"),
    ("/licenses", "/license-report"),
    ("/branding", "/branding"),
    ("/domains", "/domains"),
    ("/audit", "/audit-events"),
    ("/settings", ""),
    ("/scim-tokens", "/scim-tokens"),
    ("/api-tokens", "/api-tokens"),
]


@pytest.mark.parametrize("refuse_s", [False, True], ids=["permitted", "refused"])
@pytest.mark.parametrize(("page", "endpoint"), PAGES, ids=[p or "/" for p, _ in PAGES])
def test_console_pages_refuse_whom_the_api_refuses(
    client, session, identity, page, endpoint, refuse_s
):  # type: ignore[no-untyped-def]
    world = build_world(session, identity, refuse_s=refuse_s)
    session.commit()
    for org in (world.S, world.P):
        for actor in (*ACTORS, "anon"):
            api = client.get(f"/api/v1/orgs/{org.id}{endpoint}", headers=world.headers(actor))
            console = client.get(
                f"/orgs/{org.id}{page}", headers=cookie(world, actor), follow_redirects=False
            )
            if api.status_code == 401:
                assert console.status_code == 303, (org.name, actor)
                assert console.headers["location"].startswith("/sign-in")
            else:
                assert console.status_code == api.status_code, (org.name, actor, console.text)
                assert console.headers["content-type"].startswith("text/html")


def test_session_cookie_flags_over_http_and_https(app, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    email = world.accounts["P-A"].email
    with TestClient(app) as plain:
        response = sign_in(plain, email)
        assert response.status_code == 303
        set_cookie = response.headers["set-cookie"]
        assert set_cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie.replace("Lax", "lax")
        assert "Secure" not in set_cookie
    with TestClient(app, base_url="https://testserver") as tls:
        set_cookie = sign_in(tls, email).headers["set-cookie"]
        assert "Secure" in set_cookie and "HttpOnly" in set_cookie


def test_the_cookie_holds_a_signin_token_so_sign_out_revokes_it(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    response = sign_in(client, world.accounts["S-A"].email)
    token = client.cookies.get(SESSION_COOKIE)
    assert response.status_code == 303 and token
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    csrf = csrf_of(client, "/orgs")
    assert client.post("/sign-out", data={"csrf_token": csrf}).status_code == 200
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    again = client.get(
        "/orgs", headers={"Cookie": f"{SESSION_COOKIE}={token}"}, follow_redirects=False
    )
    assert again.status_code == 303


def test_suspension_ends_the_console_session_at_once(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    assert client.get("/orgs", headers=cookie(world, "S-U")).status_code == 200
    suspended = client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{world.members['S-U'].id}",
        json={"status": "suspended"},
        headers=world.headers("S-A"),
    )
    assert suspended.status_code == 200
    response = client.get("/orgs", headers=cookie(world, "S-U"), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    refused = sign_in(client, world.accounts["S-U"].email)
    assert refused.status_code == 403
    assert "Your account is suspended" in refused.text


def test_sign_in_without_a_csrf_token_is_refused(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    client.get("/sign-in")  # has a pre-session cookie, but sends no token
    response = client.post(
        "/sign-in", data={"email": world.accounts["P-A"].email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    forged = client.post(
        "/sign-in",
        data={"email": world.accounts["P-A"].email, "password": PASSWORD, "csrf_token": "0" * 64},
    )
    assert forged.status_code == 403
    assert PRE_SESSION_COOKIE in client.cookies


def test_forms_need_the_token_of_their_own_session(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    users = f"/orgs/{world.S.id}/users"
    mine = csrf_of(client, users, cookie(world, "S-A"))
    theirs = csrf_of(client, users, cookie(world, "P-A"))
    assert mine != theirs
    invite = f"/orgs/{world.S.id}/users/invite"
    body = {"email": "new@example.com", "role": "user"}
    tampered = mine[:-1] + ("1" if mine[-1] == "0" else "0")
    for token in (None, theirs, tampered):
        data = body if token is None else {**body, "csrf_token": token}
        refused = client.post(invite, data=data, headers=cookie(world, "S-A"))
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    listed = client.get(f"/api/v1/orgs/{world.S.id}/invitations", headers=world.headers("S-A"))
    assert listed.json()["items"] == []

    done = client.post(
        invite,
        data={**body, "csrf_token": mine},
        headers=cookie(world, "S-A"),
        follow_redirects=False,
    )
    assert done.status_code == 303
    listed = client.get(f"/api/v1/orgs/{world.S.id}/invitations", headers=world.headers("S-A"))
    assert [i["email"] for i in listed.json()["items"]] == ["new@example.com"]


def test_forms_are_guarded_by_the_api_permission(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    for actor, expected in (("S-U", 403), ("T-A", 404), ("P-X", 404), ("P-A", 403), ("P-PA", 303)):
        token = csrf_of(client, "/orgs", cookie(world, actor))
        response = client.post(
            f"/orgs/{world.S.id}/access",
            data={
                "csrf_token": token,
                "customer_access": "refused",
                "partner_users_mode": "all",
            },
            headers=cookie(world, actor),
            follow_redirects=False,
        )
        assert response.status_code == expected, actor
    access = client.get(f"/api/v1/orgs/{world.S.id}/access", headers=world.headers("OP")).json()
    assert access["customer_access"] == "refused"


def test_service_errors_show_as_messages(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    wrong = sign_in(client, world.accounts["P-A"].email, "not the password")
    assert "The email or password is wrong." in wrong.text
    refused = sign_in(client, world.accounts["S-A"].email)
    assert refused.status_code == 403
    assert "Partner P refused customer access to your organization" in refused.text
    assert "Contact Partner P to have it restored" in refused.text
    deactivated = client.patch(
        f"/api/v1/orgs/{world.U.id}", json={"status": "deactivated"}, headers=world.headers("OP")
    )
    assert deactivated.status_code == 200
    locked = sign_in(client, world.accounts["U-A"].email)
    assert locked.status_code == 403
    assert "Your organization is deactivated" in locked.text
    csrf = csrf_of(client, f"/orgs/{world.P.id}/users", cookie(world, "P-A"))
    taken = client.post(
        f"/orgs/{world.P.id}/users/invite",
        data={"csrf_token": csrf, "email": world.accounts["P-U"].email, "role": "user"},
        headers=cookie(world, "P-A"),
    )
    assert taken.status_code == 409
    assert "is already a user of this org" in taken.text


def post_form(client: TestClient, world: World, actor: str, page: str, action: str, **data):  # type: ignore[no-untyped-def]
    token = csrf_of(client, page, cookie(world, actor))
    return client.post(
        action,
        data={"csrf_token": token, **data},
        headers=cookie(world, actor),
        follow_redirects=False,
    )


def test_user_and_invitation_forms(client, session, identity, outbox):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    users = f"/orgs/{world.S.id}/users"
    api = f"/api/v1/orgs/{world.S.id}"

    def invitations() -> list[dict]:  # type: ignore[type-arg]
        return client.get(f"{api}/invitations", headers=world.headers("S-A")).json()["items"]

    assert (
        post_form(
            client, world, "S-A", users, f"{users}/invite", email="x@example.com", role="user"
        ).status_code
        == 303
    )
    first = invitations()[0]
    resent = post_form(
        client,
        world,
        "S-A",
        users,
        f"/orgs/{world.S.id}/invitations/resend",
        email="x@example.com",
        role="user",
    )
    assert resent.status_code == 303
    statuses = sorted(i["status"] for i in invitations())
    assert statuses == ["pending", "revoked"] and len(outbox.to("x@example.com")) == 2
    newest = next(i for i in invitations() if i["status"] == "pending")
    assert newest["id"] != first["id"]
    revoked = post_form(
        client, world, "S-A", users, f"/orgs/{world.S.id}/invitations/{newest['id']}/revoke"
    )
    assert revoked.status_code == 303
    assert all(i["status"] == "revoked" for i in invitations())

    member = world.members["S-U"].id
    assert (
        post_form(
            client, world, "S-A", users, f"{users}/{member}/role", role="read_only"
        ).status_code
        == 303
    )
    assert (
        post_form(
            client, world, "S-A", users, f"{users}/{member}/status", status="suspended"
        ).status_code
        == 303
    )
    entry = next(
        u
        for u in client.get(f"{api}/users", headers=world.headers("S-A")).json()["items"]
        if u["id"] == str(member)
    )
    assert (entry["role"], entry["status"]) == ("read_only", "suspended")

    # Transfer: the primary admin only (S-A is an admin, but not the primary one).
    target = world.members["S-A"].id
    assert (
        post_form(
            client, world, "S-A", users, f"/orgs/{world.S.id}/primary-admin", user_id=str(target)
        ).status_code
        == 403
    )
    assert (
        post_form(
            client, world, "S-PA", users, f"/orgs/{world.S.id}/primary-admin", user_id=str(target)
        ).status_code
        == 303
    )
    primary = [
        u["email"]
        for u in client.get(f"{api}/users", headers=world.headers("OP")).json()["items"]
        if u["is_primary_admin"]
    ]
    assert primary == [world.accounts["S-A"].email]


def test_operator_forms(client, session, identity):  # type: ignore[no-untyped-def]
    from factories import salesforce_id

    world = build_world(session, identity)
    session.commit()
    home = "/operator/orgs"
    assert client.get(home, headers=cookie(world, "P-PA")).status_code == 403
    bad = post_form(
        client,
        world,
        "OP",
        home,
        home,
        name="Acme",
        salesforce_id="001A000002XyZaBAAA",
        edition="pro",
        primary_admin_email="a@acme.example",
    )
    assert bad.status_code == 422 and "checksum" in bad.text
    made = post_form(
        client,
        world,
        "OP",
        home,
        home,
        name="Acme",
        salesforce_id=salesforce_id(),
        edition="pro",
        primary_admin_email="a@acme.example",
    )
    assert made.status_code == 303
    org_page = made.headers["location"].split("?")[0]
    org_id = org_page.rsplit("/", 1)[1]
    activated = post_form(
        client, world, "OP", org_page, f"{org_page}/partner-activation", partner_type="reseller"
    )
    assert activated.status_code == 303
    sub = post_form(
        client,
        world,
        "OP",
        org_page,
        f"{org_page}/sub-orgs",
        name="Acme Customer",
        customer_name="Customer Ltd",
        salesforce_id=salesforce_id(),
    )
    assert sub.status_code == 303
    org = client.get(f"/api/v1/orgs/{org_id}", headers=world.headers("OP")).json()
    assert (org["kind"], org["partner_type"]) == ("partner", "reseller")
    subs = client.get(f"/api/v1/orgs/{org_id}/sub-orgs", headers=world.headers("OP")).json()[
        "items"
    ]
    assert [s["name"] for s in subs] == ["Acme Customer"]
    # Operator-only, even for the partner's primary admin.
    refused = post_form(
        client,
        world,
        "P-PA",
        f"/orgs/{world.P.id}",
        f"/operator/orgs/{world.P.id}/licenses",
        sku="x",
        unit="seats",
        quantity="1",
        starts_on="2026-01-01",
        ends_on="2027-01-01",
    )
    assert refused.status_code == 403


def test_the_cookie_is_secure_behind_a_trusted_tls_proxy_only(app, session, identity):  # type: ignore[no-untyped-def]
    """As `tenantree serve` runs it with TENANTREE_FORWARDED_ALLOW_IPS set."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    world = build_world(session, identity)
    session.commit()
    email = world.accounts["P-A"].email
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    behind_proxy = ProxyHeadersMiddleware(app, trusted_hosts="testclient")
    with TestClient(behind_proxy, headers=forwarded) as via_proxy:
        assert "Secure" in sign_in(via_proxy, email).headers["set-cookie"]
    untrusted = ProxyHeadersMiddleware(app, trusted_hosts="10.0.0.7")
    with TestClient(untrusted, headers=forwarded) as direct:
        assert "Secure" not in sign_in(direct, email).headers["set-cookie"]
