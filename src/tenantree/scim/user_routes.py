"""SCIM Users routes: an org's directory entries, provisioned by its identity provider."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request, Response
from scim2_models import Context, SearchRequest, User

from tenantree.scim import user_entries, users
from tenantree.scim.http import (
    BodyDep,
    ScimOrg,
    ScimOrgDep,
    dump,
    list_response,
    scim_response,
    scim_router,
    search_params,
)
from tenantree.scim.resources import check_version, validate

router = scim_router()


def _user_response(target: ScimOrg, entry: user_entries.Entry, status: int = 200) -> Response:
    user = user_entries.to_user(entry, target.base_url)
    ctx = Context.RESOURCE_CREATION_RESPONSE if status == 201 else Context.RESOURCE_QUERY_RESPONSE
    headers = {"ETag": user.meta.version} if user.meta and user.meta.version else {}
    if status == 201 and user.meta and user.meta.location:
        headers["Location"] = str(user.meta.location)
    return scim_response(dump(user, ctx), status, headers)


@router.get("/Users")
def list_users(request: Request, target: ScimOrgDep) -> Response:
    listing = user_entries.search_users(
        target.session, target.org, dict(request.query_params), base_url=target.base_url
    )
    return list_response(User, listing.total, listing.start_index, listing.users, listing.request)


@router.post("/Users")
def create_user(body: BodyDep, target: ScimOrgDep) -> Response:
    entry = users.create_user(target.session, target.trail, target.identity, target.org, body)
    return _user_response(target, entry, 201)


@router.get("/Users/{user_id}")
def get_user(user_id: str, request: Request, target: ScimOrgDep) -> Response:
    entry = user_entries.get_entry(target.session, target.org, user_id)
    user = user_entries.to_user(entry, target.base_url)
    params = validate(
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
    return scim_response(dump(user, Context.RESOURCE_QUERY_RESPONSE, params), 200, headers)


@router.put("/Users/{user_id}")
def replace_user(
    user_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    entry = target.write(users.replace_user, user_id, body, if_match)
    return _user_response(target, entry)


@router.patch("/Users/{user_id}")
def patch_user(
    user_id: str,
    body: BodyDep,
    target: ScimOrgDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    entry = target.write(users.patch_user, user_id, body, if_match)
    return _user_response(target, entry)


@router.delete("/Users/{user_id}")
def delete_user(
    user_id: str, target: ScimOrgDep, if_match: Annotated[str | None, Header()] = None
) -> Response:
    entry = user_entries.get_entry(target.session, target.org, user_id)
    check_version(user_entries.to_user(entry, target.base_url), if_match)
    users.delete_user(target.session, target.trail, target.org, user_id)
    return Response(status_code=204)


@router.post("/Users/.search")
def search_users(body: BodyDep, target: ScimOrgDep) -> Response:
    listing = user_entries.search_users(
        target.session, target.org, search_params(body), base_url=target.base_url
    )
    return list_response(User, listing.total, listing.start_index, listing.users, listing.request)
