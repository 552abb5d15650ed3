"""An org's SCIM tokens and API tokens: create (the secret shown this once), list, revoke.

Each form goes through the API route's permission and the same token service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.console.deps import FormDep, OrgPage
from tenantree.console.forms import done, validated
from tenantree.console.listing import Listing, Search, Word, direction
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Invalid
from tenantree.identity import api_tokens, scim_tokens
from tenantree.identity.roles import Role
from tenantree.web.orgs import OrgRequest
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.integrations import ApiTokenCreate, ScimTokenCreate
from tenantree.web.services import IdentityDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)


@dataclass(frozen=True)
class TokenKind:
    slug: str
    label: str
    purpose: str
    with_role: bool


SCIM = TokenKind(
    "scim-tokens",
    "SCIM tokens",
    "An identity provider sends user changes to this org's SCIM endpoint with one of these.",
    with_role=False,
)
API = TokenKind(
    "api-tokens",
    "API tokens",
    "A script or integration calls the API with one of these, as a service account "
    "holding the role you choose.",
    with_role=True,
)
DONE = {"revoked": "Token revoked: it no longer works."}


@dataclass(frozen=True)
class TokenOrder:
    """A token list's search and order, from its query string."""

    q: str
    sort: str
    descending: bool


def _order(
    q: Search = "",
    sort: Word = "created",
    dir: Word = "desc",  # noqa: A002 - the parameter's name
) -> TokenOrder:
    # An unknown sort is refused by the token service, naming the field.
    return TokenOrder(q, sort, direction(dir))


# After creating a token the page shows the list as it opens: newest first.
NEWEST_FIRST = TokenOrder("", "created", descending=True)
OrderDep = Annotated[TokenOrder, Depends(_order)]


def _expiry(value: str | None) -> datetime | None:
    """A token given a last day works until the end of that day (UTC)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid("expires_on must be a day written YYYY-MM-DD", field="expires_on") from exc
    return datetime.combine(day, time.max, tzinfo=UTC)


def _page(
    request: Request,
    target: OrgRequest,
    kind: TokenKind,
    order: TokenOrder,
    *,
    base_url: str,
    issued: Any = None,
    secret: str | None = None,
    notice: str | None = None,
) -> Response:
    now = clock.utcnow()
    status = api_tokens.token_status if kind.with_role else scim_tokens.token_status
    listed = api_tokens.listed_api_tokens if kind.with_role else scim_tokens.listed_scim_tokens
    tokens = listed(
        target.session, target.org, q=order.q or None, sort=order.sort, descending=order.descending
    )
    listing = Listing(
        f"/orgs/{target.org.id}/{kind.slug}", {"q": order.q}, order.sort, order.descending
    )
    return render(
        request,
        target.session,
        "tokens.html",
        title=f"{kind.label} of {target.org.name}",
        kind=kind,
        tokens=[(t, status(t, now)) for t in tokens],
        listing=listing,
        q=order.q,
        roles=list(Role),
        issued=issued,
        secret=secret,
        scim_base_url=f"{base_url}/scim/v2/orgs/{target.org.id}",
        notice=notice,
    )


@router.get("/orgs/{org_id}/scim-tokens")
def scim_tokens_page(
    request: Request,
    target: OrgPage(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    order: OrderDep,
    done: str = "",
) -> Response:
    return _page(
        request,
        target,
        SCIM,
        order,
        base_url=identity.public_base_url,
        notice=DONE.get(done),
    )


@router.post("/orgs/{org_id}/scim-tokens")
def create_scim_token(
    request: Request, target: OrgPage(P.ORG_USERS_MANAGE), identity: IdentityDep, form: FormDep
) -> Response:
    body = validated(ScimTokenCreate, {"name": form.get("name", "")})
    issued = scim_tokens.create_scim_token(
        target.session,
        target.trail,
        identity,
        target.org,
        name=body.name,
        expires_at=_expiry(form.get("expires_on")),
    )
    # Rendered, not redirected: the secret is never stored, so this is its one showing.
    return _page(
        request,
        target,
        SCIM,
        NEWEST_FIRST,
        base_url=identity.public_base_url,
        issued=issued.token,
        secret=issued.secret,
    )


@router.post("/orgs/{org_id}/scim-tokens/{token_id}/revoke")
def revoke_scim_token(token_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)) -> Response:
    scim_tokens.revoke_scim_token(target.session, target.trail, target.org, token_id)
    return done(f"/orgs/{target.org.id}/scim-tokens", "revoked")


@router.get("/orgs/{org_id}/api-tokens")
def api_tokens_page(
    request: Request,
    target: OrgPage(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    order: OrderDep,
    done: str = "",
) -> Response:
    return _page(
        request, target, API, order, base_url=identity.public_base_url, notice=DONE.get(done)
    )


@router.post("/orgs/{org_id}/api-tokens")
def create_api_token(
    request: Request, target: OrgPage(P.ORG_USERS_MANAGE), identity: IdentityDep, form: FormDep
) -> Response:
    body = validated(ApiTokenCreate, {"name": form.get("name", ""), "role": form.get("role")})
    issued = api_tokens.create_api_token(
        target.session,
        target.trail,
        identity,
        target.org,
        name=body.name,
        role=body.role,
        expires_at=_expiry(form.get("expires_on")),
    )
    return _page(
        request,
        target,
        API,
        NEWEST_FIRST,
        base_url=identity.public_base_url,
        issued=issued.token,
        secret=issued.secret,
    )


@router.post("/orgs/{org_id}/api-tokens/{token_id}/revoke")
def revoke_api_token(token_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)) -> Response:
    api_tokens.revoke_api_token(target.session, target.trail, target.org, token_id)
    return done(f"/orgs/{target.org.id}/api-tokens", "revoked")
