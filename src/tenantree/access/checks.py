"""Access checks: what one user may do in one org, and why, told to a caller.

The policy decides (`explain`, the same rule as `decide`); this loads the
facts and chooses the names, so an answer never names an org or a person the
caller could not see: a partner the caller cannot see is "its partner", and a
partner user outside the caller's sight is "a partner user".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.access.explain import Explanation, explain
from tenantree.access.facts import LoadedOrg, entry_fact, load_actor, load_org
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    api_token_actor,
    decide,
    partner_access_along,
    paths,
    staff_path,
)
from tenantree.access.token_creators import creator_actor
from tenantree.identity.errors import UserNotFound
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.models import Account, Membership
from tenantree.orgs.kinds import OrgStatus
from tenantree.orgs.models import Org


@dataclass(frozen=True)
class AccessCheck:
    org: Org
    # The directory entry asked about (None: an account with no entry in reach).
    user_id: uuid.UUID | None
    explanation: Explanation
    sentence: str
    # The org the deciding path went through, when the caller may see it.
    via_org_id: uuid.UUID | None


def subject_of(session: Session, loaded: LoadedOrg, user_id: uuid.UUID) -> Membership:
    """An entry of the org's directory, or of the staff of its partner (or of a
    distributor above it) who reach it.

    Partner staff whose access window closed count too, so the answer can
    say when it ended. Anyone else is "no such user", exactly like an unknown id.
    """
    membership = session.get(Membership, user_id)
    if membership is not None:
        if membership.org_id == loaded.org.id:
            return membership
        if membership.org_id in _ancestors(loaded):
            partner = session.get(Org, membership.org_id)
            active = partner is not None and partner.status == OrgStatus.ACTIVE
            fact = entry_fact(membership, active)
            if (
                staff_path(loaded.facts, fact) is not None
                or partner_access_along(loaded.facts, fact)[0]
            ):
                return membership
    raise UserNotFound("no such user in this org", field="user_id")


def _ancestors(loaded: LoadedOrg) -> list[uuid.UUID]:
    """The orgs whose staff may reach it as partners: its parent and, for a
    tier-2 partner's customer, the distributor above."""
    facts = loaded.facts
    found = [facts.parent_id] if facts.parent_id else []
    if facts.parent is not None and facts.parent.parent_id is not None:
        found.append(facts.parent.parent_id)
    return found


def _sees(
    caller: Actor | None, session: Session, org_id: uuid.UUID, permission: Permission | None
) -> bool:
    if caller is None:
        return True  # the local command line sees everything
    loaded = load_org(session, org_id)
    if loaded is None:
        return False
    if permission is None:
        return bool(paths(caller, loaded.facts))
    return decide(caller, permission, loaded.facts).allowed


def check_access(
    session: Session,
    caller: Actor | None,
    loaded: LoadedOrg,
    user_id: uuid.UUID,
    permissions: list[Permission],
) -> list[AccessCheck]:
    """What the user may do in the org for each permission, and why, worded
    for `caller` (None: the local command line, which sees every name).

    The caller must already be authorized to read the org's users.
    """
    user = subject_of(session, loaded, user_id)
    account = session.get(Account, user.account_id)
    assert account is not None
    return _checks(session, caller, loaded, account, user, permissions)


def check_account(
    session: Session, loaded: LoadedOrg, account: Account, permissions: list[Permission]
) -> list[AccessCheck]:
    """The same for an account, from the local command line (it sees every name)."""
    user = session.scalar(
        select(Membership)
        .where(
            Membership.account_id == account.id,
            Membership.org_id.in_([i for i in (loaded.org.id, loaded.org.parent_id) if i]),
        )
        .order_by(Membership.org_id != loaded.org.id)
    )
    return _checks(session, None, loaded, account, user, permissions)


def _checks(
    session: Session,
    caller: Actor | None,
    loaded: LoadedOrg,
    account: Account,
    user: Membership | None,
    permissions: list[Permission],
) -> list[AccessCheck]:
    subject = load_actor(session, account)
    token = session.scalar(select(ApiToken).where(ApiToken.account_id == account.id))
    if token is not None:
        # An API token's service account: it acts as the token does.
        subject = api_token_actor(token.org_id, subject, creator_actor(session, token))
    org = loaded.org
    in_sight = user is None or user.org_id == org.id
    if in_sight or _sees(caller, session, user.org_id, Permission.ORG_USERS_READ):
        who = account.email
    else:
        who = "a partner user"
    names = {org.id: org.name}
    # Partner access comes through the org's parent, or a distributor above it.
    for ancestor_id in _ancestors(loaded):
        if _sees(caller, session, ancestor_id, None):
            ancestor = session.get(Org, ancestor_id)
            if ancestor is not None:
                names[ancestor.id] = ancestor.name
    checks = []
    for permission in permissions:
        explanation = explain(subject, permission, loaded.facts)
        via = explanation.path.via_org_id if explanation.path else None
        sentence = explanation.sentence(who=who, org_name=org.name, names=names)
        checks.append(
            AccessCheck(
                org,
                None if user is None else user.id,
                explanation,
                sentence,
                via if via in names else None,
            )
        )
    return checks
