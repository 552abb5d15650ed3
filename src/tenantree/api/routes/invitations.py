import uuid
from dataclasses import asdict

from fastapi import Response

from tenantree import clock
from tenantree.access import consent
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import (
    AnonymousTrailDep,
    CallerDep,
    IdentityDep,
    OrgWith,
    SessionDep,
    TrailDep,
    UnitOfWorkRoute,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.routes.users import user_out
from tenantree.api.schemas.common import ListResponse
from tenantree.api.schemas.users import (
    AcceptanceOut,
    EmailDeliveryOut,
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    MyInvitationOut,
)
from tenantree.identity import invitations
from tenantree.identity.accounts import signed_in_account
from tenantree.identity.models import Invitation
from tenantree.identity.roles import Role
from tenantree.outbox.operations import DeliveryStatus
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["invitations"], responses=ERROR_RESPONSES
)


def invitation_out(invitation: Invitation, delivery: DeliveryStatus | None) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        org_id=invitation.org_id,
        email=invitation.email,
        role=Role(invitation.role),
        as_primary_admin=invitation.as_primary_admin,
        status=invitation.status_at(clock.utcnow()),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
        declined_at=invitation.declined_at,
        email_delivery=EmailDeliveryOut(**asdict(delivery)) if delivery else None,
    )


@router.post(
    "/orgs/{org_id}/invitations",
    response_model=InvitationOut,
    status_code=201,
    operation_id="create_invitation",
)
def create_invitation(
    body: InvitationCreate, target: OrgWith(P.ORG_USERS_MANAGE), identity: IdentityDep
) -> InvitationOut:
    invitation = invitations.invite(
        target.session, target.trail, identity, target.org, email=str(body.email), role=body.role
    )
    deliveries = invitations.email_deliveries(target.session, [invitation])
    return invitation_out(invitation, deliveries.get(invitation.id))


@router.get(
    "/orgs/{org_id}/invitations",
    response_model=ListResponse[InvitationOut],
    operation_id="list_invitations",
)
def list_invitations(
    target: OrgWith(P.ORG_USERS_MANAGE), limit: Limit = None, cursor: Cursor = None
) -> ListResponse[InvitationOut]:
    page = invitations.list_invitations(target.session, target.org, limit=limit, cursor=cursor)
    deliveries = invitations.email_deliveries(target.session, page.items)
    return ListResponse(
        items=[invitation_out(i, deliveries.get(i.id)) for i in page.items],
        next_cursor=page.next_cursor,
    )


@router.delete(
    "/orgs/{org_id}/invitations/{invitation_id}",
    status_code=204,
    operation_id="revoke_invitation",
)
def revoke_invitation(invitation_id: uuid.UUID, target: OrgWith(P.ORG_USERS_MANAGE)) -> Response:
    invitations.revoke_invitation(target.session, target.trail, target.org, invitation_id)
    return Response(status_code=204)


@router.post(
    "/invitations/accept",
    response_model=AcceptanceOut,
    operation_id="accept_invitation",
    openapi_extra={"security": []},
)
def accept_invitation(
    body: InvitationAccept, session: SessionDep, identity: IdentityDep, trail: AnonymousTrailDep
) -> AcceptanceOut:
    acceptance = consent.accept_invitation(
        session,
        trail,
        identity,
        token=body.token,
        password=body.password,
        display_name=body.display_name,
    )
    return acceptance_out(acceptance)


def acceptance_out(acceptance: invitations.Acceptance) -> AcceptanceOut:
    return AcceptanceOut(
        org_id=acceptance.membership.org_id,
        user=user_out(acceptance.membership),
        account_created=acceptance.account_created,
    )


@router.get(
    "/me/invitations",
    response_model=ListResponse[MyInvitationOut],
    operation_id="list_my_invitations",
)
def list_my_invitations(caller: CallerDep, session: SessionDep) -> ListResponse[MyInvitationOut]:
    """Invitations to the signed-in person's email that wait for their answer:
    an existing account joins an org only when its owner accepts here."""
    return ListResponse(
        items=[
            MyInvitationOut(
                id=i.id,
                org_id=i.org_id,
                org_name=org.name,
                role=Role(i.role),
                created_at=i.created_at,
                expires_at=i.expires_at,
                for_existing_entry=i.membership_id is not None,
            )
            for i, org in consent.pending_invitations(
                session, signed_in_account(session, caller.account)
            )
        ],
        next_cursor=None,
    )


@router.post(
    "/me/invitations/{invitation_id}/accept",
    response_model=AcceptanceOut,
    operation_id="accept_my_invitation",
)
def accept_my_invitation(
    invitation_id: uuid.UUID,
    caller: CallerDep,
    session: SessionDep,
    identity: IdentityDep,
    trail: TrailDep,
) -> AcceptanceOut:
    acceptance = consent.accept(
        session,
        trail,
        identity,
        caller.actor,
        signed_in_account(session, caller.account),
        invitation_id,
    )
    return acceptance_out(acceptance)


@router.post(
    "/me/invitations/{invitation_id}/decline",
    status_code=204,
    operation_id="decline_my_invitation",
)
def decline_my_invitation(
    invitation_id: uuid.UUID, caller: CallerDep, session: SessionDep, trail: TrailDep
) -> Response:
    consent.decline(
        session, trail, caller.actor, signed_in_account(session, caller.account), invitation_id
    )
    return Response(status_code=204)
