"""The customers overview page and its CSV, as each partner actor sees them."""

from __future__ import annotations

import csv
import io

from console.test_console_http import cookie
from factories import build_world, make_license
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.pool import UsageOp


def _world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity, refuse_s=True)
    make_license(session, world.P, quantity=20)
    report_usage(
        session,
        AuditTrail(session, actor_id=None),
        world.T,
        sku="mon",
        op=UsageOp.ADD,
        amount=4,
        sees_pool_figures=True,
    )
    world.S.customer_name = "Contoso Ltd"
    session.commit()
    return world


def test_a_partner_admin_sees_use_share_access_and_users(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    page = client.get(f"/orgs/{world.P.id}/customers", headers=cookie(world, "P-PA"))
    assert page.status_code == 200, page.text
    assert "Contoso Ltd" in page.text and "Sibling T" in page.text
    assert "4</div>" not in page.text  # figures are phrased, not bare
    assert "<strong>mon</strong> 4, 20% of pool" in page.text
    assert "refused" in page.text
    assert 'class="spark"' in page.text


def test_a_partner_user_sees_names_without_figures(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    page = client.get(f"/orgs/{world.P.id}/customers", headers=cookie(world, "P-U"))
    assert page.status_code == 200, page.text
    assert "Sub-org S" in page.text
    assert "of pool" not in page.text and 'class="spark"' not in page.text
    assert "Users</a>" not in page.text


def test_search_by_customer_name_and_salesforce_prefix(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    url = f"/orgs/{world.P.id}/customers"
    by_customer = client.get(url, params={"q": "contoso"}, headers=cookie(world, "P-PA"))
    assert "Sub-org S" in by_customer.text and "Sibling T" not in by_customer.text
    prefix = world.T.salesforce_id[:8]
    by_id = client.get(url, params={"q": prefix}, headers=cookie(world, "P-PA"))
    assert "Sibling T" in by_id.text and "Sub-org S" not in by_id.text


def test_sorting_by_use_descending_lists_the_heaviest_user_first(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    page = client.get(
        f"/orgs/{world.P.id}/customers",
        params={"sort": "use", "dir": "desc"},
        headers=cookie(world, "P-PA"),
    )
    assert page.text.index("Sibling T") < page.text.index("Sub-org S")
    assert 'aria-sort="descending"' in page.text


def test_an_unknown_sort_answers_422_naming_the_field(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    page = client.get(
        f"/orgs/{world.P.id}/customers", params={"sort": "x"}, headers=cookie(world, "P-PA")
    )
    assert page.status_code == 422
    assert "sort must be one of" in page.text


def test_the_csv_holds_what_the_page_shows(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    url = f"/orgs/{world.P.id}/customers.csv"
    admin = list(csv.DictReader(io.StringIO(client.get(url, headers=cookie(world, "P-PA")).text)))
    t = next(r for r in admin if r["org_name"] == "Sibling T")
    assert (t["sku"], t["used"], t["pool_quantity"], t["share_of_pool"]) == (
        "mon",
        "4",
        "20",
        "0.2000",
    )
    user = client.get(url, headers=cookie(world, "P-U")).text
    assert user.splitlines()[0] == "org_id,org_name,customer_name,salesforce_id,status"


def test_a_sub_org_or_an_outsider_gets_no_customers_page(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _world(session, identity)
    assert (
        client.get(f"/orgs/{world.T.id}/customers", headers=cookie(world, "T-A")).status_code == 404
    )
    assert (
        client.get(f"/orgs/{world.P.id}/customers", headers=cookie(world, "U-A")).status_code == 404
    )


def test_paging_goes_forward_and_back(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    from factories import make_sub_org
    from tenantree.console.pages import customers as page_module

    world = _world(session, identity)
    for i in range(page_module.PAGE_SIZE):
        make_sub_org(session, world.P, name=f"Extra {i:02}")
    session.commit()
    url = f"/orgs/{world.P.id}/customers"
    first = client.get(url, headers=cookie(world, "P-PA")).text
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(
        url, params={"offset": page_module.PAGE_SIZE}, headers=cookie(world, "P-PA")
    )
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert "Sub-org S" in second.text  # 27 rows by name: S is after the 25 "Extra"s
