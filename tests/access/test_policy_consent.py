"""Consent and account-level rules: who answers an invitation, and when
accepting one proves the address. Plain facts in, answers out."""

from __future__ import annotations

import uuid

import pytest

from tenantree.access.policy import (
    Actor,
    acts_as_self,
    answers_own_invitation,
    consent_needs_sign_in,
    consents_with_confirmed_email,
    invitation_proves_email,
)

PERSON = uuid.uuid4()


def test_the_person_signed_in_acts_as_themselves():
    assert acts_as_self(Actor(PERSON), PERSON)


def test_a_token_acting_for_the_person_does_not_act_as_them():
    token = Actor(PERSON, creator=Actor(PERSON))
    assert not acts_as_self(token, PERSON)
    assert not answers_own_invitation(token, PERSON)


def test_someone_else_never_answers_the_persons_invitation():
    assert not answers_own_invitation(Actor(uuid.uuid4(), is_operator=True), PERSON)


@pytest.mark.parametrize(
    ("via_org_channel", "manages", "proves"),
    [(False, False, True), (True, False, False), (True, True, True), (False, True, True)],
)
def test_an_invitation_proves_the_address_only_off_the_orgs_channel_or_when_it_manages_it(
    via_org_channel, manages, proves
):
    assert invitation_proves_email(via_org_channel=via_org_channel, manages=manages) is proves


def test_an_unconfirmed_address_answers_no_invitation():
    assert not consents_with_confirmed_email(email_confirmed=False)
    assert consents_with_confirmed_email(email_confirmed=True)


def test_binding_an_existing_account_needs_its_owner_unless_the_org_manages_it():
    assert consent_needs_sign_in(manages=False)
    assert not consent_needs_sign_in(manages=True)
