"""What every SCIM route shares: the org a SCIM token reaches, SCIM bodies and responses."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Request, Response
from scim2_models import (
    Context,
    ForbiddenException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    SCIMException,
    UnauthorizedException,
)
from sqlalchemy.orm import Session

from tenantree.access.facts import load_org
from tenantree.access.policy import decide_scim
from tenantree.access.token_creators import creator_actor
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import TooManyRequests
from tenantree.identity.context import IdentityConfig
from tenantree.identity.scim_tokens import scim_token_for_org
from tenantree.identity.throttle import Throttle, reserve
from tenantree.orgs.models import Org
from tenantree.web.caller import client_address, request_id
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep, UnitOfWorkRoute

MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_WRITE_THROTTLE = Throttle(
    code="scim_write_throttled",
    message="too many SCIM writes with this token; try again later",
    refused_action=AuditAction.SCIM_WRITE_THROTTLED,
)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RESPONSE_PARAMETERS = ("attributes", "excludedAttributes")


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_response(exc: SCIMException) -> Response:
    body = exc.to_error().model_dump(scim_ctx=Context.DEFAULT, mode="json", exclude_none=True)
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if exc.status == 401 else None
    return scim_response(body, exc.status, headers)


def throttled_response(exc: TooManyRequests) -> Response:
    """RFC 7644 allows 429; the detail leads with our code and names the limit."""
    body = {
        "schemas": [ERROR_SCHEMA],
        "status": "429",
        "detail": f"{exc.code}: {exc.message} ({exc.extra.get('limit')})",
    }
    return scim_response(body, 429, {"Retry-After": str(exc.retry_after)})


class ScimRoute(UnitOfWorkRoute):
    """Answers SCIM exceptions, from the route or its dependencies, as SCIM errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SCIMException as exc:
                return error_response(exc)
            except TooManyRequests as exc:
                return throttled_response(exc)

        return scim_handler


R = TypeVar("R")

ORG_ENDPOINT = "/scim/v2/orgs/{org_id}"


def scim_router(prefix: str = "") -> APIRouter:
    """A router whose errors are SCIM errors; the org's endpoint router includes the others."""
    return APIRouter(prefix=prefix, route_class=ScimRoute, include_in_schema=False)


class ScimOrg:
    def __init__(
        self,
        org: Org,
        session: Session,
        trail: AuditTrail,
        base_url: str,
        identity: IdentityConfig,
    ):
        self.org = org
        self.identity = identity
        self.session = session
        self.trail = trail
        self.base_url = base_url

    def write(
        self, change: Callable[..., R], resource_id: str, body: Any, if_match: str | None
    ) -> R:
        """Apply a replace or patch of one resource: every write takes the org,
        its trail, the base URL for `meta.location` and the caller's If-Match."""
        return change(
            self.session,
            self.trail,
            self.org,
            resource_id,
            body,
            base_url=self.base_url,
            if_match=if_match,
        )


def scim_org(
    org_id: str,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> ScimOrg:
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedException(detail="this needs the org's SCIM bearer token")
    try:
        org_uuid = uuid.UUID(org_id)
    except ValueError:
        raise UnauthorizedException(detail="the SCIM token is not valid for this org") from None
    token = scim_token_for_org(session, services.identity, secret.strip(), org_uuid)
    if token is None:
        raise UnauthorizedException(detail="the SCIM token is not valid for this org")
    loaded = load_org(session, org_uuid)
    if loaded is None:
        raise UnauthorizedException(detail="the SCIM token is not valid for this org")
    decision = decide_scim(token.org_id, creator_actor(session, token), loaded.facts)
    error = decision.error()
    if error is not None:
        if not decision.visible:
            raise UnauthorizedException(detail="the SCIM token is not valid for this org")
        # SCIM errors carry no code of their own: the detail leads with ours.
        raise ForbiddenException(detail=f"{error.code}: {error.message}")
    refuse_nul(dict(request.query_params), "the query")
    org = loaded.org
    trail = AuditTrail(session, token.id, org.id, request_id(request), client_address(request))
    if request.method in WRITES and not request.url.path.endswith("/.search"):
        limit = services.identity.limits.scim_write_token
        reserve(session, trail, SCIM_WRITE_THROTTLE, [(limit, str(token.id))], org_id=org.id)
    base_url = f"{services.identity.public_base_url}/scim/v2/orgs/{org.id}"
    return ScimOrg(org, session, trail, base_url, services.identity)


ScimOrgDep = Annotated[ScimOrg, Depends(scim_org)]


async def scim_body(request: Request) -> Any:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidSyntaxException(detail="the body is not valid JSON") from None
    refuse_nul(body, "the body")
    return body


def refuse_nul(value: Any, where: str) -> None:
    """No SCIM string, in a body or a query, holds NUL: PostgreSQL refuses it
    in text (a 500 once), and no attribute, filter or name has a use for it."""
    if _holds_nul(value):
        raise InvalidValueException(detail=f"{where} may not contain a NUL character (U+0000)")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


BodyDep = Annotated[Any, Depends(scim_body)]


def dump(resource: Any, ctx: Context, params: Any = None) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=ctx, response_parameters=params, mode="json")  # type: ignore[no-any-return]


def list_response(
    model: Any, total: int, start: int, resources: list[Any], request: Any
) -> Response:
    listing = ListResponse[model](  # type: ignore[valid-type]
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=resources or None,
    )
    body = dump(listing, Context.SEARCH_RESPONSE, request)
    body.setdefault("Resources", [])
    return scim_response(body)


def search_params(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="the body must be a SearchRequest object")
    return body
