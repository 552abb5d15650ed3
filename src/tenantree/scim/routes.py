"""The SCIM 2.0 endpoint of each org: /scim/v2/orgs/{org_id}/...

Authenticated by a SCIM token of that very org (any other token, or one of
another org, is a 401). Errors are SCIM Error messages with `scimType`.
These routes are described by /Schemas and /ResourceTypes rather than by the
OpenAPI document.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from scim2_models import (
    Context,
    ForbiddenException,
    Group,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    ResourceType,
    Schema,
    SCIMException,
    SearchRequest,
    UnauthorizedException,
    User,
)
from sqlalchemy.orm import Session

from tenantree.audit.service import AuditTrail
from tenantree.identity.scim_tokens import scim_token_for_org
from tenantree.orgs.models import Org, OrgStatus
from tenantree.scim import discovery, groups, users
from tenantree.web.caller import client_address, request_id
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep, UnitOfWorkRoute

MEDIA_TYPE = "application/scim+json"
_RESPONSE_PARAMETERS = ("attributes", "excludedAttributes")


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_response(exc: SCIMException) -> Response:
    body = exc.to_error().model_dump(scim_ctx=Context.DEFAULT, mode="json", exclude_none=True)
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if exc.status == 401 else None
    return scim_response(body, exc.status, headers)


class ScimRoute(UnitOfWorkRoute):
    """Answers SCIM exceptions, from the route or its dependencies, as SCIM errors
    (after its unit of work has rolled back)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SCIMException as exc:
                return error_response(exc)

        return scim_handler


router = APIRouter(prefix="/scim/v2/orgs/{org_id}", route_class=ScimRoute, include_in_schema=False)


class ScimOrg:
    def __init__(self, org: Org, session: Session, trail: AuditTrail, base_url: str):
        self.org = org
        self.session = session
        self.trail = trail
        self.base_url = base_url


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
    org = session.get(Org, org_uuid)
    if org is None:
        raise UnauthorizedException(detail="the SCIM token is not valid for this org")
    if org.status != OrgStatus.ACTIVE:
        raise ForbiddenException(detail="this org is deactivated")
    trail = AuditTrail(session, token.id, org.id, request_id(request), client_address(request))
    base_url = f"{services.identity.public_base_url}/scim/v2/orgs/{org.id}"
    return ScimOrg(org, session, trail, base_url)


ScimOrgDep = Annotated[ScimOrg, Depends(scim_org)]


async def scim_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidSyntaxException(detail="the body is not valid JSON") from None


BodyDep = Annotated[Any, Depends(scim_body)]


def _dump(resource: Any, ctx: Context, params: Any = None) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=ctx, response_parameters=params, mode="json")  # type: ignore[no-any-return]


def _user_response(target: ScimOrg, entry: users.Entry, status: int = 200) -> Response:
    user = users.to_user(entry, target.base_url)
    ctx = Context.RESOURCE_CREATION_RESPONSE if status == 201 else Context.RESOURCE_QUERY_RESPONSE
    headers = {"ETag": user.meta.version} if user.meta and user.meta.version else {}
    if status == 201 and user.meta and user.meta.location:
        headers["Location"] = str(user.meta.location)
    return scim_response(_dump(user, ctx), status, headers)


def _list_response(
    model: Any, total: int, start: int, resources: list[Any], request: Any
) -> Response:
    listing = ListResponse[model](  # type: ignore[valid-type]
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=resources or None,
    )
    body = _dump(listing, Context.SEARCH_RESPONSE, request)
    body.setdefault("Resources", [])
    return scim_response(body)


# ---- discovery -------------------------------------------------------------


@router.get("/ServiceProviderConfig")
def get_service_provider_config(target: ScimOrgDep) -> Response:
    config = discovery.service_provider_config(target.base_url)
    return scim_response(_dump(config, Context.RESOURCE_QUERY_RESPONSE))


@router.get("/ResourceTypes")
def list_resource_types(target: ScimOrgDep) -> Response:
    found = discovery.resource_types(target.base_url)
    return _list_response(ResourceType, len(found), 1, found, None)


