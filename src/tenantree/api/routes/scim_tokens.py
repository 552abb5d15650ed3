"""SCIM tokens: what an org admin pastes into the identity provider."""

import uuid

from fastapi import Response

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import IdentityDep, OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.common import ListResponse
from tenantree.api.schemas.integrations import ScimTokenIssued, ScimTokenOut
from tenantree.identity import scim_tokens as tokens
from tenantree.identity.integration_models import ScimToken
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.integrations import ScimTokenCreate

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["scim-tokens"],
    responses=ERROR_RESPONSES,
)


def scim_token_out(token: ScimToken, base_url: str) -> ScimTokenOut:
    return ScimTokenOut(
        id=token.id,
        org_id=token.org_id,
        name=token.name,
        status=tokens.token_status(token, clock.utcnow()),  # type: ignore[arg-type]
        scim_base_url=f"{base_url}/scim/v2/orgs/{token.org_id}",
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.post(
    "/scim-tokens",
    response_model=ScimTokenIssued,
    status_code=201,
    operation_id="create_scim_token",
)
def create_scim_token(
    body: ScimTokenCreate, target: OrgWith(P.ORG_USERS_MANAGE), identity: IdentityDep
) -> ScimTokenIssued:
    issued = tokens.create_scim_token(
        target.session,
        target.trail,
        identity,
        target.org,
        name=body.name,
        expires_at=body.expires_at,
    )
    out = scim_token_out(issued.token, identity.public_base_url)
    return ScimTokenIssued(**out.model_dump(), token=issued.secret)


@router.get(
    "/scim-tokens", response_model=ListResponse[ScimTokenOut], operation_id="list_scim_tokens"
)
def list_scim_tokens(
    target: OrgWith(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListResponse[ScimTokenOut]:
    page = tokens.list_scim_tokens(target.session, target.org, limit=limit, cursor=cursor)
    return ListResponse(
        items=[scim_token_out(t, identity.public_base_url) for t in page.items],
        next_cursor=page.next_cursor,
    )


@router.delete("/scim-tokens/{token_id}", status_code=204, operation_id="revoke_scim_token")
def revoke_scim_token(token_id: uuid.UUID, target: OrgWith(P.ORG_USERS_MANAGE)) -> Response:
    tokens.revoke_scim_token(target.session, target.trail, target.org, token_id)
    return Response(status_code=204)
