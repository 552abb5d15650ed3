"""What a claimable domain is (plain rules)."""

from __future__ import annotations

import pytest

from tenantree.domains.errors import InvalidDomain
from tenantree.domains.names import email_domain, is_public_suffix_like, normalize_domain


def test_a_domain_is_lower_case_ascii_without_trailing_dot():
    assert normalize_domain(" Exämple.COM. ") == "xn--exmple-cua.com"
    assert normalize_domain("@example.com") == "example.com"


@pytest.mark.parametrize("suffix", ["com", "uk", "co.uk", "com.au", "ac.jp", "github.io"])
def test_public_suffixes_are_nobody_s(suffix):
    assert is_public_suffix_like(suffix)
    with pytest.raises(InvalidDomain):
        normalize_domain(suffix)


@pytest.mark.parametrize("domain", ["example.co.uk", "acme.com", "io.io", "me.example"])
def test_an_organization_s_own_domain_is_claimable(domain):
    assert not is_public_suffix_like(domain)
    assert normalize_domain(domain) == domain


def test_the_platform_domains_and_names_under_them_are_refused():
    reserved = frozenset({"tenantree.example"})
    for name in ("tenantree.example", "mail.tenantree.example"):
        with pytest.raises(InvalidDomain) as refused:
            normalize_domain(name, reserved=reserved, field="allowed_domains")
        assert refused.value.field == "allowed_domains"


def test_an_email_domain_is_in_the_stored_form():
    assert email_domain("Ana@Exämple.COM") == "xn--exmple-cua.com"
    for not_an_address in ("no-domain", "ana@", "@example.com"):
        assert email_domain(not_an_address) is None
