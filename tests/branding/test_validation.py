"""Brand fields are checked with 422s naming the field and the rule."""

from __future__ import annotations

import pytest

from branding.conftest import error_of
from tenantree.branding.colors import check_contrast, contrast_ratio, relative_luminance
from tenantree.branding.errors import InsufficientContrast, InvalidBrand
from tenantree.branding.hostnames import custom_domain, host_of_request, relay_host
from tenantree.branding.platform import PLATFORM_BRAND

# --- colours and contrast (no database) -------------------------------------------


def test_wcag_relative_luminance_and_contrast():
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == 0.0
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # The classic AA boundary: #767676 passes 4.5:1 on white, #777777 does not.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_the_platform_brand_meets_its_own_rules():
    check_contrast(PLATFORM_BRAND.primary_color, field="primary_color")
    check_contrast(PLATFORM_BRAND.accent_color, field="accent_color")


def test_a_ratio_just_below_the_rule_is_never_shown_as_passing():
    with pytest.raises(InsufficientContrast) as raised:
        check_contrast("#777777", field="primary_color")
    assert "4.47:1" in raised.value.message
    assert raised.value.extra == {"contrast_ratio": 4.47, "required_ratio": 4.5}


# --- over the API --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("primary_color", "#6fa8dc", "2.52:1"),
        ("primary_color", "#ffff00", "1.07:1"),
        ("accent_color", "#ffcc00", "1.51:1"),
    ],
)
def test_colours_without_enough_contrast_are_refused_with_the_ratio_and_rule(
    brand_api, field, value, says
):
    response = brand_api.put("S", **{field: value})

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "insufficient_contrast"
    assert error["field"] == field
    assert says in error["message"]
    assert ("4.5:1" if field == "primary_color" else "3:1") in error["message"]
    assert "white" in error["message"]
    assert error["required_ratio"] == (4.5 if field == "primary_color" else 3.0)


def test_the_accent_rule_is_3_to_1(brand_api):
    # #949494 is about 3.03:1: fine as an accent, not as the primary colour.
    assert brand_api.put("S", accent_color="#949494").status_code == 200
    assert brand_api.put("S", primary_color="#949494").status_code == 422


@pytest.mark.parametrize("value", ["1d4ed8", "#1d4ed", "#1d4ed8ff", "blue", "#gggggg", "#FFF"])
def test_colours_must_be_hex_rrggbb(brand_api, value):
    response = brand_api.put("S", primary_color=value)
    assert response.status_code == 422
    assert error_of(response)["field"] == "primary_color"


@pytest.mark.parametrize(
    "url",
    [
        "http://help.example.com",
        "ftp://help.example.com",
        "javascript:alert(1)",
        "https://user:pass@help.example.com",
        "https://",
        "help.example.com",
        "https://000000000000000[",
        "https://help.example.com:99999/",
    ],
)
def test_support_url_must_be_https(brand_api, url):
    response = brand_api.put("S", support_url=url)
    assert response.status_code == 422
    assert error_of(response)["field"] == "support_url"


@pytest.mark.parametrize("url", ["https://help.example.com/a?b=c#d", "http://localhost:8080/help"])
def test_support_url_accepts_https_and_local_http(brand_api, url):
    assert brand_api.put("S", support_url=url).status_code == 200


@pytest.mark.parametrize("field", ["support_email", "email_from_address"])
@pytest.mark.parametrize("value", ["not-an-email", "a@b", "two@@example.com", "x@-bad.com"])
def test_emails_must_be_valid(brand_api, field, value):
    response = brand_api.put("S", **{field: value})
    assert response.status_code == 422
    assert error_of(response)["field"] == field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("product_name", "   "),
        ("product_name", "Line\nbreak"),
        ("product_name", "x" * 101),
        ("email_from_name", "Evil\r\nBcc: victim@example.com"),
        ("sign_in_message", "x" * 1001),
        ("sign_in_message", "bell\x07"),
    ],
)
def test_text_fields_refuse_blank_control_characters_and_overlong(brand_api, field, value):
    response = brand_api.put("S", **{field: value})
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_unknown_fields_are_refused(brand_api):
    response = brand_api.put("S", product_name="X", org_id=str(brand_api.world.U.id))
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("https://portal.example.com", "scheme"),
        ("portal.example.com:8443", "port"),
        ("portal.example.com/login", "path"),
        ("203.0.113.7", "IP address"),
        ("[2001:db8::1]", "IP address"),
        ("localhost", "fully qualified"),
        ("bad_label.example.com", "not a valid hostname"),
        ("-dash.example.com", "not a valid hostname"),
        ("tenantree.test", "platform's own host"),
        ("acme.tenantree.test", "platform's own host"),
        ("a" * 64 + ".example.com", "not a valid hostname"),
    ],
)
def test_custom_domain_must_be_a_public_hostname(brand_api, value, says):
    response = brand_api.put("S", custom_domain=value)
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "custom_domain"
    assert says in error["message"]


def test_custom_domains_are_stored_in_ascii_lower_case(brand_api):
    body = brand_api.put_ok("S", custom_domain="Portal.Bücher.example.")
    assert body["draft"]["custom_domain"] == "portal.xn--bcher-kva.example"
    assert body["domains"][0]["hostname"] == "portal.xn--bcher-kva.example"


# --- hostnames (no database) ---------------------------------------------------------


def test_relay_hosts_must_be_public_unless_allowed():
    for private in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "localhost"):
        with pytest.raises(InvalidBrand):
            relay_host(private, allow_private=False)
        assert relay_host(private, allow_private=True)
    assert relay_host("smtp.example.com", allow_private=False) == "smtp.example.com"
    assert relay_host("198.51.100.25", allow_private=True) == "198.51.100.25"


def test_request_hosts_drop_the_port_and_refuse_garbage():
    assert host_of_request("Portal.Example.com:8443") == "portal.example.com"
    assert host_of_request("portal.example.com") == "portal.example.com"
    assert host_of_request("not a host") is None
    assert host_of_request("[::1]:80") is None
    assert host_of_request("127.0.0.1") is None


def test_custom_domain_normalizes_idna():
    assert custom_domain("BÜCHER.example", platform_hosts=frozenset()) == "xn--bcher-kva.example"
