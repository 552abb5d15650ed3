"""Claiming and proving email domains over HTTP: one verified owner per domain."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from branding.conftest import error_of
from factories import make_org, prove_domain
from tenantree.audit.models import AuditEvent


def _actions(session, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_claim_is_pending_and_names_the_txt_record_to_publish(domains_api, session):
    claim = domains_api.claim_ok("P", "Northwind.Example.", actor="P-A")

    assert claim["domain"] == "northwind.example"
    assert claim["status"] == "pending"
    assert claim["txt_record_name"] == "_tenantree-challenge.northwind.example"
    assert claim["txt_record_value"].startswith("tenantree-domain-verification=")
    assert domains_api.list("P", "P-A") == [claim]
    (event,) = _actions(session, "domain.claimed")
    assert event.details["domain"] == "northwind.example"


def test_an_internationalized_domain_is_stored_in_its_ascii_form(domains_api):
    assert domains_api.claim_ok("P", "exämple.com")["domain"] == "xn--exmple-cua.com"


def test_malformed_names_and_public_suffixes_are_refused_naming_the_field(domains_api):
    for raw in ("com", "co.uk", "github.io", "exa mple.com", "https://example.com", "10.0.0.1"):
        response = domains_api.claim("P", raw)
        assert response.status_code == 422, raw
        error = error_of(response)
        assert (error["code"], error["field"]) == ("invalid_domain", "domain"), raw


def test_the_platform_own_domain_cannot_be_claimed(domains_api, identity):
    own = identity.outbox.sender.rpartition("@")[2].strip(">")
    response = domains_api.claim("P", own)
    assert response.status_code == 422
    assert error_of(response)["field"] == "domain"


def test_a_pending_claim_blocks_no_other_org(domains_api):
    domains_api.claim_ok("P", "northwind.example")
    domains_api.claim_ok("U", "northwind.example", actor="U-A")
    assert [c["domain"] for c in domains_api.list("U", "U-A")] == ["northwind.example"]


def test_claiming_the_same_domain_twice_in_one_org_is_a_conflict(domains_api):
    domains_api.claim_ok("P", "northwind.example")
    response = domains_api.claim("P", "NORTHWIND.example")
    assert response.status_code == 409
    assert error_of(response)["code"] == "domain_already_claimed"


def test_verifying_without_the_txt_record_says_what_to_publish(domains_api):
    claim = domains_api.claim_ok("P", "northwind.example")
    response = domains_api.verify("P", claim)
    assert response.status_code == 409
    assert error_of(response)["code"] == "domain_not_verified"
    assert claim["txt_record_value"] in error_of(response)["message"]


def test_a_dns_failure_is_a_503(domains_api, dns):
    claim = domains_api.claim_ok("P", "northwind.example")
    dns.down = True
    assert domains_api.verify("P", claim).status_code == 503


def test_the_first_org_to_prove_a_domain_wins_and_the_loser_learns_nothing(domains_api, world):
    loser = domains_api.claim_ok("U", "northwind.example", actor="U-A")
    domains_api.publish(loser)  # its own record is there, too late
    won = domains_api.prove("P", "northwind.example", actor="P-A")
    assert won["status"] == "verified"

    for response in (
        domains_api.verify("U", loser, actor="U-A"),
        domains_api.claim("T", "northwind.example"),
    ):
        assert response.status_code == 409, response.text
        error = error_of(response)
        assert error["code"] == "domain_unavailable"
        assert world.P.name not in response.text and str(world.P.id) not in response.text
    assert domains_api.list("U", "U-A")[0]["status"] == "pending"


def test_proving_is_audited(domains_api, session):
    domains_api.prove("P", "northwind.example")
    (event,) = _actions(session, "domain.verified")
    assert event.details["domain"] == "northwind.example"


def test_after_the_holder_removes_its_claim_another_claimant_may_prove_it(domains_api, session):
    other = domains_api.claim_ok("U", "northwind.example", actor="U-A")
    domains_api.publish(other)
    held = domains_api.prove("P", "northwind.example")
    removed = domains_api.client.delete(
        domains_api.path("P", f"/{held['id']}"), headers=domains_api.world.headers("P-A")
    )
    assert removed.status_code == 204
    assert domains_api.list("P") == []
    assert domains_api.verify("U", other, actor="U-A").status_code == 200
    (event,) = _actions(session, "domain.removed")
    assert event.details["was_verified"] is True


def test_an_org_cannot_reach_another_org_claim_through_its_own_path(domains_api):
    claim = domains_api.claim_ok("U", "northwind.example", actor="U-A")
    headers = domains_api.world.headers("P-A")
    assert domains_api.verify("P", claim, actor="P-A").status_code == 404
    path = domains_api.path("P", f"/{claim['id']}")
    assert domains_api.client.delete(path, headers=headers).status_code == 404
    assert [c["id"] for c in domains_api.list("U")] == [claim["id"]]


def test_the_operator_sees_every_claim_with_its_org(domains_api, world):
    domains_api.claim_ok("U", "northwind.example", actor="U-A")
    domains_api.prove("P", "northwind.example")
    response = domains_api.client.get("/api/v1/domains", headers=world.headers("OP"))
    assert response.status_code == 200
    listed = [(c["org_name"], c["status"]) for c in response.json()["items"]]
    assert listed == [(world.P.name, "verified"), (world.U.name, "pending")]


def test_only_the_operator_lists_or_revokes_every_claim(domains_api, world):
    claim = domains_api.claim_ok("U", "northwind.example", actor="U-A")
    for actor in ("P-PA", "U-A", "S-A"):
        headers = world.headers(actor)
        assert domains_api.client.get("/api/v1/domains", headers=headers).status_code == 403
        path = f"/api/v1/domains/{claim['id']}"
        assert domains_api.client.delete(path, headers=headers).status_code == 403
    assert domains_api.client.get("/api/v1/domains").status_code == 401


def test_the_operator_revokes_a_verified_claim(domains_api, world, session):
    held = domains_api.prove("P", "northwind.example")
    response = domains_api.client.delete(
        f"/api/v1/domains/{held['id']}", headers=world.headers("OP")
    )
    assert response.status_code == 204
    assert domains_api.list("P") == []
    (event,) = _actions(session, "domain.revoked")
    assert (event.org_id, event.details["was_verified"]) == (world.P.id, True)


def test_the_database_holds_one_verified_owner_per_domain(session):
    # The last word in a race between two provers: the partial unique index.
    first, second = make_org(session, name="First"), make_org(session, name="Second")
    prove_domain(session, first, "northwind.example")
    with pytest.raises(IntegrityError):
        prove_domain(session, second, "northwind.example")