@router.get("/ResourceTypes/{item_id}")
def get_resource_type(item_id: str, target: ScimOrgDep) -> Response:
    found = discovery.find(discovery.resource_types(target.base_url), item_id)
    return scim_response(_dump(found, Context.RESOURCE_QUERY_RESPONSE))


@router.get("/Schemas")
def list_schemas(target: ScimOrgDep) -> Response:
    found = discovery.schemas(target.base_url)
    return _list_response(Schema, len(found), 1, found, None)


@router.get("/Schemas/{item_id}")
def get_schema(item_id: str, target: ScimOrgDep) -> Response:
    found = discovery.find(discovery.schemas(target.base_url), item_id)
    return scim_response(_dump(found, Context.RESOURCE_QUERY_RESPONSE))


# ---- Users -----------------------------------------------------------------


@router.get("/Users")
def list_users(request: Request, target: ScimOrgDep) -> Response:
    listing = users.search_users(
        target.session, target.org, dict(request.query_params), base_url=target.base_url
    )
    return _list_response(User, listing.total, listing.start_index, listing.users, listing.request)


@router.post("/Users")
def create_user(body: BodyDep, target: ScimOrgDep) -> Response:
    entry = users.create_user(target.session, target.trail, target.org, body)
    return _user_response(target, entry, 201)


@router.get("/Users/{user_id}")
def get_user(user_id: str, request: Request, target: ScimOrgDep) -> Response:
    entry = users.get_entry(target.session, target.org, user_id)
    user = users.to_user(entry, target.base_url)
    params = users.validate(
        SearchRequest[User],
        {
            k: v
            for k, v in request.query_params.items()
            if k in ("attributes", "excludedAttributes")
        },
        Context.SEARCH_REQUEST,
    )
    headers = {"ETag": user.meta.version} if user.meta and user.meta.version else {}
    if request.headers.get("if-none-match") == headers.get("ETag"):
        return Response(status_code=304, headers=headers)
    return scim_response(_dump(user, Context.RESOURCE_QUERY_RESPONSE, params), 200, headers)


