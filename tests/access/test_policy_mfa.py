"""The MFA rules of access.policy, as plain functions."""

from __future__ import annotations

import uuid

from tenantree.access.policy import (
    Actor,
    MembershipFact,
    SignInStep,
    mfa_required_in,
    mfa_required_of,
    sign_in_step,
)
from tenantree.identity.roles import Role


def _actor(*org_ids: uuid.UUID, operator: bool = False) -> Actor:
    return Actor(
        account_id=uuid.uuid4(),
        is_operator=operator,
        memberships={
            org_id: MembershipFact(uuid.uuid4(), org_id, Role.USER, False, True, True)
            for org_id in org_ids
        },
    )


def test_an_org_requires_mfa_by_its_own_setting_or_an_ancestors_for_sub_orgs():
    assert not mfa_required_in(own=False, ancestors_for_sub_orgs=[])
    assert not mfa_required_in(own=False, ancestors_for_sub_orgs=[False, False])
    assert mfa_required_in(own=True, ancestors_for_sub_orgs=[])
    assert mfa_required_in(own=False, ancestors_for_sub_orgs=[False, True])


def test_a_childs_own_setting_cannot_lift_its_partners():
    assert mfa_required_in(own=False, ancestors_for_sub_orgs=[True])


def test_operators_always_require_mfa():
    assert mfa_required_of(_actor(operator=True), set())


def test_a_person_requires_mfa_when_any_of_their_orgs_does():
    a, b = uuid.uuid4(), uuid.uuid4()
    assert not mfa_required_of(_actor(a, b), set())
    assert mfa_required_of(_actor(a, b), {b})
    assert not mfa_required_of(_actor(a), {b})


def test_a_second_factor_is_always_asked_for_once_enrolled():
    assert sign_in_step(has_second_factor=True, mfa_required=False) == SignInStep.MFA_REQUIRED
    assert sign_in_step(has_second_factor=True, mfa_required=True) == SignInStep.MFA_REQUIRED


def test_without_a_factor_a_required_person_may_only_enrol():
    assert (
        sign_in_step(has_second_factor=False, mfa_required=True)
        == SignInStep.MFA_ENROLMENT_REQUIRED
    )
    assert sign_in_step(has_second_factor=False, mfa_required=False) == SignInStep.SIGNED_IN
