"""Request dependencies of API routes: the unit of work, the caller, and org authorization.

They are shared with the console and SCIM, so they live in tenantree.web;
routes declare what they need as annotated types, imported from here or there.
"""

from __future__ import annotations

from tenantree.web.caller import (
    BEARER,
    AnonymousTrailDep,
    Caller,
    CallerDep,
    CallerRequest,
    EnrollingCallerDep,
    TrailDep,
    caller_reader,
    caller_trail,
    client_address,
    get_anonymous_trail,
    get_caller,
    get_trail,
    request_id,
)
from tenantree.web.orgs import (
    OperatorDep,
    OrgIdPath,
    OrgReader,
    OrgRequest,
    OrgWith,
    PlatformWith,
    operator_only,
    org_permission,
    org_reader,
)
from tenantree.web.services import (
    BrandingDep,
    IdentityDep,
    Services,
    ServicesDep,
    get_branding,
    get_identity,
    get_services,
)
from tenantree.web.unit_of_work import SessionDep, UnitOfWorkRoute, get_session, reads_only

__all__ = [
    "BEARER",
    "AnonymousTrailDep",
    "BrandingDep",
    "Caller",
    "CallerDep",
    "CallerRequest",
    "EnrollingCallerDep",
    "caller_reader",
    "caller_trail",
    "IdentityDep",
    "OperatorDep",
    "OrgIdPath",
    "OrgReader",
    "OrgRequest",
    "OrgWith",
    "PlatformWith",
    "Services",
    "ServicesDep",
    "SessionDep",
    "TrailDep",
    "UnitOfWorkRoute",
    "client_address",
    "get_anonymous_trail",
    "get_branding",
    "get_caller",
    "get_identity",
    "get_services",
    "get_session",
    "get_trail",
    "operator_only",
    "org_permission",
    "org_reader",
    "reads_only",
    "request_id",
]
