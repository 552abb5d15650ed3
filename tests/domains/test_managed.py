"""Managed accounts: the org that proved an account's email domain manages it."""

from __future__ import annotations

import uuid

from tenantree.domains.managed import managing_org_id, org_managing


def test_the_org_that_verified_the_email_domain_manages_the_account():
    org = uuid.uuid4()
    verified = {"northwind.example": org}
    assert managing_org_id("Ana@NorthWind.example", verified) == org
    assert managing_org_id("ana@eu.northwind.example", verified) is None  # subdomains apart
    assert managing_org_id("ana@gmail.com", verified) is None


def test_a_pending_claim_manages_nothing(domains_api, world, session):
    domains_api.claim_ok("P", "northwind.example")
    assert org_managing(session, "ana@northwind.example") is None
    session.commit()  # end the read, to see what the app commits next
    domains_api.prove("U", "northwind.example")
    assert org_managing(session, "ana@northwind.example") == world.U.id
