"""The signed-in person's pending invitations: accept or decline, as themselves.

Same services as /api/v1/me/invitations (access.consent).
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantree.access import consent
from tenantree.console.deps import ViewerDep, trail_for
from tenantree.console.forms import done
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.identity.accounts import signed_in_account
from tenantree.web.routing import GatedRouter
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

_DONE = {
    "accepted": "Invitation accepted: the org is now in your list.",
    "declined": "Invitation declined.",
    "confirmation_sent": "A confirmation link is on its way to your email address.",
}


@router.get("/invitations")
def pending(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    return render(
        request,
        session,
        "invitations.html",
        title="Your invitations",
        invitations=consent.pending_invitations(
            session, signed_in_account(session, viewer.account)
        ),
        email_confirmed=viewer.account.email_confirmed_at is not None,
        notice=_DONE.get(request.query_params.get("done", "")),
    )


@router.post("/invitations/{invitation_id}/accept")
def accept(
    invitation_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    viewer: ViewerDep,
) -> Response:
    consent.accept(
        session,
        trail_for(request, session, viewer),
        services.identity,
        viewer.actor,
        signed_in_account(session, viewer.account),
        invitation_id,
    )
    return done("/invitations", "accepted")


@router.post("/invitations/{invitation_id}/decline")
def decline(
    invitation_id: uuid.UUID, request: Request, session: SessionDep, viewer: ViewerDep
) -> Response:
    consent.decline(
        session,
        trail_for(request, session, viewer),
        viewer.actor,
        signed_in_account(session, viewer.account),
        invitation_id,
    )
    return done("/invitations", "declined")
