"""The isolation matrix over HTTP: every cell of docs/ACCESS.md whose endpoint exists.

Each (row, actor) is one case, run in a fresh ACCESS.md world once per
credential kind the actor holds (ACCESS.md "Credential kinds": password
session, SSO session, API token): every request of the row must answer
exactly the status of the cell of the actor the credential acts as. Rows whose
endpoints do not exist yet are listed in PENDING_ROWS; every row is one or the
other. What a credential kind cannot do (SCIM tokens here, actors who may not
make a token) is checked in test_credential_kinds.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from access.accessmatrix import (
    ALLOWED,
    ANONYMOUS,
    API_TOKEN,
    CREDENTIAL_ACTORS,
    FORBIDDEN,
    INVISIBLE,
    KINDS,
    PARTNER,
    PASSWORD,
    SSO,
    SUB_ORG,
    Case,
    cases,
    load_credentials,
    load_matrix,
    rows,
)
from api.credentials import PREFIXES, hold, refuse_customer
from api.world_replay import WorldReplay
from factories import LICENSE_BODY, World, build_world, salesforce_id
from tenantree.alerts.models import Alert
from tenantree.orgs.kinds import OrgKind

MATRIX = load_matrix()
CREDENTIALS = load_credentials()
# A fresh world per case, its rows written again after the first (see the module).
WORLDS = WorldReplay()

# Rows whose endpoints do not exist yet, with what they wait for (API.md).
# When an endpoint lands, move its row into CALLS.
PENDING_ROWS: dict[tuple[str, str], str] = {}


@dataclass
class Ctx:
    """What a request builder sees: the world, and ids arranged for the row."""

    client: TestClient
    session: Session
    world: World
    # The credential the row's requests are sent with.
    headers: dict[str, str] = field(default_factory=dict)
    made: dict[str, str] = field(default_factory=dict)

    def org(self, name: str) -> str:
        return f"/api/v1/orgs/{getattr(self.world, name).id}"

    def member(self, actor: str) -> str:
        return str(self.world.members[actor].id)

    def as_operator(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.request(method, path, json=body, headers=self.world.headers("OP"))
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Call:
    """One request a row stands for, and its status when the cell says ✓."""

    method: str
    path: Callable[[Ctx], str]
    ok: int
    body: Callable[[Ctx], dict[str, Any]] | None = None
    # Runs before the request, as the operator or on the database.
    arrange: Callable[[Ctx], None] | None = None


def _at(org: str, rest: str = "") -> Callable[[Ctx], str]:
    return lambda c: c.org(org) + rest


def _user(org: str, actor: str) -> Callable[[Ctx], str]:
    return lambda c: f"{c.org(org)}/users/{c.member(actor)}"


def _grant(actor: str) -> Callable[[Ctx], str]:
    return lambda c: f"{c.org('S')}/partner-grants/{c.member(actor)}"


def _granted(actor: str) -> Callable[[Ctx], None]:
    def arrange(c: Ctx) -> None:
        c.as_operator("PUT", _grant(actor)(c), {"expires_at": None})

    return arrange


def _license(org: str) -> Callable[[Ctx], str]:
    return lambda c: f"{c.org(org)}/licenses/{c.made['license']}"


def _body(**fields: Any) -> Callable[[Ctx], dict[str, Any]]:
    return lambda c: fields


def _fresh_invitation(_: Ctx) -> dict[str, Any]:
    return {"email": f"invitee-{uuid.uuid4().hex[:8]}@example.com", "role": "user"}


LICENSE = LICENSE_BODY


def _invitation_pending_in(org: str) -> Callable[[Ctx], None]:
    def arrange(c: Ctx) -> None:
        made = c.as_operator("POST", c.org(org) + "/invitations", _fresh_invitation(c))
        c.made["invitation"] = made["id"]

    return arrange


def _license_held_by(org: str) -> Callable[[Ctx], None]:
    def arrange(c: Ctx) -> None:
        c.made["license"] = c.as_operator("POST", c.org(org) + "/licenses", LICENSE)["id"]

    return arrange


def _alert_raised_to(org: str) -> Callable[[Ctx], None]:
    def arrange(c: Ctx) -> None:
        alert = Alert(
            org_id=getattr(c.world, org).id,
            kind="quota_use" if org == "S" else "pool_use",
            subject_id=uuid.uuid4(),
            sku="mon",
            threshold=80,
            epoch=1,
            figures={"used": 8, "quota": 10, "quantity": 10, "unit": "devices", "percent": 80},
        )
        c.session.add(alert)
        c.session.commit()
        c.made["alert"] = str(alert.id)

    return arrange


def _acknowledge(org: str) -> Call:
    return Call(
        "POST",
        lambda c: f"{c.org(org)}/alerts/{c.made['alert']}/acknowledge",
        200,
        arrange=_alert_raised_to(org),
    )


def _fresh_domain(_: Ctx) -> dict[str, Any]:
    return {"domain": f"d{uuid.uuid4().hex[:8]}.example"}


def _domain_claimed_by(org: str) -> Callable[[Ctx], None]:
    def arrange(c: Ctx) -> None:
        made = c.as_operator("POST", c.org(org) + "/domains", _fresh_domain(c))
        c.made["domain"] = made["id"]

    return arrange


def _domains_calls(org: str) -> tuple[Call, ...]:
    # Verifying asks the DNS: tests/domains/test_permissions.py covers it.
    return (
        Call("GET", _at(org, "/domains"), 200),
        Call("POST", _at(org, "/domains"), 201, _fresh_domain),
        Call(
            "DELETE",
            lambda c: f"{c.org(org)}/domains/{c.made['domain']}",
            204,
            arrange=_domain_claimed_by(org),
        ),
    )


WEBHOOK = {"url": "https://hooks.example.com/tenantree", "event_types": ["org", "user"]}


def _webhook_in(org: str) -> Callable[[Ctx], None]:
    def arrange(c: Ctx) -> None:
        c.made["webhook"] = c.as_operator("POST", c.org(org) + "/webhooks", WEBHOOK)["id"]

    return arrange


def _webhook_calls(org: str) -> tuple[Call, ...]:
    def one(rest: str = "") -> Callable[[Ctx], str]:
        return lambda c: f"{c.org(org)}/webhooks/{c.made['webhook']}{rest}"

    made = _webhook_in(org)
    return (
        Call("GET", _at(org, "/webhooks"), 200),
        Call("POST", _at(org, "/webhooks"), 201, _body(**WEBHOOK)),
        Call("GET", one(), 200, arrange=made),
        Call("PATCH", one(), 200, _body(description="SIEM"), arrange=made),
        Call("GET", one("/deliveries"), 200, arrange=made),
        Call("POST", one("/test"), 202, arrange=made),
        Call("POST", one("/rotate-secret"), 200, arrange=made),
        Call("DELETE", one(), 204, arrange=made),
    )


def _p_as_standard_org(c: Ctx) -> None:
    # Partner activation needs a standard Pro org. Making P one again keeps every
    # column meaning what it means in the Partner P table (U-A stays unrelated).
    c.world.P.kind = OrgKind.STANDARD
    c.world.P.partner_type = None
    c.session.commit()


def _new_sub_org(_: Ctx) -> dict[str, Any]:
    return {"name": "New customer", "salesforce_id": salesforce_id(), "customer_name": "New Ltd"}


def _another_partner(c: Ctx) -> None:
    made = c.as_operator(
        "POST",
        "/api/v1/orgs",
        {
            "name": "Other MSP",
            "salesforce_id": salesforce_id(),
            "edition": "pro",
            "primary_admin_email": f"pa-{uuid.uuid4().hex[:8]}@other-msp.example",
        },
    )
    c.as_operator("POST", f"/api/v1/orgs/{made['id']}/partner-activation", {"partner_type": "msp"})
    c.made["partner"] = made["id"]


CALLS: dict[tuple[str, str], tuple[Call, ...]] = {
    (SUB_ORG, "view S, list it in /orgs"): (Call("GET", _at("S"), 200),),
    (SUB_ORG, "list S's users"): (Call("GET", _at("S", "/users"), 200),),
    (SUB_ORG, "invite, change role/status, remove in S"): (
        Call("POST", _at("S", "/invitations"), 201, _fresh_invitation),
        Call("GET", _at("S", "/invitations"), 200),
        Call(
            "DELETE",
            lambda c: f"{c.org('S')}/invitations/{c.made['invitation']}",
            204,
            arrange=_invitation_pending_in("S"),
        ),
        Call("PATCH", _user("S", "S-U"), 200, _body(role="read_only")),
        Call("PATCH", _user("S", "S-RO"), 200, _body(status="suspended")),
        Call("DELETE", _user("S", "S-RO"), 204),
    ),
    (SUB_ORG, "transfer S's primary admin"): (
        Call("POST", _at("S", "/primary-admin"), 200, lambda c: {"user_id": c.member("S-A")}),
    ),
    (SUB_ORG, "read S's access settings"): (Call("GET", _at("S", "/access"), 200),),
    (SUB_ORG, "change S's access settings"): (
        Call(
            "PUT",
            _at("S", "/access"),
            200,
            lambda c: {
                "customer_access": "permitted",
                "partner_users": [c.member(a) for a in ("P-A", "P-U", "P-RO")],
                "customer_may_brand": True,
            },
        ),
    ),
    (SUB_ORG, "grant, renew or end a partner user's access window to S"): (
        Call("PUT", _grant("P-U"), 200, _body(expires_at="2099-01-01T18:00:00Z")),
        Call("DELETE", _grant("P-U"), 204, arrange=_granted("P-U")),
    ),
    (SUB_ORG, "list the partner staff who reach S (names, emails, role, until when)"): (
        Call("GET", _at("S", "/partner-access"), 200),
    ),
    (SUB_ORG, "report usage (consume) in S"): (
        Call(
            "POST",
            _at("S", "/usage"),
            200,
            _body(sku="mon", add=1),
            arrange=_license_held_by("P"),  # S draws on P's pool
        ),
    ),
    # S's own licenses, its source and quotas are what the child view shows; same permission.
    (SUB_ORG, "S license report (child view)"): (
        Call("GET", _at("S", "/license-report"), 200),
        Call("GET", _at("S", "/licenses"), 200),
        Call("GET", _at("S", "/license-source"), 200),
        Call("GET", _at("S", "/quotas"), 200),
    ),
    (SUB_ORG, "grant/change S's licenses, license source"): (
        Call("POST", _at("S", "/licenses"), 201, _body(**LICENSE)),
        Call("PATCH", _license("S"), 200, _body(quantity=3), arrange=_license_held_by("S")),
        Call("PUT", _at("S", "/license-source"), 200, _body(source="own")),
    ),
    (SUB_ORG, "move S to another partner (MSP or reseller)"): (
        Call(
            "POST",
            _at("S", "/move"),
            200,
            lambda c: {"to_partner_id": c.made["partner"]},
            arrange=_another_partner,
        ),
    ),
    (SUB_ORG, "set S's quota in P's pool"): (
        Call("PUT", _at("S", "/quotas/mon"), 200, _body(max_units=5)),
    ),
    (SUB_ORG, "read S's alerts (its licenses' ends, its own pools, its quota)"): (
        Call("GET", _at("S", "/alerts"), 200),
    ),
    (SUB_ORG, "read S's brand"): (Call("GET", _at("S", "/branding"), 200),),
    (SUB_ORG, "change S's brand"): (
        Call("PUT", _at("S", "/branding"), 200, _body(product_name="Customer Brand")),
        Call("POST", _at("S", "/branding/publish"), 200),
    ),
    # Usage changes are S's audit record of its use: read as its audit events are;
    # exporting them is reading them (the same permission and visibility).
    (SUB_ORG, "read S's audit events"): (
        Call("GET", _at("S", "/audit-events"), 200),
        Call("GET", _at("S", "/audit-events/export"), 200),
        Call("GET", _at("S", "/usage-events"), 200),
    ),
    (SUB_ORG, "claim, verify, list, remove S's email domains"): _domains_calls("S"),
    (SUB_ORG, "read/change S's MFA policy"): (
        Call("GET", _at("S", "/mfa-policy"), 200),
        Call("PUT", _at("S", "/mfa-policy"), 200, _body(required=True)),
    ),
    (
        SUB_ORG,
        "register, change, test, remove S's webhooks; read their deliveries",
    ): _webhook_calls("S"),
    (PARTNER, "view P"): (Call("GET", _at("P"), 200),),
    (PARTNER, "list P's sub-orgs (those the caller reaches)"): (
        Call("GET", _at("P", "/sub-orgs"), 200),
    ),
    (PARTNER, "list/manage P's users, invite into P"): (
        Call("GET", _at("P", "/users"), 200),
        Call("POST", _at("P", "/invitations"), 201, _fresh_invitation),
        Call("GET", _at("P", "/invitations"), 200),
        Call("PATCH", _user("P", "P-X"), 200, _body(role="user")),
        Call("DELETE", _user("P", "P-X"), 204),
    ),
    (PARTNER, "P license report (parent view: P + every child)"): (
        Call("GET", _at("P", "/license-report"), 200),
        Call("GET", _at("P", "/licenses"), 200),
    ),
    (SUB_ORG, "acknowledge S's alerts (S's own admins; partner staff only read them)"): (
        _acknowledge("S"),
    ),
    (PARTNER, "acknowledge P's alerts"): (_acknowledge("P"),),
    (PARTNER, "read P's alerts and alert thresholds"): (
        Call("GET", _at("P", "/alerts"), 200),
        Call("GET", _at("P", "/alert-thresholds"), 200),
    ),
    (PARTNER, "set P's alert thresholds (its pools, its sub-orgs' quotas)"): (
        Call("PUT", _at("P", "/alert-thresholds"), 200, _body(percents=[75, 100])),
    ),
    (PARTNER, "claim, verify, list, remove P's email domains"): _domains_calls("P"),
    (PARTNER, "change P's brand"): (
        Call("PUT", _at("P", "/branding"), 200, _body(product_name="Partner Brand")),
        Call("POST", _at("P", "/branding/publish"), 200),
    ),
    (PARTNER, "read/change P's MFA policy (own staff, sub-orgs)"): (
        Call("GET", _at("P", "/mfa-policy"), 200),
        Call(
            "PUT", _at("P", "/mfa-policy"), 200, _body(required=False, required_for_sub_orgs=True)
        ),
    ),
    (
        PARTNER,
        "register, change, test, remove P's webhooks; read their deliveries",
    ): _webhook_calls("P"),
    # Creating a top-level org has no P in its path: see
    # test_only_the_operator_creates_top_level_orgs. Deactivation goes last.
    (PARTNER, "create orgs or sub-orgs, activate partner features, grant licenses, deactivate"): (
        Call("POST", _at("P", "/sub-orgs"), 201, _new_sub_org),
        Call("POST", _at("P", "/licenses"), 201, _body(**LICENSE)),
        Call("PATCH", _license("P"), 200, _body(quantity=3), arrange=_license_held_by("P")),
        Call(
            "POST",
            _at("P", "/partner-activation"),
            200,
            _body(partner_type="msp"),
            arrange=_p_as_standard_org,
        ),
        Call("PATCH", _at("P"), 200, _body(status="deactivated", customers="keep_running")),
    ),
}

MAPPED_CASES = [c for c in cases(MATRIX) if c.row in CALLS]
VIEW_S = (SUB_ORG, "view S, list it in /orgs")
LIST_SUB_ORGS = (PARTNER, "list P's sub-orgs (those the caller reaches)")
# The REST credential kinds; SCIM tokens are 401 on every row.
REST_KINDS = (PASSWORD, SSO, API_TOKEN)
# Every case, in each world variant, by the actor it is about.
_CELLS = {(c.row, c.actor, c.refuse_s, c.customer_may_brand): c for c in cases(MATRIX)}


@dataclass(frozen=True)
class KindCase:
    """A case sent with one of its actor's credentials, judged by the cell of
    the actor that credential acts as."""

    case: Case
    kind: str
    acts_as: Case

    @property
    def id(self) -> str:
        return f"{self.case.id}-{self.kind}"

    @property
    def label(self) -> str:
        return f"{self.kind} of {self.case.label} (acting as {self.acts_as.label})"


def _kind_cases() -> list[KindCase]:
    found = []
    for case in MAPPED_CASES:
        for kind in REST_KINDS if case.actor != "anon" else (PASSWORD,):
            acts_as = CREDENTIALS[kind].get(case.actor, case.actor)
            if acts_as in CREDENTIAL_ACTORS:  # otherwise no such credential: see its test
                key = (case.row, acts_as, case.refuse_s, case.customer_may_brand)
                found.append(KindCase(case, kind, _CELLS[key]))
    return found


KIND_CASES = _kind_cases()


def test_every_row_of_access_md_is_mapped_or_pending():
    assert not set(CALLS) & set(PENDING_ROWS)
    assert rows(MATRIX) == set(CALLS) | set(PENDING_ROWS)


def test_pending_rows_wait_for_endpoints_that_do_not_exist_yet(app):
    # When one lands, this fails until its row moves from PENDING_ROWS into CALLS.
    routes = {
        f"{method} {route.path.removeprefix('/api/v1').replace('{org_id}', '{id}')}"
        for route in app.routes
        for method in getattr(route, "methods", ())
    }
    assert set(PENDING_ROWS.values()) & routes == set()


def _send(ctx: Ctx, call: Call, headers: dict[str, str], path: str | None = None) -> httpx.Response:
    body = call.body(ctx) if call.body else None
    return ctx.client.request(call.method, path or call.path(ctx), json=body, headers=headers)


def _error(response: httpx.Response, where: str) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, where
    assert set(body["error"]) == {"code", "message", "field"}, where
    return body["error"]  # type: ignore[no-any-return]


def _unknown_org(path: str) -> str:
    """The same path with the org id replaced by one that names no org."""
    return re.sub(r"(?<=^/api/v1/orgs/)[0-9a-f-]{36}", str(uuid.uuid4()), path)


def _check(ctx: Ctx, held: KindCase, call: Call, response: httpx.Response) -> None:
    where = f"{call.method} {call.path(ctx)} as {held.label}: {response.text}"
    case = held.acts_as
    expected = {ALLOWED: call.ok, FORBIDDEN: 403, INVISIBLE: 404, ANONYMOUS: 401}[case.expected]
    assert response.status_code == expected, where
    if case.expected == ALLOWED:
        return
    error = _error(response, where)
    if case.expected == FORBIDDEN:
        assert error["code"] == ("customer_access_refused" if case.refuse_s else "forbidden"), where
    if case.expected == INVISIBLE:
        # Indistinguishable from an org that does not exist: the same request to an
        # unknown org id, and GET /orgs/<unknown id>, answer exactly the same.
        headers = ctx.headers
        elsewhere = _send(ctx, call, headers, _unknown_org(call.path(ctx)))
        unknown = ctx.client.get(f"/api/v1/orgs/{uuid.uuid4()}", headers=headers)
        assert elsewhere.status_code == unknown.status_code == 404, where
        assert response.json() == elsewhere.json() == unknown.json(), where


def _ids(orgs_page: httpx.Response) -> set[str]:
    assert orgs_page.status_code == 200, orgs_page.text
    return {org["id"] for org in orgs_page.json()["items"]}


def _check_lists(ctx: Ctx, held: KindCase) -> None:
    """The lists a row speaks of agree with its cell."""
    client, world, case = ctx.client, ctx.world, held.acts_as
    if case.row == VIEW_S:
        listed = str(world.S.id) in _ids(client.get("/api/v1/orgs", headers=ctx.headers))
        assert listed == (case.expected == ALLOWED), f"S listed in /orgs for {held.label}"
    if case.row == LIST_SUB_ORGS and case.expected == ALLOWED:
        sub_orgs = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=ctx.headers)
        assert _ids(sub_orgs) == _sub_orgs_reached(world, case.actor)


def _sub_orgs_reached(world: World, actor: str) -> set[str]:
    # T lets every P user in; S only those its "view S" cell allows.
    reaches_s = MATRIX[SUB_ORG][VIEW_S[1]].get(actor) == ALLOWED
    return {str(world.T.id)} | ({str(world.S.id)} if reaches_s else set())


# Tokens of every kind that look right and are not: anonymous too.
_ANONYMOUS = [{}, *({"Authorization": f"Bearer {p}not-a-token"} for p in PREFIXES.values())]


@pytest.mark.parametrize("held", KIND_CASES, ids=lambda k: k.id)
def test_isolation_matrix(held: KindCase, client, session, identity):
    case = held.case
    world = WORLDS.build(session, identity, customer_may_brand=case.customer_may_brand)
    session.commit()
    ctx = Ctx(client, session, world)
    if case.actor != "anon":
        ctx.headers = hold(client, session, identity, world, held.kind, case.actor)
    if case.refuse_s:
        # After the credential is made: refusal stops the credentials the customer holds.
        refuse_customer(session, world.S)
    for call in CALLS[case.row]:
        if call.arrange is not None:
            call.arrange(ctx)
        for headers in _ANONYMOUS if case.actor == "anon" else [ctx.headers]:
            _check(ctx, held, call, _send(ctx, call, headers))
    if case.actor != "anon":
        _check_lists(ctx, held)


def test_every_case_runs_with_each_credential_kind_its_actor_holds():
    kinds = {(k.case, k.kind) for k in KIND_CASES}
    sso_less = [a for a in CREDENTIAL_ACTORS if CREDENTIALS[SSO][a] not in CREDENTIAL_ACTORS]
    assert sso_less == ["OP"]
    for case in MAPPED_CASES:
        if case.actor != "anon":
            assert (case, PASSWORD) in kinds, case.id
            assert ((case, SSO) in kinds) == (case.actor != "OP"), case.id
    assert set(KINDS) - set(REST_KINDS) == {"SCIM token"}


def test_p_sub_org_list_leaves_out_the_sub_org_p_x_is_not_let_into(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    page = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=world.headers("P-X"))
    assert _ids(page) == {str(world.T.id)}


def test_only_the_operator_creates_top_level_orgs(client, session, identity):
    # "create orgs" has no P in its path, so nobody can be told 404: 403 for every
    # signed-in non-operator.
    world = build_world(session, identity)
    session.commit()
    observed = {}
    for actor in [*world.tokens, "anon"]:
        response = client.post(
            "/api/v1/orgs",
            json={
                "name": f"New org by {actor}",
                "salesforce_id": salesforce_id(),
                "edition": "pro",
                "primary_admin_email": f"admin-{uuid.uuid4().hex[:8]}@example.com",
            },
            headers=world.headers(actor),
        )
        observed[actor] = response.status_code
    expected = {actor: 403 for actor in world.tokens} | {"OP": 201, "anon": 401}
    assert observed == expected