@router.put("/Users/{user_id}")
def replace_user(
    user_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    entry = users.replace_user(
        target.session,
        target.trail,
        target.org,
        user_id,
        body,
        base_url=target.base_url,
        if_match=if_match,
    )
    return _user_response(target, entry)


@router.patch("/Users/{user_id}")
def patch_user(
    user_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    entry = users.patch_user(
        target.session,
        target.trail,
        target.org,
        user_id,
        body,
        base_url=target.base_url,
        if_match=if_match,
    )
    return _user_response(target, entry)


@router.delete("/Users/{user_id}")
def delete_user(
    user_id: str, target: ScimOrgDep, if_match: Annotated[str | None, Header()] = None
) -> Response:
    entry = users.get_entry(target.session, target.org, user_id)
    users.check_version(users.to_user(entry, target.base_url), if_match)
    users.delete_user(target.session, target.trail, target.org, user_id)
    return Response(status_code=204)


# ---- Groups: named groups of users (they grant nothing) ---------------------


def _group_response(target: ScimOrg, group: Any, status: int = 200) -> Response:
    resource = groups.to_group(target.session, group, target.base_url)
    ctx = Context.RESOURCE_CREATION_RESPONSE if status == 201 else Context.RESOURCE_QUERY_RESPONSE
    headers = {"ETag": resource.meta.version} if resource.meta and resource.meta.version else {}
    if status == 201 and resource.meta and resource.meta.location:
        headers["Location"] = str(resource.meta.location)
    return scim_response(_dump(resource, ctx), status, headers)


@router.get("/Groups")
def list_groups(request: Request, target: ScimOrgDep) -> Response:
    total, start, found, search = groups.search_groups(
        target.session, target.org, dict(request.query_params), base_url=target.base_url
    )
    return _list_response(Group, total, start, found, search)


@router.post("/Groups")
def create_group(body: BodyDep, target: ScimOrgDep) -> Response:
    group = groups.create_group(target.session, target.trail, target.org, body)
    return _group_response(target, group, 201)


@router.get("/Groups/{group_id}")
def get_group(group_id: str, request: Request, target: ScimOrgDep) -> Response:
    group = groups.get_group(target.session, target.org, group_id)
    resource = groups.to_group(target.session, group, target.base_url)
    params = users.validate(
        SearchRequest[Group],
        {k: v for k, v in request.query_params.items() if k in _RESPONSE_PARAMETERS},
        Context.SEARCH_REQUEST,
    )
    headers = {"ETag": resource.meta.version} if resource.meta and resource.meta.version else {}
    return scim_response(_dump(resource, Context.RESOURCE_QUERY_RESPONSE, params), 200, headers)


@router.put("/Groups/{group_id}")
def replace_group(
    group_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    group = groups.replace_group(
        target.session,
        target.trail,
        target.org,
        group_id,
        body,
        base_url=target.base_url,
        if_match=if_match,
    )
    return _group_response(target, group)


@router.patch("/Groups/{group_id}")
def patch_group(
    group_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    group = groups.patch_group(
        target.session,
        target.trail,
        target.org,
        group_id,
        body,
        base_url=target.base_url,
        if_match=if_match,
    )
    return _group_response(target, group)


@router.delete("/Groups/{group_id}")
def delete_group(group_id: str, target: ScimOrgDep) -> Response:
    groups.delete_group(target.session, target.trail, target.org, group_id)
    return Response(status_code=204)


# ---- searching by POST (RFC 7644 §3.4.3) -------------------------------------


def _search_params(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="the body must be a SearchRequest object")
    return body


@router.post("/Users/.search")
def search_users(body: BodyDep, target: ScimOrgDep) -> Response:
    listing = users.search_users(
        target.session, target.org, _search_params(body), base_url=target.base_url
    )
    return _list_response(User, listing.total, listing.start_index, listing.users, listing.request)


@router.post("/Groups/.search")
def search_groups(body: BodyDep, target: ScimOrgDep) -> Response:
    total, start, found, search = groups.search_groups(
        target.session, target.org, _search_params(body), base_url=target.base_url
    )
    return _list_response(Group, total, start, found, search)


@router.post("/.search")
def search_all(body: BodyDep, target: ScimOrgDep) -> Response:
    """Users and Groups at once; a filter on attributes one type lacks excludes that type."""
    params = _search_params(body)
    unpaged = {k: v for k, v in params.items() if k not in ("startIndex", "count")}
    found_users = users.search_users(target.session, target.org, unpaged, base_url=target.base_url)
    _, _, found_groups, _ = groups.search_groups(
        target.session, target.org, unpaged, base_url=target.base_url
    )
    paging = users.validate(
        SearchRequest[User],
        {k: v for k, v in params.items() if k in ("startIndex", "count")},
        Context.SEARCH_REQUEST,
    )
    everything: list[Any] = [*found_users.users, *found_groups]
    start = paging.start_index_0 or 0
    count = users.MAX_RESULTS if paging.count is None else min(paging.count, users.MAX_RESULTS)
    page = everything[start : start + count]
    listing = ListResponse[User | Group](  # type: ignore[valid-type]
        total_results=len(everything),
        start_index=start + 1,
        items_per_page=len(page),
        resources=page or None,
    )
    body_out = _dump(listing, Context.SEARCH_RESPONSE, found_users.request)
    body_out.setdefault("Resources", [])
    return scim_response(body_out)


# ---- anything else ------------------------------------------------------------

_ENDPOINTS = {"serviceproviderconfig", "resourcetypes", "schemas", "users", "groups", ".search"}


class MethodNotAllowed(SCIMException):
    status = 405
    _default_detail = "this endpoint does not support that method"


@router.api_route("/{anything:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(anything: str, target: ScimOrgDep) -> Response:
    if anything.split("/")[0].casefold() in _ENDPOINTS:
        raise MethodNotAllowed()
    raise NotFoundException(detail=f"no such SCIM endpoint: /{anything}")
