"""SCIM Groups of one org: named groups of its users, for its identity provider.

Groups grant nothing: roles live on the directory entry (a User's `roles`).
Members must be Users of the same org; anything else is an invalid value.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    Group,
    GroupMember,
    InvalidValueException,
    Meta,
    NotFoundException,
    PatchOp,
    SearchRequest,
    UniquenessException,
)
from sqlalchemy import delete, select, true
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.identity.integration_models import ScimGroup, ScimGroupMember
from tenantree.orgs.models import Org
from tenantree.scim.resources import (
    MAX_RESULTS,
    check_version,
    etag_of,
    scim_validation_error,
    validate,
)
from tenantree.scim.user_entries import entries


def _members(session: Session, group: ScimGroup) -> list[ScimGroupMember]:
    return sorted(
        session.scalars(select(ScimGroupMember).where(ScimGroupMember.group_id == group.id)),
        key=lambda m: str(m.membership_id),
    )


def _member_ids(session: Session, group: ScimGroup) -> list[uuid.UUID]:
    return [m.membership_id for m in _members(session, group)]


def to_group(session: Session, group: ScimGroup, base_url: str) -> Group:
    members = [
        GroupMember(
            value=str(m.membership_id),
            type="User",
            ref=f"{base_url}/Users/{m.membership_id}",
            display=m.display,
        )
        for m in _members(session, group)
    ]
    resource = Group(
        id=str(group.id),
        external_id=group.external_id,
        display_name=group.display_name,
        members=members or None,
    )
    content = json.dumps(resource.model_dump(scim_ctx=Context.DEFAULT, mode="json"), sort_keys=True)
    resource.meta = Meta(
        resource_type="Group",
        created=group.created_at,
        last_modified=group.updated_at,
        location=f"{base_url}/Groups/{group.id}",
        version=etag_of(content),
    )
    return resource


def get_group(session: Session, org: Org, group_id: str) -> ScimGroup:
    try:
        key = uuid.UUID(group_id)
    except ValueError:
        raise NotFoundException(detail="no such Group") from None
    group = session.get(ScimGroup, key)
    if group is None or group.org_id != org.id:
        raise NotFoundException(detail="no such Group")
    return group


def _check_unique(session: Session, org: Org, name: str, exclude: uuid.UUID | None) -> None:
    clash = session.scalar(
        select(ScimGroup.id).where(
            ScimGroup.org_id == org.id,
            ScimGroup.display_name_key == name.casefold(),
            ScimGroup.id != exclude if exclude else true(),
        )
    )
    if clash is not None:
        raise UniquenessException(detail="displayName is already taken in this org")


def _write(session: Session, org: Org, group: ScimGroup, wanted: Group) -> dict[str, Any]:
    name = wanted.display_name or ""
    if not name.strip():
        raise InvalidValueException(detail="displayName is required")
    _check_unique(session, org, name, group.id)
    users = {str(e.membership.id) for e in entries(session, org)}
    member_ids: dict[uuid.UUID, str | None] = {}
    for member in wanted.members or []:
        if member.value not in users:
            raise InvalidValueException(detail=f"members: {member.value} is no User of this org")
        member_ids[uuid.UUID(member.value)] = member.display
    before = {
        "displayName": group.display_name,
        "members": [str(m) for m in _member_ids(session, group)],
    }
    group.display_name = name
    group.display_name_key = name.casefold()
    group.external_id = wanted.external_id
    group.updated_at = clock.utcnow()
    session.flush()
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    for membership_id, display in member_ids.items():
        session.add(
            ScimGroupMember(group_id=group.id, membership_id=membership_id, display=display)
        )
    session.flush()
    return before


def create_group(session: Session, trail: AuditTrail, org: Org, payload: Any) -> ScimGroup:
    wanted: Group = validate(Group, payload, Context.RESOURCE_CREATION_REQUEST)
    name = wanted.display_name or ""
    if not name.strip():
        raise InvalidValueException(detail="displayName is required")
    _check_unique(session, org, name, None)
    group = ScimGroup(org_id=org.id, display_name=name, display_name_key=name.casefold())
    session.add(group)
    session.flush()
    _write(session, org, group, wanted)
    trail.record(
        AuditAction.SCIM_GROUP_CREATED,
        org_id=org.id,
        target_type="scim_group",
        target_id=group.id,
        display_name=group.display_name,
    )
    return group


def _changed(session: Session, trail: AuditTrail, org: Org, group: ScimGroup, before: Any) -> None:
    trail.record(
        AuditAction.SCIM_GROUP_UPDATED,
        org_id=org.id,
        target_type="scim_group",
        target_id=group.id,
        before=before,
        after={
            "displayName": group.display_name,
            "members": [str(m) for m in _member_ids(session, group)],
        },
    )


def replace_group(
    session: Session,
    trail: AuditTrail,
    org: Org,
    group_id: str,
    payload: Any,
    *,
    base_url: str,
    if_match: str | None,
) -> ScimGroup:
    group = get_group(session, org, group_id)
    check_version(to_group(session, group, base_url), if_match)
    wanted: Group = validate(Group, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    _changed(session, trail, org, group, _write(session, org, group, wanted))
    return group


def patch_group(
    session: Session,
    trail: AuditTrail,
    org: Org,
    group_id: str,
    payload: Any,
    *,
    base_url: str,
    if_match: str | None,
) -> ScimGroup:
    group = get_group(session, org, group_id)
    current = to_group(session, group, base_url)
    check_version(current, if_match)
    patch = validate(PatchOp[Group], payload, Context.RESOURCE_PATCH_REQUEST)
    try:
        changed = patch.patch(current)
    except ValidationError as exc:
        raise scim_validation_error(exc) from exc
    if changed:
        _changed(session, trail, org, group, _write(session, org, group, current))
    return group


def delete_group(session: Session, trail: AuditTrail, org: Org, group_id: str) -> None:
    group = get_group(session, org, group_id)
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    session.delete(group)
    session.flush()
    trail.record(
        AuditAction.SCIM_GROUP_DELETED,
        org_id=org.id,
        target_type="scim_group",
        target_id=group.id,
        display_name=group.display_name,
    )


def search_groups(
    session: Session, org: Org, params: dict[str, Any], *, base_url: str
) -> tuple[int, int, list[Group], Any]:
    request = validate(SearchRequest[Group], params, Context.SEARCH_REQUEST)
    rows = session.scalars(
        select(ScimGroup).where(ScimGroup.org_id == org.id).order_by(ScimGroup.created_at)
    )
    found = [to_group(session, g, base_url) for g in rows]
    if request.filter is not None:
        found = [g for g in found if request.filter.match(g)]
    start = request.start_index_0 or 0
    count = MAX_RESULTS if request.count is None else min(request.count, MAX_RESULTS)
    return len(found), start + 1, found[start : start + count], request
