"""API tokens: service accounts an org admin creates, lists and revokes."""

import uuid

from fastapi import Response

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import IdentityDep, OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.common import ListResponse
from tenantree.api.schemas.integrations import ApiTokenIssued, ApiTokenOut
from tenantree.identity import api_tokens
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.roles import Role
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.integrations import ApiTokenCreate

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["api-tokens"],
    responses=ERROR_RESPONSES,
)


def api_token_out(token: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        id=token.id,
        org_id=token.org_id,
        name=token.name,
        role=Role(token.role),
        user_id=token.membership_id,
        status=api_tokens.token_status(token, clock.utcnow()),  # type: ignore[arg-type]
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.post(
    "/api-tokens", response_model=ApiTokenIssued, status_code=201, operation_id="create_api_token"
)
def create_api_token(
    body: ApiTokenCreate, target: OrgWith(P.ORG_USERS_MANAGE), identity: IdentityDep
) -> ApiTokenIssued:
    issued = api_tokens.create_api_token(
        target.session,
        target.trail,
        identity,
        target.org,
        name=body.name,
        role=body.role,
        expires_at=body.expires_at,
    )
    out = api_token_out(issued.token)
    return ApiTokenIssued(**out.model_dump(), token=issued.secret)


@router.get("/api-tokens", response_model=ListResponse[ApiTokenOut], operation_id="list_api_tokens")
def list_api_tokens(
    target: OrgWith(P.ORG_USERS_MANAGE), limit: Limit = None, cursor: Cursor = None
) -> ListResponse[ApiTokenOut]:
    page = api_tokens.list_api_tokens(target.session, target.org, limit=limit, cursor=cursor)
    return ListResponse(items=[api_token_out(t) for t in page.items], next_cursor=page.next_cursor)


@router.delete("/api-tokens/{token_id}", status_code=204, operation_id="revoke_api_token")
def revoke_api_token(token_id: uuid.UUID, target: OrgWith(P.ORG_USERS_MANAGE)) -> Response:
    api_tokens.revoke_api_token(target.session, target.trail, target.org, token_id)
    return Response(status_code=204)
