"""Request dependencies: the unit of work, the caller, and org authorization.

Routes declare what they need as annotated types; the one permission a route
needs on the org in its path is checked here, through access.service.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor
from tenantree.access.service import AuthorizedOrg, authorize, require_platform
from tenantree.audit.service import AuditTrail
from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import InvalidToken
from tenantree.identity.models import Account
from tenantree.identity.signin import authenticate


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    identity: IdentityConfig
    branding: BrandingConfig
    # The bind of sessions for routes marked @reads_only (db.reads_only_engine);
    # None: they get ordinary sessions.
    reads_only_bind: Engine | None = None


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def`
# dependency in the thread pool, and each hop costs more than the work.


async def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


_READS_ONLY = "__tenantree_reads_only__"

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def reads_only(endpoint: _Endpoint) -> _Endpoint:
    """Mark a route that only reads: its session runs outside a transaction.

    See db.reads_only_engine: the same results (PostgreSQL reads each
    statement of a READ COMMITTED transaction from its own snapshot), two
    round trips fewer. Only for routes that write nothing (an API token's
    last-used time, which authentication commits on its own, is fine).
    """
    setattr(endpoint, _READS_ONLY, True)
    return endpoint


async def get_session(request: Request, services: ServicesDep) -> AsyncIterator[Session]:
    # One unit of work per request: routes commit once; closing without a
    # commit rolls everything back (and drops queued email). Making the
    # session does no I/O (it connects on first use).
    read_only_route = services.reads_only_bind is not None and getattr(
        request.scope.get("endpoint"), _READS_ONLY, False
    )
    if read_only_route:
        session = services.sessions(bind=services.reads_only_bind)
    else:
        session = services.sessions()
    try:
        yield session
    finally:
        if read_only_route:
            # No transaction to roll back: closing only hands the connection
            # back to the pool, no round trip.
            session.close()
        else:
            # ROLLBACK is a round trip: in the thread pool, shielded so a
            # cancelled request still returns its connection.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


SessionDep = Annotated[Session, Depends(get_session)]


async def get_identity(services: ServicesDep) -> IdentityConfig:
    return services.identity


IdentityDep = Annotated[IdentityConfig, Depends(get_identity)]


async def get_branding(services: ServicesDep) -> BrandingConfig:
    return services.branding


BrandingDep = Annotated[BrandingConfig, Depends(get_branding)]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/login")


@dataclass(frozen=True)
class Caller:
    account: Account
    actor: Actor
    token: str


def get_caller(
    session: SessionDep,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise InvalidToken("this needs a bearer token", code="not_authenticated")
    account, actor = authenticate(session, services.identity, credentials.credentials)
    return Caller(account, actor, credentials.credentials)


CallerDep = Annotated[Caller, Depends(get_caller)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def get_trail(request: Request, session: SessionDep, caller: CallerDep) -> AuditTrail:
    return AuditTrail(
        session, caller.account.id, None, request_id(request), client_address(request)
    )


async def get_anonymous_trail(request: Request, session: SessionDep) -> AuditTrail:
    return AuditTrail(session, None, None, request_id(request), client_address(request))


TrailDep = Annotated[AuditTrail, Depends(get_trail)]
AnonymousTrailDep = Annotated[AuditTrail, Depends(get_anonymous_trail)]


@dataclass(frozen=True)
class OrgRequest:
    """An authorized org, with the audit trail stamped with the path used."""

    target: AuthorizedOrg
    trail: AuditTrail
    session: Session

    @property
    def org(self):  # type: ignore[no-untyped-def]
        return self.target.org


def org_permission(permission: Permission) -> Callable[..., OrgRequest]:
    def dependency(
        org_id: Annotated[uuid.UUID, Path(description="The org's id")],
        session: SessionDep,
        caller: CallerDep,
        trail: TrailDep,
    ) -> OrgRequest:
        target = authorize(session, caller.actor, permission, org_id)
        return OrgRequest(target, trail.acting_from(target.via_org_id), session)

    dependency.__name__ = f"require_{permission.name.lower()}"
    return dependency


def OrgWith(permission: Permission) -> type[OrgRequest]:  # noqa: N802 - reads as a type
    return Annotated[OrgRequest, Depends(org_permission(permission))]  # type: ignore[return-value]


async def operator_only(caller: CallerDep) -> Caller:
    require_platform(caller.actor, Permission.PLATFORM_ORGS_MANAGE)
    return caller


OperatorDep = Annotated[Caller, Depends(operator_only)]
