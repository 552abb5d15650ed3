"""The real DomainVerifier (dnspython), with the resolver replaced: there is no DNS here."""

from __future__ import annotations

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import pytest

from tenantree.branding.domains import DnsTxtVerifier
from tenantree.branding.errors import DnsUnavailable
from tenantree.branding.platform import PLATFORM_BRAND, platform_brand


def _txt(text: str) -> dns.rdata.Rdata:
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, text)


def _resolver(monkeypatch: pytest.MonkeyPatch, answer: object) -> list[tuple]:
    asked: list[tuple] = []

    class FakeResolver:
        def resolve(self, name, rdtype, lifetime, search):  # type: ignore[no-untyped-def]
            asked.append((name, rdtype, lifetime, search))
            if isinstance(answer, Exception):
                raise answer
            return answer

    monkeypatch.setattr(dns.resolver, "Resolver", FakeResolver)
    return asked


def test_txt_strings_are_joined_per_record(monkeypatch):
    asked = _resolver(
        monkeypatch, [_txt('"tenantree-domain-" "verification=abc"'), _txt('"v=spf1 -all"')]
    )

    values = DnsTxtVerifier(timeout=2.0).txt_records("_tenantree-challenge.example.com")

    assert values == ["tenantree-domain-verification=abc", "v=spf1 -all"]
    assert asked == [("_tenantree-challenge.example.com", "TXT", 2.0, False)]


@pytest.mark.parametrize("error", [dns.resolver.NXDOMAIN(), dns.resolver.NoAnswer()])
def test_no_record_is_an_empty_answer(monkeypatch, error):
    _resolver(monkeypatch, error)
    assert DnsTxtVerifier().txt_records("_x.example.com") == []


@pytest.mark.parametrize(
    "error",
    [dns.exception.Timeout(), dns.resolver.NoNameservers(), dns.resolver.NoResolverConfiguration()],
)
def test_a_dns_failure_says_try_again(monkeypatch, error):
    _resolver(monkeypatch, error)
    with pytest.raises(DnsUnavailable):
        DnsTxtVerifier().txt_records("_x.example.com")


def test_the_platform_brand_sends_as_the_configured_sender():
    brand = platform_brand("Acme Platform <noreply@acme.example>")
    assert (brand.email_from_name, brand.email_from_address) == (
        "Acme Platform",
        "noreply@acme.example",
    )
    bare = platform_brand("noreply@acme.example")
    assert bare.email_from_name == PLATFORM_BRAND.email_from_name
    assert bare.product_name == PLATFORM_BRAND.product_name
