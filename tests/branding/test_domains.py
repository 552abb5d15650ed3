"""Custom domains: claimed once across the platform, proven by DNS TXT, resolved by host."""

from __future__ import annotations

from sqlalchemy import select

from branding.conftest import error_of
from tenantree.audit.models import AuditEvent
from tenantree.branding.platform import PLATFORM_BRAND
from tenantree.orgs.models import Org, OrgStatus

PUBLIC_FIELDS = {
    "product_name",
    "primary_color",
    "accent_color",
    "logo_url",
    "favicon_url",
    "sign_in_message",
    "support_email",
    "support_url",
    "custom_domain",
}


def _verify(brand_api, org: str, hostname: str | None = None, actor: str = "OP"):  # type: ignore[no-untyped-def]
    return brand_api.client.post(
        brand_api.path(org, "/domain/verify"),
        json={"hostname": hostname} if hostname else None,
        headers=brand_api.world.headers(actor),
    )


def test_naming_a_domain_claims_it_and_shows_the_txt_record_to_create(brand_api, session):
    body = brand_api.put_ok("P", custom_domain="portal.northwind.example")

    (claim,) = body["domains"]
    assert claim["hostname"] == "portal.northwind.example"
    assert claim["status"] == "pending"
    assert claim["txt_record_name"] == "_tenantree-challenge.portal.northwind.example"
    assert claim["txt_record_value"].startswith("tenantree-domain-verification=")
    assert len(claim["txt_record_value"]) > 40
    assert brand_api.get("P")["domains"] == [claim]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "brand.domain_claimed")
    ).one()
    assert event.details["hostname"] == "portal.northwind.example"


def test_a_pending_claim_blocks_no_other_org(brand_api):
    brand_api.put_ok("P", custom_domain="portal.northwind.example")

    for org, spelling in (("U", "portal.northwind.example"), ("S", "PORTAL.Northwind.example.")):
        body = brand_api.put_ok(org, custom_domain=spelling)
        assert [c["hostname"] for c in body["domains"]] == ["portal.northwind.example"]
    assert brand_api.put("P", custom_domain="portal.northwind.example").status_code == 200


def test_the_first_org_to_prove_a_domain_wins_and_the_others_learn_nothing(brand_api, dns, session):
    (pending_p,) = brand_api.put_ok("P", custom_domain="portal.nw.example")["domains"]
    (pending_u,) = brand_api.put_ok("U", custom_domain="portal.nw.example")["domains"]
    assert pending_p["txt_record_value"] != pending_u["txt_record_value"]

    dns.publish(pending_u["txt_record_name"], pending_u["txt_record_value"])
    assert _verify(brand_api, "U").status_code == 200
    # P's pending claim is released; P can neither prove nor claim the domain again.
    assert brand_api.get("P")["domains"] == []
    dns.publish(pending_p["txt_record_name"], pending_p["txt_record_value"])
    for response in (
        _verify(brand_api, "P", "portal.nw.example"),
        brand_api.put("P", custom_domain="portal.nw.example"),
    ):
        assert response.status_code == 409
        error = error_of(response)
        assert error["code"] in ("no_domain_claim", "custom_domain_unavailable")
        text = response.text.lower()
        assert (
            "another" not in text
            and "unrelated" not in text
            and str(brand_api.world.U.id) not in text
        )
    refused = brand_api.put("P", custom_domain="portal.nw.example")
    assert error_of(refused)["message"].endswith("this domain cannot be verified for this org")
    assert brand_api.get("U")["domains"][0]["status"] == "verified"


def test_a_pending_claim_on_a_domain_verified_meanwhile_is_refused_at_verify_time(
    brand_api, dns, session
):
    from tenantree.branding import domains
    from tenantree.branding.models import DomainClaim

    (pending_u,) = brand_api.put_ok("U", custom_domain="portal.nw.example")["domains"]
    (pending_p,) = brand_api.put_ok("P", custom_domain="portal.nw.example")["domains"]
    # U proves it in a unit of work that has not released P's claim (a race).
    claim = session.scalars(
        select(DomainClaim).where(DomainClaim.org_id == brand_api.world.U.id)
    ).one()
    claim.verified_at = claim.created_at
    session.commit()
    assert domains.verified_owner(session, "portal.nw.example") == brand_api.world.U.id

    dns.publish(pending_p["txt_record_name"], pending_p["txt_record_value"])
    response = _verify(brand_api, "P")
    assert response.status_code == 409
    assert error_of(response) == {
        "code": "custom_domain_unavailable",
        "message": "this domain cannot be verified for this org",
        "field": None,
    }


