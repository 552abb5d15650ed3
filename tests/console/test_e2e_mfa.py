"""Second factors in a real browser: an authenticator app with its recovery
codes, and a passkey through Chromium's virtual authenticator (CDP WebAuthn)."""

from __future__ import annotations

import pyotp
import pytest

from console.e2e_support import CHROMIUM, shot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
    ),
]


def expect():  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def _password_step(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect()(page.get_by_test_id("second-step")).to_be_visible()


def test_enrol_an_app_sign_in_with_it_and_with_a_recovery_code(new_page, live_server):  # type: ignore[no-untyped-def]
    email = "rob@northwind.example"
    page = sign_in(new_page(), live_server, email)
    page.goto(live_server.url + "/account/security")
    page.get_by_test_id("set-up-totp").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert page.get_by_test_id("totp-uri").inner_text().startswith("otpauth://totp/")
    shot(page, "20-mfa-totp-enrol")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("confirm-totp").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    _sign_out(page)

    _password_step(page, live_server.url, email, live_server.password)
    shot(page, "21-mfa-second-step")
    page.get_by_label("The 6-digit code from your authenticator app").fill(
        live_server.totp_code(email, secret)
    )
    page.get_by_test_id("verify").click()
    expect()(page.get_by_test_id("org-list")).to_be_visible()
    _sign_out(page)

    _password_step(page, live_server.url, email, live_server.password)
    page.get_by_text("Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_test_id("verify").click()
    expect()(page.get_by_test_id("org-list")).to_be_visible()
    page.goto(live_server.url + "/account/security")
    expect()(page.get_by_test_id("codes-left")).to_have_text("9 unused recovery codes.")
    _sign_out(page)

    _password_step(page, live_server.url, email, live_server.password)
    page.get_by_text("Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])  # spent
    page.get_by_test_id("verify").click()
    expect()(page.get_by_test_id("error")).to_have_text("That code is wrong or was already used.")


def test_register_a_passkey_and_sign_in_with_it(new_page, live_server):  # type: ignore[no-untyped-def]
    # WebAuthn needs a host name (not an IP) in a secure context: localhost is one.
    base = f"http://localhost:{live_server.port}"
    email = "admin@humongousinsurance.example"
    page = new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    sign_in(page, live_server, email, base=base)
    page.goto(base + "/account/security")
    page.get_by_test_id("add-passkey").click()
    page.get_by_label('Name it (e.g. "Laptop" or "Security key")').fill("Test laptop")
    page.get_by_test_id("create-passkey").click()
    # The browser's script registers the key, then navigates to the codes page.
    expect()(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.goto(base + "/account/security")
    expect()(page.get_by_test_id("passkeys")).to_contain_text("Test laptop")
    _sign_out(page)

    _password_step(page, base, email, live_server.password)
    page.get_by_test_id("use-passkey").click()
    # Signed in: a customer with one org lands on it.
    expect()(page.get_by_test_id("current-org")).to_have_text("Humongous Insurance")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert credentials["credentials"][0]["signCount"] >= 1
