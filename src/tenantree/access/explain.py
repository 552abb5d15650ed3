"""Decisions that explain themselves: why the policy allowed or refused.

`explain` answers exactly what `policy.decide` answers (tests pin the two
together) from the same reach computation (`policy.reaches`), and adds the
rule that settled it and every path it weighed. It is the slow, allocating
presentation of the one rule, for people (the access-check route, the CLI,
the console's "Why?" panel); `decide` stays the hot path and builds nothing.

The explanation holds ids only. `Explanation.sentence` words it from names
the caller supplies, and an org whose name is not supplied is described by
its relation ("the partner"), so a caller never learns a name it may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    CREATOR_LACKS,
    Actor,
    Block,
    OrgFacts,
    Reach,
    decide,
    partner_access_along,
    reaches,
)
from tenantree.identity.roles import Role


class PathKind(StrEnum):
    OPERATOR = "operator"
    MEMBER = "member"
    PARTNER = "partner"


class Rule(StrEnum):
    """The rule that settled a decision."""

    OPERATOR = "operator"  # operators may do everything everywhere
    ROLE_GRANTS = "role_grants"  # an open path's role grants the permission
    ROLE_LACKS = "role_lacks"  # open paths exist; none grants it
    BLOCKED = "blocked"  # every path is blocked (see `block`)
    NO_PATH = "no_path"  # no path at all: the org is invisible
    CREATOR_LACKS = "creator_lacks"  # a token's creator may not do it (now)


@dataclass(frozen=True)
class PathStep:
    """One way the actor reaches the org."""

    kind: PathKind
    via_org_id: uuid.UUID | None
    role: Role | None
    is_primary_admin: bool
    block: Block | None
    grants: bool  # does this path's role grant the permission asked?
    # When a partner path's access closes (None: no end): the first end of the
    # windows along its way down, the one that binds.
    until: datetime | None = None
    # The org whose window that end is: the org itself, or (reached from a
    # distributor) the tier-2 partner it is reached through.
    until_org_id: uuid.UUID | None = None
    # A partner path from a level above the org's partner (a distributor's staff).
    from_above: bool = False


@dataclass(frozen=True)
class Explanation:
    permission: Permission
    org_id: uuid.UUID
    allowed: bool
    visible: bool
    rule: Rule
    # The path that settled it: the one that allowed, else the open one that
    # lacked the permission, else the blocked one whose block is reported.
    path: PathStep | None
    block: Block | None
    denial_code: str | None
    paths: tuple[PathStep, ...]
    # The org refuses its customer's own access, but the deciding path is a
    # partner's, which that refusal does not concern.
    refusal_not_applied: bool = False
    # The actor's partner access window into the org closed at this time.
    ended_at: datetime | None = None
    # The org whose window closed then (the org itself, or the tier-2 partner above it).
    ended_org_id: uuid.UUID | None = None

    def sentence(
        self,
        *,
        who: str,
        org_name: str,
        names: Mapping[uuid.UUID, str],
    ) -> str:
        """The decision in one sentence, naming only the orgs in `names`
        (the org itself is `org_name`; the caller has it in hand)."""
        perm = f"'{self.permission.value}'"
        if self.rule == Rule.NO_PATH:
            ended = (
                ""
                if self.ended_at is None
                else f"; their partner access ended at {_when(self.ended_at)}"
                + self._closed(org_name, names)
            )
            return (
                f"{who} has no way into {org_name}{ended}, so may not {perm} there (not visible)."
            )
        if self.rule == Rule.OPERATOR:
            return f"{who} is a platform operator, who may do everything: {perm} allowed."
        assert self.path is not None
        route = self._route(who, org_name, names)
        if self.rule == Rule.ROLE_GRANTS:
            text = f"{route}; the role grants {perm}: allowed."
            if self.path.until is not None:
                text += f" This access ends at {_when(self.path.until)}"
                if self.path.from_above:
                    # Windows at two levels apply; the earlier end binds.
                    window = _window(self.path.until_org_id, self.org_id, org_name, names)
                    text += (
                        f": the partner access window into {window} closes first on the way down"
                    )
                text += "."
            if self.refusal_not_applied:
                text += (
                    f" {org_name} refuses its customer's own access, which does not"
                    " apply to partner staff."
                )
            return text
        if self.rule == Rule.CREATOR_LACKS:
            return (
                f"{route}; the role grants {perm}, but a token acts with at most its"
                " creator's current rights, and its creator may not: refused."
            )
        if self.rule == Rule.ROLE_LACKS:
            return f"{route}; the role does not grant {perm}: refused."
        return f"{route}; {_BLOCK_WORDS[self.block or Block.ORG_DEACTIVATED](org_name)}: refused."

    def _closed(self, org_name: str, names: Mapping[uuid.UUID, str]) -> str:
        if self.ended_org_id is None or self.ended_org_id == self.org_id:
            return ""
        window = _window(self.ended_org_id, self.org_id, org_name, names)
        return f", when the partner access window into {window} closed"

    def _route(self, who: str, org_name: str, names: Mapping[uuid.UUID, str]) -> str:
        path = self.path
        assert path is not None and path.role is not None
        role = f"role {path.role.value}" + (", primary admin" if path.is_primary_admin else "")
        if path.kind == PathKind.MEMBER:
            return f"{who} → {org_name} (member of its directory, {role})"
        partner = names.get(path.via_org_id) if path.via_org_id else None
        if partner is None:
            partner = "a partner above its partner" if path.from_above else "its partner"
        return f"{who} (partner staff of {partner}) → {org_name} (partner access, {role})"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _window(
    level_id: uuid.UUID | None, org_id: uuid.UUID, org_name: str, names: Mapping[uuid.UUID, str]
) -> str:
    """The org whose window an end is: the org itself (its partner's grant) or the
    tier-2 partner above it (its distributor's grant), by name when the caller
    may see it."""
    if level_id is None or level_id == org_id:
        return org_name
    return names.get(level_id, "its partner")


_BLOCK_WORDS = {
    Block.ORG_DEACTIVATED: lambda org: (
        f"{org} (or the partner it is reached through) is deactivated"
    ),
    Block.CUSTOMER_ACCESS_REFUSED: lambda org: (
        f"the partner has refused its customer's own access to {org}"
    ),
    Block.USER_SUSPENDED: lambda org: "the account is suspended there",
}


def _step(actor: Actor, org: OrgFacts, reach: Reach, permission: Permission) -> PathStep:
    via, grants, block = reach
    if via is None:
        return PathStep(PathKind.OPERATOR, None, None, False, None, True)
    entry = actor.memberships[via]
    if via == org.id:
        return PathStep(
            PathKind.MEMBER, via, entry.role, entry.is_primary_admin, block, permission in grants
        )
    _, until, until_org_id = partner_access_along(org, entry)
    return PathStep(
        PathKind.PARTNER,
        via,
        entry.role,
        entry.is_primary_admin,
        block,
        permission in grants,
        until,
        until_org_id,
        from_above=via != org.parent_id,
    )


def _ended(
    actor: Actor, org: OrgFacts, steps: tuple[PathStep, ...]
) -> tuple[datetime | None, uuid.UUID | None]:
    """When the actor's partner access into the org closed, if it has, and the
    org whose window closed: through the parent's entry, else one from above."""
    if any(s.kind == PathKind.PARTNER for s in steps):
        return None, None
    ancestors = [org.parent_id, org.parent.parent_id if org.parent else None]
    for ancestor in ancestors:
        entry = actor.memberships.get(ancestor) if ancestor else None
        if entry is None:
            continue
        held, until, level = partner_access_along(org, entry)
        if held and until is not None:
            return until, level
    return None, None


def explain(actor: Actor, permission: Permission, org: OrgFacts) -> Explanation:
    """What `decide(actor, permission, org)` answers, and why."""
    decision = decide(actor, permission, org)
    steps = tuple(_step(actor, org, reach, permission) for reach in reaches(actor, org))
    ended = _ended(actor, org, steps)

    def result(rule: Rule, path: PathStep | None, block: Block | None = None) -> Explanation:
        return Explanation(
            permission=permission,
            org_id=org.id,
            allowed=decision.allowed,
            visible=decision.visible,
            rule=rule,
            path=path,
            block=block,
            denial_code=decision.denial_code,
            paths=steps,
            ended_at=ended[0],
            ended_org_id=ended[1],
            refusal_not_applied=(
                path is not None
                and path.kind == PathKind.PARTNER
                and org.is_sub_org
                and org.customer_access_refused
            ),
        )

    if not decision.visible or not steps:
        return result(Rule.NO_PATH, None)
    if actor.is_operator:
        return result(Rule.OPERATOR, steps[0])
    open_granting = [s for s in steps if s.block is None and s.grants]
    if decision.denial_code == CREATOR_LACKS:
        return result(Rule.CREATOR_LACKS, open_granting[0])
    if decision.allowed:
        chosen = next(s for s in open_granting if s.via_org_id == decision.via_org_id)
        return result(Rule.ROLE_GRANTS, chosen)
    open_steps = [s for s in steps if s.block is None]
    if open_steps:
        return result(Rule.ROLE_LACKS, open_steps[0])
    blocked = next(
        s for s in steps if s.block is not None and s.block.value == decision.denial_code
    )
    return result(Rule.BLOCKED, blocked, blocked.block)