def test_verification_needs_the_txt_record(brand_api, dns, session):
    body = brand_api.put_ok("S", custom_domain="it.contoso.example")
    (claim,) = body["domains"]

    missing = _verify(brand_api, "S")
    assert missing.status_code == 409
    error = error_of(missing)
    assert error["code"] == "domain_not_verified"
    assert claim["txt_record_name"] in error["message"]
    assert error["txt_record_value"] == claim["txt_record_value"]
    assert dns.asked == [claim["txt_record_name"]]

    dns.publish(claim["txt_record_name"], "some-other-verification=abc")
    assert _verify(brand_api, "S").status_code == 409

    dns.publish(claim["txt_record_name"], claim["txt_record_value"])
    verified = _verify(brand_api, "S", "IT.contoso.example")
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    assert verified.json()["verified_at"] is not None
    assert brand_api.get("S")["domains"][0]["status"] == "verified"
    assert _verify(brand_api, "S").status_code == 200  # again: still verified
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "brand.domain_verified")
    ).all()
    assert actions == ["brand.domain_verified"]


def test_verification_reports_a_dns_outage_as_503(brand_api, dns):
    brand_api.put_ok("S", custom_domain="it.contoso.example")
    dns.down = True

    response = _verify(brand_api, "S")
    assert response.status_code == 503
    assert error_of(response)["code"] == "dns_unavailable"


def test_verifying_a_domain_the_org_does_not_claim_is_a_409(brand_api):
    brand_api.put_ok("P", custom_domain="portal.northwind.example")
    response = _verify(brand_api, "U", "portal.northwind.example")
    assert response.status_code == 409
    assert error_of(response)["code"] == "no_domain_claim"


def test_only_a_verified_published_domain_resolves(brand_api, dns):
    body = brand_api.brand("P", product_name="Northwind Cloud", custom_domain="portal.nw.example")

    # Published, not verified: not resolved, and the host shows the platform brand.
    assert body["resolved"]["custom_domain"] is None
    assert body["sources"]["custom_domain"] == "platform"
    public = brand_api.public("portal.nw.example").json()
    assert public["product_name"] == PLATFORM_BRAND.product_name
    assert public["custom_domain"] is None

    (claim,) = body["domains"]
    dns.publish(claim["txt_record_name"], claim["txt_record_value"])
    assert _verify(brand_api, "P").status_code == 200

    body = brand_api.get("P")
    assert body["resolved"]["custom_domain"] == "portal.nw.example"
    assert body["sources"]["custom_domain"] == "org"
    public = brand_api.public("portal.nw.example").json()
    assert public["product_name"] == "Northwind Cloud"
    assert public["custom_domain"] == "portal.nw.example"
    assert set(public) == PUBLIC_FIELDS


def test_a_verified_domain_only_in_the_draft_does_not_resolve(brand_api, dns):
    brand_api.brand("P", product_name="Northwind Cloud")
    body = brand_api.put_ok("P", product_name="Northwind Cloud", custom_domain="new.nw.example")
    (claim,) = body["domains"]
    dns.publish(claim["txt_record_name"], claim["txt_record_value"])
    assert _verify(brand_api, "P").status_code == 200

    assert brand_api.public("new.nw.example").json()["custom_domain"] is None
    assert brand_api.get("P")["preview"]["custom_domain"] == "new.nw.example"
    brand_api.publish("P")
    assert brand_api.public("new.nw.example").json()["product_name"] == "Northwind Cloud"


def test_the_public_brand_shows_only_what_is_published(brand_api):
    brand_api.claim_and_verify("P", "portal.nw.example")
    brand_api.brand(
        "P",
        product_name="Northwind Cloud",
        primary_color="#004488",
        sign_in_message="Sign in with your Northwind account",
        support_url="https://help.nw.example",
        email_from_address="no-reply@nw.example",
        custom_domain="portal.nw.example",
    )
    brand_api.put_ok("P", product_name="Unreleased Name", custom_domain="portal.nw.example")

    public = brand_api.public("portal.nw.example").json()

    assert public["product_name"] == "Northwind Cloud"
    assert public["primary_color"] == "#004488"
    assert public["accent_color"] == PLATFORM_BRAND.accent_color
    assert public["sign_in_message"] == "Sign in with your Northwind account"
    assert public["support_url"] == "https://help.nw.example"
    assert "email_from_address" not in public


