"""SCIM Groups routes: named groups of an org's users (they grant nothing)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request, Response
from scim2_models import Context, Group, SearchRequest

from tenantree.scim import groups
from tenantree.scim.http import (
    RESPONSE_PARAMETERS,
    BodyDep,
    ScimOrg,
    ScimOrgDep,
    dump,
    list_response,
    scim_response,
    scim_router,
    search_params,
)
from tenantree.scim.resources import validate

router = scim_router()


def _group_response(target: ScimOrg, group: Any, status: int = 200) -> Response:
    resource = groups.to_group(target.session, group, target.base_url)
    ctx = Context.RESOURCE_CREATION_RESPONSE if status == 201 else Context.RESOURCE_QUERY_RESPONSE
    headers = {"ETag": resource.meta.version} if resource.meta and resource.meta.version else {}
    if status == 201 and resource.meta and resource.meta.location:
        headers["Location"] = str(resource.meta.location)
    return scim_response(dump(resource, ctx), status, headers)


@router.get("/Groups")
def list_groups(request: Request, target: ScimOrgDep) -> Response:
    total, start, found, search = groups.search_groups(
        target.session, target.org, dict(request.query_params), base_url=target.base_url
    )
    return list_response(Group, total, start, found, search)


@router.post("/Groups")
def create_group(body: BodyDep, target: ScimOrgDep) -> Response:
    group = groups.create_group(target.session, target.trail, target.org, body)
    return _group_response(target, group, 201)


@router.get("/Groups/{group_id}")
def get_group(group_id: str, request: Request, target: ScimOrgDep) -> Response:
    group = groups.get_group(target.session, target.org, group_id)
    resource = groups.to_group(target.session, group, target.base_url)
    params = validate(
        SearchRequest[Group],
        {k: v for k, v in request.query_params.items() if k in RESPONSE_PARAMETERS},
        Context.SEARCH_REQUEST,
    )
    headers = {"ETag": resource.meta.version} if resource.meta and resource.meta.version else {}
    return scim_response(dump(resource, Context.RESOURCE_QUERY_RESPONSE, params), 200, headers)


@router.put("/Groups/{group_id}")
def replace_group(
    group_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    group = target.write(groups.replace_group, group_id, body, if_match)
    return _group_response(target, group)


@router.patch("/Groups/{group_id}")
def patch_group(
    group_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    group = target.write(groups.patch_group, group_id, body, if_match)
    return _group_response(target, group)


@router.delete("/Groups/{group_id}")
def delete_group(group_id: str, target: ScimOrgDep) -> Response:
    groups.delete_group(target.session, target.trail, target.org, group_id)
    return Response(status_code=204)


@router.post("/Groups/.search")
def search_groups(body: BodyDep, target: ScimOrgDep) -> Response:
    total, start, found, search = groups.search_groups(
        target.session, target.org, search_params(body), base_url=target.base_url
    )
    return list_response(Group, total, start, found, search)
