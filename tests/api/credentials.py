"""Each credential kind of docs/ACCESS.md ("Credential kinds"), made the way the product makes it.

A password session is the world's bearer token (what sign-in issues). An SSO
session is issued by the service the SSO callback uses, for the actor's entry.
API and SCIM tokens are made over HTTP by the actor itself, in its own org.
"""

from __future__ import annotations

import uuid

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from access.accessmatrix import API_TOKEN, PASSWORD, SCIM_TOKEN, SSO
from factories import World, bearer
from tenantree.identity.context import IdentityConfig
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser
from tenantree.sso.sessions import issue_sso_session

# Each credential kind's secret prefix, for tokens that look right and are not.
PREFIXES = {PASSWORD: "", SSO: "tt_sso_", API_TOKEN: "tt_api_", SCIM_TOKEN: "tt_scim_"}
_TOKEN_PATHS = {API_TOKEN: "api-tokens", SCIM_TOKEN: "scim-tokens"}


def home(world: World, actor: str) -> Org:
    """The org an actor makes its credentials in (the operator's: U)."""
    return world.U if actor == "OP" else getattr(world, actor.split("-")[0])


def make_token(client: TestClient, world: World, kind: str, actor: str, org: Org) -> httpx.Response:
    """The actor asks, with its password session, for an API or SCIM token of `org`."""
    body: dict[str, str] = {"name": f"{kind} of {actor} {uuid.uuid4().hex[:6]}"}
    if kind == API_TOKEN:
        entry = world.members.get(actor)
        body["role"] = entry.role.value if entry is not None else "admin"
    path = f"/api/v1/orgs/{org.id}/{_TOKEN_PATHS[kind]}"
    return client.post(path, json=body, headers=world.headers(actor))


def hold(
    client: TestClient,
    session: Session,
    identity: IdentityConfig,
    world: World,
    kind: str,
    actor: str,
) -> dict[str, str]:
    """The headers of the actor's credential of this kind, made in its own org."""
    if kind == PASSWORD:
        return world.headers(actor)
    if kind == SSO:
        secret, _ = issue_sso_session(session, identity, world.members[actor])
        session.commit()
        return bearer(secret)
    response = make_token(client, world, kind, actor, home(world, actor))
    assert response.status_code == 201, response.text
    made = response.json()
    if kind == API_TOKEN:
        _list_beside_its_creator(session, world, actor, uuid.UUID(made["user_id"]))
    return bearer(made["token"])


def _list_beside_its_creator(
    session: Session, world: World, actor: str, entry_id: uuid.UUID
) -> None:
    """List a token's entry on each sub-org's partner_users list its creator
    gets past (listed, or the primary admin, whom no list stops), as the
    partner's primary admin may: so the token reaches what its creator does."""
    creator = world.members.get(actor)
    if creator is None:
        return
    restricted = (
        select(SubOrgAccess.org_id)
        .join(Org, Org.id == SubOrgAccess.org_id)
        .where(Org.parent_id == creator.org_id, SubOrgAccess.partner_users_restricted)
    )
    if not creator.is_primary_admin:
        restricted = restricted.join(
            SubOrgPartnerUser, SubOrgPartnerUser.sub_org_id == SubOrgAccess.org_id
        ).where(SubOrgPartnerUser.membership_id == creator.id)
    for sub_org_id in session.scalars(restricted).all():
        session.add(SubOrgPartnerUser(sub_org_id=sub_org_id, membership_id=entry_id))
    session.commit()


def refuse_customer(session: Session, org: Org) -> None:
    """The partner refuses the sub-org's customer access (after its credentials were made)."""
    session.execute(
        update(SubOrgAccess)
        .where(SubOrgAccess.org_id == org.id)
        .values(customer_access=CustomerAccess.REFUSED)
    )
    session.commit()
