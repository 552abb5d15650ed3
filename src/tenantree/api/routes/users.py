import uuid

from fastapi import Response

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.common import ListResponse
from tenantree.api.schemas.users import PrimaryAdminTransfer, UserOut, UserUpdate
from tenantree.identity import directory
from tenantree.identity.models import Membership
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["users"],
    responses=ERROR_RESPONSES,
)


def user_out(membership: Membership) -> UserOut:
    return UserOut(
        id=membership.id,
        email=membership.account.email,
        # The person's own name is not the org's to read before they accept.
        display_name="" if membership.awaiting_consent else membership.account.display_name,
        role=membership.role,
        is_primary_admin=membership.is_primary_admin,
        status=membership.status,
        external_id=membership.external_id,
        created_at=membership.created_at,
        awaiting_consent=membership.awaiting_consent,
    )


@router.get("/users", response_model=ListResponse[UserOut], operation_id="list_users")
def list_users(
    target: OrgWith(P.ORG_USERS_READ), limit: Limit = None, cursor: Cursor = None
) -> ListResponse[UserOut]:
    page = directory.list_users(target.session, target.org, limit=limit, cursor=cursor)
    return ListResponse(items=[user_out(m) for m in page.items], next_cursor=page.next_cursor)


@router.patch("/users/{user_id}", response_model=UserOut, operation_id="update_user")
def update_user(
    user_id: uuid.UUID, body: UserUpdate, target: OrgWith(P.ORG_USERS_MANAGE)
) -> UserOut:
    membership = directory.update_user(
        target.session, target.trail, target.org, user_id, role=body.role, status=body.status
    )
    return user_out(membership)


@router.delete("/users/{user_id}", status_code=204, operation_id="remove_user")
def remove_user(user_id: uuid.UUID, target: OrgWith(P.ORG_USERS_MANAGE)) -> Response:
    directory.remove_user(target.session, target.trail, target.org, user_id)
    return Response(status_code=204)


@router.post("/primary-admin", response_model=UserOut, operation_id="transfer_primary_admin")
def transfer_primary_admin(
    body: PrimaryAdminTransfer, target: OrgWith(P.ORG_PRIMARY_ADMIN_TRANSFER)
) -> UserOut:
    membership = directory.transfer_primary_admin(
        target.session, target.trail, target.org, body.user_id
    )
    return user_out(membership)
