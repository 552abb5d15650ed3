"""Whose admins an alert goes to (access.policy.alert_recipient): the org whose
figure it is, so a sub-org never gets its partner's pool."""

from __future__ import annotations

import uuid

from tenantree.access.policy import alert_recipient

PARTNER, CUSTOMER = uuid.uuid4(), uuid.uuid4()


def test_a_pool_alert_goes_to_the_pools_holder_even_when_a_customer_drew_on_it():
    assert alert_recipient(about_quota=False, holder_id=PARTNER, consumer_id=CUSTOMER) == PARTNER


def test_a_license_end_goes_to_its_holder():
    assert alert_recipient(about_quota=False, holder_id=CUSTOMER, consumer_id=None) == CUSTOMER


def test_a_quota_alert_goes_to_the_sub_org_whose_quota_it_is():
    assert alert_recipient(about_quota=True, holder_id=PARTNER, consumer_id=CUSTOMER) == CUSTOMER
