"""An org's directory entries as SCIM Users: reading, representing, searching.

API tokens' service accounts are entries too, but never SCIM Users.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from scim2_models import Context, Meta, NotFoundException, SearchRequest, User
from scim2_models import Role as ScimRole
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tenantree.identity.integration_models import ApiToken, ScimProfile
from tenantree.identity.models import Membership, MemberStatus
from tenantree.orgs.models import Org
from tenantree.scim.resources import MAX_RESULTS, etag_of, validate


@dataclass
class Entry:
    membership: Membership
    profile: ScimProfile | None


def entries(session: Session, org: Org, membership_id: uuid.UUID | None = None) -> list[Entry]:
    query = (
        select(Membership, ScimProfile)
        .outerjoin(ScimProfile, ScimProfile.membership_id == Membership.id)
        .where(
            Membership.org_id == org.id,
            ~exists().where(ApiToken.account_id == Membership.account_id),
        )
        .order_by(Membership.created_at, Membership.id)
    )
    if membership_id is not None:
        query = query.where(Membership.id == membership_id)
    return [Entry(m, p) for m, p in session.execute(query).all()]


def get_entry(session: Session, org: Org, user_id: str) -> Entry:
    try:
        membership_id = uuid.UUID(user_id)
    except ValueError:
        raise NotFoundException(detail="no such User") from None
    found = entries(session, org, membership_id)
    if not found:
        raise NotFoundException(detail="no such User")
    return found[0]


def base_resource(entry: Entry) -> dict[str, Any]:
    if entry.profile is not None:
        return dict(entry.profile.resource)
    account = entry.membership.account
    resource: dict[str, Any] = {
        "userName": account.email,
        "emails": [{"value": account.email, "primary": True}],
    }
    if account.display_name:
        resource["displayName"] = account.display_name
    return resource


def to_user(entry: Entry, base_url: str) -> User:
    membership = entry.membership
    user = User.model_validate(base_resource(entry))
    user.id = str(membership.id)
    user.external_id = membership.external_id
    active = membership.status == MemberStatus.ACTIVE
    # Shown when the provider set it, or whenever the entry is suspended.
    said = entry.profile is None or "active" in entry.profile.resource
    user.active = active if (said or not active) else None
    if entry.profile is None:
        user.roles = [ScimRole(value=membership.role, primary=True)]
    dumped = user.model_dump(scim_ctx=Context.DEFAULT, mode="json")
    # The entry's role and status change the version even when set outside SCIM.
    content = json.dumps([dumped, membership.role, membership.status], sort_keys=True)
    last_modified = membership.updated_at
    if entry.profile is not None and entry.profile.updated_at > last_modified:
        last_modified = entry.profile.updated_at
    user.meta = Meta(
        resource_type="User",
        created=membership.created_at,
        last_modified=last_modified,
        location=f"{base_url}/Users/{membership.id}",
        version=etag_of(content),
    )
    return user


@dataclass
class Listing:
    total: int
    start_index: int
    users: list[User]
    request: SearchRequest  # type: ignore[type-arg]


def search_users(session: Session, org: Org, params: dict[str, Any], *, base_url: str) -> Listing:
    request = validate(SearchRequest[User], params, Context.SEARCH_REQUEST)
    users = [to_user(entry, base_url) for entry in entries(session, org)]
    if request.filter is not None:
        users = [u for u in users if request.filter.match(u)]
    start = request.start_index_0 or 0
    count = MAX_RESULTS if request.count is None else min(request.count, MAX_RESULTS)
    return Listing(len(users), start + 1, users[start : start + count], request)
