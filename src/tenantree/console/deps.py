"""What console pages depend on: the signed-in person, and an authorized org.

Pages name the one permission they need, exactly as API routes do with
`OrgWith`; the decision is `access.service.authorize`'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor, granted
from tenantree.access.service import authorize, require_platform
from tenantree.audit.service import AuditTrail
from tenantree.authn.signin import authenticate
from tenantree.console.render import brand_for
from tenantree.identity.accounts import AccountSummary
from tenantree.identity.errors import InvalidToken
from tenantree.web.caller import client_address, request_id
from tenantree.web.cookie_session import session_token
from tenantree.web.orgs import OrgRequest
from tenantree.web.request_state import noted
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep


class SignInRequired(Exception):
    """No session cookie, or one whose token no longer works: go to the sign-in page."""


@dataclass(frozen=True)
class Viewer:
    # Plain values read with the token (see web.caller.Caller).
    account: AccountSummary
    actor: Actor
    token: str


def _viewer(
    request: Request, session: SessionDep, services: ServicesDep, *, enrolling: bool
) -> Viewer:
    token = session_token(request)
    if not token:
        raise SignInRequired
    try:
        account, actor = authenticate(session, services.identity, token, enrolling=enrolling)
    except InvalidToken as exc:
        raise SignInRequired from exc
    viewer = Viewer(account, actor, token)
    request.state.viewer = viewer
    return viewer


def get_viewer(request: Request, session: SessionDep, services: ServicesDep) -> Viewer:
    """The signed-in person; a session limited to enrolling a second factor is
    sent to the account's security page (MfaEnrolmentRequired, console.routing)."""
    return _viewer(request, session, services, enrolling=False)


def get_enrolling_viewer(request: Request, session: SessionDep, services: ServicesDep) -> Viewer:
    return _viewer(request, session, services, enrolling=True)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
EnrollingViewerDep = Annotated[Viewer, Depends(get_enrolling_viewer)]


def trail_for(request: Request, session: SessionDep, viewer: Viewer) -> AuditTrail:
    return AuditTrail(
        session, viewer.account.id, None, request_id(request), client_address(request)
    )


def console_org(permission: Permission) -> Callable[..., OrgRequest]:
    def dependency(
        request: Request,
        org_id: Annotated[uuid.UUID, Path()],
        session: SessionDep,
        viewer: ViewerDep,
    ) -> OrgRequest:
        target = authorize(session, viewer.actor, permission, org_id)
        request.state.org = target.org
        request.state.granted = granted(viewer.actor, target.loaded.facts)
        request.state.brand = brand_for(request, session, target.org)
        trail = trail_for(request, session, viewer).acting_from(target.via_org_id)
        return OrgRequest(target, trail, session)

    dependency.__name__ = f"console_{permission.name.lower()}"
    return dependency


def OrgPage(permission: Permission) -> type[OrgRequest]:  # noqa: N802 - reads as a type
    return Annotated[OrgRequest, Depends(console_org(permission))]  # type: ignore[return-value]


def operator_viewer(viewer: ViewerDep) -> Viewer:
    require_platform(viewer.actor, Permission.PLATFORM_ORGS_MANAGE)
    return viewer


OperatorViewer = Annotated[Viewer, Depends(operator_viewer)]


def form_of(request: Request) -> dict[str, str]:
    """The POSTed form (already CSRF-checked by the console's route class)."""
    return noted(request, "form", {})


def form_list(request: Request, name: str) -> list[str]:
    return noted(request, "form_lists", {}).get(name, [])


FormDep = Annotated[dict[str, str], Depends(form_of)]
