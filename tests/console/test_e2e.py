"""The console in a real browser (headless Chromium driven by Playwright).

Seeded by the demo loader; each test works in orgs the others leave alone, so
the order does not matter. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from console.e2e_support import CHROMIUM, CUSTOM_HOST, shot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
    ),
]


def tiny_png() -> bytes:
    from console.test_branding_uploads import png

    return png()


def expect():  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def nav(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """Follow a link of the current org's navigation."""
    page.get_by_test_id("org-nav").get_by_role("link", name=label, exact=True).click()


def open_org(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Search", exact=True).fill(name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect()(page.get_by_test_id("current-org")).to_have_text(name)


ONE_ORG = {"admin@contoso.example", "user@contoso.example", "gina@globex.example"}


@pytest.mark.parametrize(
    ("email", "sees", "hidden"),
    [
        ("operator@demo.example", "Globex Corporation", None),
        ("pat@northwind.example", "Contoso", "Globex Corporation"),
        ("uma@northwind.example", "Northwind MSP", "Bluebird Reseller"),
        ("rita@bluebird.example", "Trey Research", "Contoso"),
        ("admin@contoso.example", "Contoso", "Northwind MSP"),
        ("user@contoso.example", "Contoso", "Fabrikam"),
        ("gina@globex.example", "Globex Corporation", "Contoso"),
    ],
)
def test_sign_in_per_persona(new_page, live_server, email, sees, hidden):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, email)
    if email in ONE_ORG:
        # Someone who reaches one org lands on it, not on a one-row list.
        expect()(page.get_by_test_id("current-org")).to_have_text(sees)
    else:
        assert page.url.endswith("/orgs?landing=1")
        org_list = page.get_by_test_id("org-list")
        expect()(org_list.get_by_role("link", name=sees, exact=True)).to_be_visible()
        if hidden:
            expect()(org_list.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    if email.startswith("pat@"):
        shot(page, "01-org-switcher-partner")
    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in" in page.url
    page.goto(live_server.url + "/orgs")
    assert "/sign-in" in page.url  # the session is over


def test_wrong_password_is_refused_clearly(new_page, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, "pat@northwind.example", "not the password")
    expect()(page.get_by_test_id("error")).to_have_text("The email or password is wrong.")
    shot(page, "00-sign-in-error")


def test_partner_switches_into_a_sub_org_and_pages_through_orgs(new_page, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, "alex@northwind.example")
    page.goto(live_server.url + "/orgs?limit=5")
    first = page.get_by_test_id("org-list").locator("tbody").get_by_role("link").all_inner_texts()
    page.get_by_role("link", name="Next page").click()
    second = page.get_by_test_id("org-list").locator("tbody").get_by_role("link").all_inner_texts()
    assert len(first) == 5 and second and not set(first) & set(second)

    page.goto(live_server.url + "/orgs")
    open_org(page, "Northwind MSP")
    nav(page, "Sub-orgs")
    expect()(page.get_by_test_id("org-list").locator("tbody").get_by_role("link")).to_have_count(12)
    page.get_by_role("link", name="Wingtip Toys", exact=True).click()
    expect()(page.get_by_test_id("current-org")).to_have_text("Wingtip Toys")
    expect()(page.get_by_text("Sub-org of Northwind MSP")).to_be_visible()
    shot(page, "02-sub-org-overview")
    nav(page, "Users")
    expect()(page.get_by_test_id("users")).to_contain_text("admin@wingtiptoys.example")
    shot(page, "03-sub-org-users")


def test_refusing_customer_access_locks_the_customer_out(new_page, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, "pat@northwind.example")
    open_org(page, "Fabrikam")
    nav(page, "Access")
    page.get_by_role("radio", name=re.compile("Refused")).check()
    page.get_by_role("button", name="Review change").click()
    consequences = page.get_by_test_id("consequences")
    expect()(consequences).to_contain_text("Fabrikam's own users will lose access at once")
    shot(page, "04-access-confirmation")
    page.get_by_role("button", name="Confirm change").click()
    expect()(page.get_by_test_id("customer-access")).to_have_text("refused")

    customer = sign_in(new_page(), live_server, "admin@fabrikam.example")
    expect()(customer.get_by_test_id("error")).to_contain_text(
        "Northwind MSP refused customer access to your organization"
    )
    assert "/sign-in" in customer.url
    shot(customer, "05-sign-in-refused-customer")


def test_invite_and_accept(new_page, live_server):  # type: ignore[no-untyped-def]
    admin = sign_in(new_page(), live_server, "alex@northwind.example")
    open_org(admin, "Litware")
    nav(admin, "Users")
    form = admin.get_by_test_id("invite-form")
    form.get_by_label("Email").fill("newhire@litware.example")
    form.get_by_label("Role").select_option("admin")
    form.get_by_role("button", name="Send invitation").click()
    expect()(admin.get_by_role("status")).to_have_text("Invitation sent.")
    expect()(admin.get_by_test_id("invitations")).to_contain_text("newhire@litware.example")
    shot(admin, "06-users-and-invitations")

    invitee = new_page()
    invitee.goto(
        live_server.url
        + "/accept-invitation?token="
        + live_server.token_for("newhire@litware.example")
    )
    invitee.get_by_label("Your name").fill("New Hire")
    invitee.get_by_label("Choose a password").fill("a long new passphrase")
    invitee.get_by_role("button", name="Accept invitation").click()
    expect()(invitee.get_by_role("status")).to_contain_text("Invitation accepted")
    invitee.get_by_label("Password").fill("a long new passphrase")
    invitee.get_by_role("button", name="Sign in").click()
    expect()(invitee.get_by_test_id("current-org")).to_have_text("Litware")
    # Invited as an admin: the directory is open to them.
    nav(invitee, "Users")
    expect()(invitee.get_by_test_id("users")).to_contain_text("newhire@litware.example")


def test_child_license_report_never_shows_the_parent_quantity(new_page, live_server):  # type: ignore[no-untyped-def]
    parent = sign_in(new_page(), live_server, "pat@northwind.example")
    open_org(parent, "Northwind MSP")
    nav(parent, "Licenses")
    pool = parent.get_by_test_id("pool-endpoint-protection")
    expect()(pool.get_by_test_id("quantity")).to_have_text("1500")
    expect()(parent.locator("figure svg").first).to_be_visible()
    legend = parent.locator("figure").first.locator(".legend")
    expect()(legend).to_contain_text("Contoso")
    expect()(legend).to_contain_text("Adventure Works")
    parent.get_by_role("link", name="90 days").click()
    assert "days=90" in parent.url
    shot(parent, "07-license-report-parent")
    csv = parent.request.get(
        live_server.url + parent.get_by_test_id("csv-link").get_attribute("href")
    )
    assert csv.ok and "text/csv" in csv.headers["content-type"]

    child = sign_in(new_page(), live_server, "admin@contoso.example")
    expect()(child.get_by_test_id("current-org")).to_have_text("Contoso")  # its only org
    nav(child, "Licenses")
    expect()(child.get_by_test_id("license-table")).to_contain_text("endpoint-protection")
    expect()(child.locator("figure svg").first).to_be_visible()
    shot(child, "08-license-report-child")
    text = child.locator("body").inner_text()
    html = child.content()
    assert "1500" not in text
    assert not re.search(r"[>\s:]1500[<\s]", html)
    assert "quantity" not in text.lower()
    assert "Northwind MSP" not in text  # wears its brand, never names the partner org
    csv = child.request.get(
        live_server.url + child.get_by_test_id("csv-link").get_attribute("href")
    )
    assert csv.ok and "1500" not in csv.text()


def test_operator_creates_a_sub_org_with_inline_salesforce_check(new_page, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, "operator@demo.example")
    page.get_by_role("link", name="Operator").click()
    page.get_by_label("Search", exact=True).fill("Bluebird")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Bluebird Reseller").click()
    form = page.get_by_test_id("create-sub-org")
    form.get_by_label("Name", exact=True).fill("Northwind Traders")
    form.get_by_label("Customer name").fill("Northwind Traders Inc")
    sfid = form.get_by_label(re.compile("^Salesforce account ID"))
    status = form.get_by_test_id("salesforce-status")
    sfid.fill("001A000002XyZaBAAA")
    expect()(status).to_contain_text("checksum")
    sfid.fill("001A000002XyZaB")
    checksum = page.evaluate("window.tenantreeSalesforceChecksum('001A000002XyZaB')")
    expect()(status).to_contain_text("valid; stored as 001A000002XyZaB" + checksum)
    shot(page, "09-operator-create-sub-org")
    form.get_by_role("button", name="Create sub-org").click()
    expect()(page.get_by_role("status")).to_have_text("Sub-org created.")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Operator: Northwind Traders")

    grant = page.get_by_test_id("grant-license")
    grant.get_by_label("SKU").fill("backup")
    grant.get_by_label("Unit").fill("terabytes")
    grant.get_by_label("Quantity").fill("25")
    grant.get_by_label("Starts on").fill("2026-01-01")
    grant.get_by_label("Ends on").fill("2027-01-01")
    grant.get_by_role("button", name="Grant license").click()
    expect()(page.get_by_role("status")).to_have_text("License granted.")
    expect()(page.get_by_role("cell", name="terabytes")).to_be_visible()

    # The server stays the authority: a duplicate Salesforce ID is refused.
    page.goto(live_server.url + "/operator/orgs")
    create = page.get_by_test_id("create-org")
    create.get_by_label("Name", exact=True).fill("Duplicate")
    create.get_by_label(re.compile("^Salesforce account ID")).fill("001A000002XyZaB")
    create.get_by_label(re.compile("^Primary administrator")).fill("dup@example.com")
    create.get_by_role("button", name="Create org").click()
    # Beside the field, the typed values kept.
    expect()(page.get_by_test_id("field-error")).to_contain_text("already belongs to another org")
    expect()(create.get_by_label("Name", exact=True)).to_have_value("Duplicate")


def test_publish_a_brand_and_see_it_on_its_custom_domain(new_page, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, "alex@northwind.example")
    open_org(page, "Northwind MSP")
    nav(page, "Branding")
    form = page.get_by_test_id("brand-form")
    preview = page.get_by_test_id("preview")
    form.get_by_label("Product name").fill("Northwind Portal")
    expect()(preview).to_contain_text("Northwind Portal")  # live preview of the draft
    form.get_by_label("Sign-in page message").fill("Sign in to your Northwind Portal.")
    form.get_by_label(re.compile("^Custom domain")).fill(CUSTOM_HOST)
    form.get_by_role("button", name="Save draft").click()
    expect()(page.get_by_role("status")).to_contain_text("Draft saved")
    record = page.locator("code", has_text="_tenantree-challenge").inner_text()
    value = page.locator("code", has_text="tenantree-domain-verification=").inner_text()
    live_server.dns.publish(record, value)
    page.get_by_role("button", name=f"Verify {CUSTOM_HOST}").click()
    expect()(page.get_by_role("status")).to_have_text("Domain verified.")
    # The logo goes up through the editor's script (the file itself, CSRF in a header).
    page.get_by_label("Logo file").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    expect()(page.get_by_role("status")).to_contain_text("Image added to the draft")
    expect()(page.get_by_alt_text("Current logo of the draft")).to_be_visible()
    page.get_by_test_id("publish").click()
    expect()(page.get_by_role("status")).to_have_text("Brand published.")
    expect()(page.get_by_test_id("product-name")).to_have_text("Northwind Portal")
    shot(page, "10-branding-editor")

    visitor = new_page()
    visitor.goto(f"http://{CUSTOM_HOST}:{live_server.port}/sign-in")
    expect()(visitor.get_by_test_id("product-name")).to_have_text("Northwind Portal")
    expect()(visitor.get_by_test_id("sign-in-message")).to_have_text(
        "Sign in to your Northwind Portal."
    )
    shot(visitor, "11-sign-in-custom-domain")
    platform = new_page()
    platform.goto(live_server.url + "/sign-in")
    expect()(platform.get_by_test_id("product-name")).to_have_text("tenantree")
    shot(platform, "02-sign-in-platform")


def test_audit_log_filters(new_page, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(new_page(), live_server, "pat@northwind.example")
    open_org(page, "Northwind MSP")
    nav(page, "Audit log")
    page.get_by_label("Action").select_option("license.granted")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("audit-events").locator("tbody tr")
    expect()(rows).to_have_count(2)
    expect()(rows.first).to_contain_text("license.granted")
    shot(page, "12-audit-log")
    page.get_by_label("Actor").fill("nobody@nowhere.example")
    page.get_by_role("button", name="Filter").click()
    expect()(page.get_by_text("No events match.")).to_be_visible()


def test_keyboard_only_sign_in_and_navigation(new_page, live_server):  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(live_server.url + "/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("uma@northwind.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(live_server.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/orgs\?landing=1$"))
    # Focus is visible: the focused link gets an outline.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_operator_reconciles_a_salesforce_export(new_page, live_server):  # type: ignore[no-untyped-def]
    from crm.planted import sfid

    page = sign_in(new_page(), live_server, "operator@demo.example")
    page.get_by_role("link", name="Operator").click()
    page.get_by_role("link", name="Salesforce reconciliation").click()
    upload = page.get_by_label("Accounts export (CSV)")
    # Windows browsers call a .csv an Excel file: the page sends it as text/csv anyway.
    bad = f"Account ID,Account Name\r\n{sfid(99)[:17]}Q,Stray Holdings\r\n".encode()
    upload.set_input_files({"name": "a.csv", "mimeType": "application/vnd.ms-excel", "buffer": bad})
    expect()(page.get_by_role("alert")).to_contain_text('row 2, column "Account ID"')
    good = f"Account ID,Account Name\r\n{sfid(99)},Stray Holdings\r\n".encode()
    upload.set_input_files({"name": "accounts.csv", "mimeType": "text/csv", "buffer": good})
    expect()(page.get_by_test_id("summary")).to_contain_text("accounts.csv")
    expect()(page.get_by_role("cell", name="Stray Holdings", exact=True)).to_be_visible()
    shot(page, "12-salesforce-reconciliation")
