"""A user's page in the console: who they are here, and "Why?" — what they
may do in this org and the rule and path behind each answer."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantree.access.checks import check_access
from tenantree.access.permissions import Permission as P
from tenantree.console.deps import OrgPage
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.web.routing import GatedRouter

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)


@router.get("/orgs/{org_id}/users/{user_id}")
def user_page(request: Request, user_id: uuid.UUID, target: OrgPage(P.ORG_USERS_READ)) -> Response:
    # The same question as GET /api/v1/orgs/{org_id}/access-check, for every
    # permission of an org (platform ones are nobody's inside an org).
    permissions = [p for p in P if p not in (P.PLATFORM_ORGS_MANAGE, P.PLATFORM_ORGS_MOVE)]
    checks = check_access(
        target.session, target.target.actor, target.target.loaded, user_id, permissions
    )
    return render(
        request,
        target.session,
        "user.html",
        title=f"Access in {target.org.name}",
        checks=checks,
    )
