"""Who is calling: the bearer token's account and actor, and the audit trail of the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from tenantree.access.policy import Actor
from tenantree.audit.service import AuditTrail
from tenantree.authn.signin import authenticate
from tenantree.identity.accounts import AccountSummary
from tenantree.identity.errors import InvalidToken
from tenantree.identity.passkeys import RelyingParty
from tenantree.web.request_state import noted
from tenantree.web.services import Services, ServicesDep, services_of
from tenantree.web.unit_of_work import Reader, SessionDep

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/login")


@dataclass(frozen=True)
class Caller:
    # Plain values read with the token; a route that needs the entity loads it
    # (identity.accounts.signed_in_account).
    account: AccountSummary
    actor: Actor
    token: str


_Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

# For a route that reads the bearer token itself (`bearer_credentials`), with
# no dependency FastAPI could see: its operation declares the scheme here.
BEARER = {"security": [{_bearer.scheme_name: []}]}


async def bearer_credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    """The bearer token as `CredentialsDep` reads it, without a dependency."""
    return await _bearer(request)


# The request's fully authenticated caller (never an enrolling one), so that a
# route needing both the caller and an org resolves the token once, in the
# org check's thread-pool hop. Kept in the request's state, so it lives for one
# attempt at the request only (a retry on a fresh connection starts anew).
_RESOLVED = "authenticated_caller"


def _resolve(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    credentials: HTTPAuthorizationCredentials | None,
    *,
    enrolling: bool,
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise InvalidToken("this needs a bearer token", code="not_authenticated")
    account, actor = authenticate(
        session, services.identity, credentials.credentials, enrolling=enrolling
    )
    caller = Caller(account, actor, credentials.credentials)
    request.state.caller = caller  # for the request's log line
    if not enrolling:
        setattr(request.state, _RESOLVED, caller)
    return caller


def resolve_caller(
    request: Request,
    session: Session,
    services: Services,
    credentials: HTTPAuthorizationCredentials | None,
) -> Caller:
    """The request's caller, authenticated at most once per request (blocking I/O:
    call it from the thread pool, as `get_caller` and the org check do)."""
    resolved = noted(request, _RESOLVED)
    if resolved is not None:
        return resolved
    return _resolve(request, session, services, credentials, enrolling=False)


async def get_caller(
    request: Request, session: SessionDep, services: ServicesDep, credentials: _Credentials
) -> Caller:
    resolved = noted(request, _RESOLVED)
    if resolved is not None:
        return resolved  # no hop: the org check of this request resolved it
    return await run_in_threadpool(
        _resolve, request, session, services, credentials, enrolling=False
    )


def get_enrolling_caller(
    request: Request, session: SessionDep, services: ServicesDep, credentials: _Credentials
) -> Caller:
    """A caller whose session may be limited to enrolling a second factor."""
    return _resolve(request, session, services, credentials, enrolling=True)


@dataclass(frozen=True)
class CallerRequest:
    """The request's authenticated caller, with its unit of work's session."""

    caller: Caller
    session: Session


async def caller_reader(request: Request) -> Reader[CallerRequest]:
    """The caller's reader, for a reads-only route that takes the request
    itself and declares `openapi_extra=BEARER`: the token is authenticated in
    the read's own unit of work (web.unit_of_work.Reader), where `CallerDep`'s
    hop and a sync route's would be two."""
    credentials = await bearer_credentials(request)
    services = services_of(request)

    def check(session: Session) -> CallerRequest:
        return CallerRequest(resolve_caller(request, session, services, credentials), session)

    return Reader(check, request, services)


CallerDep = Annotated[Caller, Depends(get_caller)]
CredentialsDep = _Credentials
EnrollingCallerDep = Annotated[Caller, Depends(get_enrolling_caller)]


def relying_party(request: Request) -> RelyingParty:
    """WebAuthn's relying party: the host the browser is talking to."""
    return RelyingParty(
        id=request.url.hostname or "localhost",
        name="tenantree",
        origin=f"{request.url.scheme}://{request.url.netloc}",
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    return noted(request, "request_id")


def anonymous_trail(request: Request, session: SessionDep) -> AuditTrail:
    """The trail of a request nobody is signed in to (yet)."""
    return AuditTrail(session, None, None, request_id(request), client_address(request))


def caller_trail(request: Request, session: SessionDep, caller: Caller) -> AuditTrail:
    return AuditTrail(
        session, caller.account.id, None, request_id(request), client_address(request)
    )


async def get_trail(request: Request, session: SessionDep, caller: CallerDep) -> AuditTrail:
    return caller_trail(request, session, caller)


async def get_anonymous_trail(request: Request, session: SessionDep) -> AuditTrail:
    return anonymous_trail(request, session)


TrailDep = Annotated[AuditTrail, Depends(get_trail)]
AnonymousTrailDep = Annotated[AuditTrail, Depends(get_anonymous_trail)]