def test_a_sub_orgs_own_domain_resolves_to_its_brand_over_its_partners(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud", primary_color="#004488")
    brand_api.claim_and_verify("P", "portal.nw.example")
    brand_api.brand("S", sign_in_message="Contoso staff only")
    brand_api.claim_and_verify("S", "it.contoso.example")

    contoso = brand_api.public("it.contoso.example").json()
    northwind = brand_api.public("portal.nw.example").json()

    assert contoso["sign_in_message"] == "Contoso staff only"
    assert contoso["product_name"] == "Northwind Cloud"  # inherited from the partner
    assert contoso["custom_domain"] == "it.contoso.example"
    assert northwind["sign_in_message"] is None
    assert northwind["custom_domain"] == "portal.nw.example"
    # T has no domain of its own: it shows (and sends links to) its partner's.
    t_body = brand_api.get("T")
    assert t_body["resolved"]["custom_domain"] == "portal.nw.example"
    assert t_body["sources"]["custom_domain"] == "partner"


def test_an_unknown_or_invalid_host_gets_the_platform_brand(brand_api):
    brand_api.claim_and_verify("P", "portal.nw.example")
    platform = {
        "product_name": PLATFORM_BRAND.product_name,
        "primary_color": PLATFORM_BRAND.primary_color,
        "custom_domain": None,
    }
    for host in ("unknown.example", "nw.example", "x.portal.nw.example", "not a host", ""):
        body = brand_api.public(host).json()
        assert {k: body[k] for k in platform} == platform, host


def test_without_host_the_request_host_header_decides(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud")
    brand_api.claim_and_verify("P", "portal.nw.example")

    by_header = brand_api.public(Host="Portal.NW.example:443")
    assert by_header.json()["product_name"] == "Northwind Cloud"
    assert by_header.headers["vary"] == "Host"
    assert brand_api.public().json()["product_name"] == PLATFORM_BRAND.product_name


def test_the_public_brand_is_cacheable_with_an_etag(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud")
    brand_api.claim_and_verify("P", "portal.nw.example")

    first = brand_api.public("portal.nw.example")
    etag = first.headers["etag"]
    assert first.status_code == 200
    assert "max-age" in first.headers["cache-control"]
    assert etag.startswith('"') and etag.endswith('"')

    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = brand_api.public("portal.nw.example", **{"If-None-Match": sent})
        assert again.status_code == 304, sent
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert brand_api.public("portal.nw.example", **{"If-None-Match": '"x"'}).status_code == 200

    brand_api.brand("P", product_name="Northwind Cloud 2", custom_domain="portal.nw.example")
    changed = brand_api.public("portal.nw.example", **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["product_name"] == "Northwind Cloud 2"
    # A draft change does not change what is served.
    brand_api.put_ok("P", product_name="Draft", custom_domain="portal.nw.example")
    assert brand_api.public("portal.nw.example").headers["etag"] == changed.headers["etag"]


def test_changing_the_domain_releases_the_old_one(brand_api, session):
    brand_api.claim_and_verify("P", "old.nw.example")
    brand_api.put_ok("P", custom_domain="new.nw.example")

    # Still published: still claimed, still resolving.
    hostnames = {d["hostname"] for d in brand_api.get("P")["domains"]}
    assert hostnames == {"old.nw.example", "new.nw.example"}
    assert brand_api.public("old.nw.example").json()["custom_domain"] == "old.nw.example"
    assert brand_api.put("U", custom_domain="old.nw.example").status_code == 409

    brand_api.publish("P")
    assert {d["hostname"] for d in brand_api.get("P")["domains"]} == {"new.nw.example"}
    assert brand_api.public("old.nw.example").json()["custom_domain"] is None
    assert brand_api.put("U", custom_domain="old.nw.example").status_code == 200
    released = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "brand.domain_released")
    ).one()
    assert released.details == {"hostname": "old.nw.example", "was_verified": True}


def test_a_deactivated_orgs_domain_shows_the_platform_brand(brand_api, session):
    brand_api.brand("P", product_name="Northwind Cloud")
    brand_api.claim_and_verify("P", "portal.nw.example")
    session.get(Org, brand_api.world.P.id).status = OrgStatus.DEACTIVATED
    session.commit()

    assert brand_api.public("portal.nw.example").json()["custom_domain"] is None
