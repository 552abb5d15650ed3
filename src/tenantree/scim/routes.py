"""The SCIM 2.0 endpoint of each org: /scim/v2/orgs/{org_id}/...

Authenticated by a SCIM token of that very org (any other token, or one of
another org, is a 401). Errors are SCIM Error messages with `scimType`.
These routes are described by /Schemas and /ResourceTypes rather than by the
OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from scim2_models import (
    Context,
    Group,
    ListResponse,
    NotFoundException,
    ResourceType,
    Schema,
    SCIMException,
    SearchRequest,
    User,
)

from tenantree.scim import discovery, group_routes, groups, user_entries, user_routes
from tenantree.scim.http import (
    ORG_ENDPOINT,
    BodyDep,
    ScimOrgDep,
    dump,
    list_response,
    scim_response,
    scim_router,
    search_params,
)
from tenantree.scim.resources import MAX_RESULTS, validate

router = scim_router(ORG_ENDPOINT)


# ---- discovery -------------------------------------------------------------


@router.get("/ServiceProviderConfig")
def get_service_provider_config(target: ScimOrgDep) -> Response:
    config = discovery.service_provider_config(target.base_url)
    return scim_response(dump(config, Context.RESOURCE_QUERY_RESPONSE))


@router.get("/ResourceTypes")
def list_resource_types(target: ScimOrgDep) -> Response:
    found = discovery.resource_types(target.base_url)
    return list_response(ResourceType, len(found), 1, found, None)


@router.get("/ResourceTypes/{item_id}")
def get_resource_type(item_id: str, target: ScimOrgDep) -> Response:
    found = discovery.find(discovery.resource_types(target.base_url), item_id)
    return scim_response(dump(found, Context.RESOURCE_QUERY_RESPONSE))


@router.get("/Schemas")
def list_schemas(target: ScimOrgDep) -> Response:
    found = discovery.schemas(target.base_url)
    return list_response(Schema, len(found), 1, found, None)


@router.get("/Schemas/{item_id}")
def get_schema(item_id: str, target: ScimOrgDep) -> Response:
    found = discovery.find(discovery.schemas(target.base_url), item_id)
    return scim_response(dump(found, Context.RESOURCE_QUERY_RESPONSE))


# ---- Users and Groups (before the catch-all below) --------------------------

router.include_router(user_routes.router)
router.include_router(group_routes.router)


@router.post("/.search")
def search_all(body: BodyDep, target: ScimOrgDep) -> Response:
    """Users and Groups at once; a filter on attributes one type lacks excludes that type."""
    params = search_params(body)
    unpaged = {k: v for k, v in params.items() if k not in ("startIndex", "count")}
    found_users = user_entries.search_users(
        target.session, target.org, unpaged, base_url=target.base_url
    )
    _, _, found_groups, _ = groups.search_groups(
        target.session, target.org, unpaged, base_url=target.base_url
    )
    paging = validate(
        SearchRequest[User],
        {k: v for k, v in params.items() if k in ("startIndex", "count")},
        Context.SEARCH_REQUEST,
    )
    everything: list[Any] = [*found_users.users, *found_groups]
    start = paging.start_index_0 or 0
    count = MAX_RESULTS if paging.count is None else min(paging.count, MAX_RESULTS)
    page = everything[start : start + count]
    listing = ListResponse[User | Group](  # type: ignore[valid-type]
        total_results=len(everything),
        start_index=start + 1,
        items_per_page=len(page),
        resources=page or None,
    )
    body_out = dump(listing, Context.SEARCH_RESPONSE, found_users.request)
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
