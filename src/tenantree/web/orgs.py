"""Org authorization of a request: the one permission a route needs on the org in
its path, decided by access.service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from tenantree.access import policy
from tenantree.access.permissions import Permission
from tenantree.access.service import AuthorizedOrg, authorize, require_platform
from tenantree.audit.service import AuditTrail
from tenantree.web.caller import (
    Caller,
    CallerDep,
    CredentialsDep,
    bearer_credentials,
    caller_trail,
    resolve_caller,
)
from tenantree.web.services import Services, ServicesDep, services_of
from tenantree.web.unit_of_work import Reader, SessionDep


@dataclass(frozen=True)
class OrgRequest:
    """An authorized org, with the audit trail stamped with the path used."""

    target: AuthorizedOrg
    trail: AuditTrail
    session: Session

    @property
    def org(self):  # type: ignore[no-untyped-def]
        return self.target.org


def _checked(
    permission: Permission,
    request: Request,
    org_id: uuid.UUID,
    session: Session,
    services: Services,
    credentials: HTTPAuthorizationCredentials | None,
    *,
    org_as_row: bool = False,
) -> OrgRequest:
    """Authenticate the caller and authorize the org (blocking I/O: in the thread pool)."""
    caller = resolve_caller(request, session, services, credentials)
    target = authorize(session, caller.actor, permission, org_id, org_as_row=org_as_row)
    trail = caller_trail(request, session, caller)
    return OrgRequest(target, trail.acting_from(target.via_org_id), session)


OrgIdPath = Annotated[uuid.UUID, Path(description="The org's id")]


def org_permission(permission: Permission) -> Callable[..., Any]:
    check = partial(_checked, permission)

    async def dependency(
        request: Request,
        org_id: OrgIdPath,
        session: SessionDep,
        services: ServicesDep,
        credentials: CredentialsDep,
    ) -> OrgRequest:
        # The caller's token and the org's facts in one thread-pool hop: each
        # hop hands the GIL between threads, the largest cost of a read under
        # concurrency (bench/ANALYSIS.md).
        return await run_in_threadpool(check, request, org_id, session, services, credentials)

    dependency.__name__ = f"require_{permission.name.lower()}"
    return dependency


def OrgWith(permission: Permission) -> type[OrgRequest]:  # noqa: N802 - reads as a type
    return Annotated[OrgRequest, Depends(org_permission(permission))]  # type: ignore[return-value]


# The org in the path, checked and read in one unit of work (org_reader).
OrgReader = Reader[OrgRequest]


async def org_reader(request: Request, org_id: uuid.UUID, permission: Permission) -> OrgReader:
    """The reader of the org in the path, for a reads-only route that takes the
    request and `org_id: OrgIdPath` itself and declares `openapi_extra=BEARER`:
    for a route that reads once the org is authorized (the org itself, a page
    of its sub-orgs). `read(work)` authorizes exactly as `OrgWith` does, then
    runs `work` on the authorized org (web.unit_of_work.Reader). Nothing of
    the org is reachable otherwise. The org is read as its row (its columns,
    read-only), not an entity: the ORM's loading cost more than the query
    (bench/ANALYSIS.md, round 6).

    Not a dependency: FastAPI solves each dependency level on every request
    (path, query, header and cookie parameters, its cache key), about 8% of
    GET org's own time for the two levels this saves (bench/ANALYSIS.md,
    round 15). No I/O here: the check is made in the hop of `OrgReader.read`.
    """
    credentials = await bearer_credentials(request)
    services = services_of(request)

    def check(session: Session) -> OrgRequest:
        return _checked(
            permission, request, org_id, session, services, credentials, org_as_row=True
        )

    return Reader(check, request, services)


def sees_pool_figures(target: OrgRequest) -> bool:
    """The policy's answer (policy.sees_pool_figures) for the caller and the org in the path."""
    return policy.sees_pool_figures(target.target.actor, target.target.loaded.facts)


def sees_distributor_figures(target: OrgRequest) -> bool:
    """policy.sees_distributor_figures for the caller and the org in the path."""
    return policy.sees_distributor_figures(target.target.actor, target.target.loaded.facts)


def platform_permission(permission: Permission) -> Callable[..., Any]:
    """A dependency admitting only callers the policy grants a platform permission."""

    async def dependency(caller: CallerDep) -> Caller:
        require_platform(caller.actor, permission)
        return caller

    dependency.__name__ = f"require_{permission.name.lower()}"
    return dependency


def PlatformWith(permission: Permission) -> type[Caller]:  # noqa: N802 - reads as a type
    return Annotated[Caller, Depends(platform_permission(permission))]  # type: ignore[return-value]


operator_only = platform_permission(Permission.PLATFORM_ORGS_MANAGE)
OperatorDep = PlatformWith(Permission.PLATFORM_ORGS_MANAGE)
