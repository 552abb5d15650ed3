"""Every console list of orgs: search by name, customer name and Salesforce ID
prefix, sortable columns, Previous/Next."""

from __future__ import annotations

import re

from console.test_console_http import cookie
from factories import build_world, make_sub_org

NEXT = re.compile(r'href="([^"]+)" rel="next"')
PREV = re.compile(r'href="([^"]+)" rel="prev"')


def test_sub_orgs_are_found_by_customer_name_and_salesforce_prefix(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    world.S.customer_name = "Contoso Ltd"
    session.commit()
    url = f"/orgs/{world.P.id}/sub-orgs"
    found = client.get(url, params={"q": "contoso"}, headers=cookie(world, "P-PA")).text
    assert "Sub-org S" in found and "Sibling T" not in found
    prefix = world.T.salesforce_id[:9].lower()
    found = client.get(url, params={"q": prefix}, headers=cookie(world, "P-PA")).text
    assert "Sibling T" in found and "Sub-org S" not in found


def test_sub_orgs_sort_by_name_descending(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(
        f"/orgs/{world.P.id}/sub-orgs",
        params={"sort": "name", "dir": "desc"},
        headers=cookie(world, "P-PA"),
    ).text
    assert page.index("Sub-org S") < page.index("Sibling T")
    assert 'aria-sort="descending"' in page


def _names(page: str) -> list[str]:
    return re.findall(r'<td><a href="/orgs/[^"]+">([^<]+)</a>', page)


def test_sub_orgs_sort_by_customer_name_and_page_both_ways(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    world.S.customer_name = "Zeta Corp"
    world.T.customer_name = None  # no customer name: sorts first, as the empty name
    for i, customer in enumerate(["Alpha Ltd", "Mid Inc", "Beta GmbH"]):
        make_sub_org(session, world.P, name=f"Extra {i}").customer_name = customer
    session.commit()
    headers = cookie(world, "P-PA")
    url = f"/orgs/{world.P.id}/sub-orgs"
    pages, page = (
        [],
        client.get(url, params={"sort": "customer_name", "limit": 2}, headers=headers).text,
    )
    while True:
        pages.append(page)
        found = NEXT.search(page)
        if not found:
            break
        page = client.get(found.group(1).replace("&amp;", "&"), headers=headers).text
    back = client.get(PREV.search(pages[1]).group(1).replace("&amp;", "&"), headers=headers).text

    assert [n for p in pages for n in _names(p)] == [
        "Sibling T", "Extra 0", "Extra 2", "Extra 1", "Sub-org S"
    ]  # fmt: skip
    assert _names(back) == _names(pages[0])
    assert 'aria-sort="ascending"' in pages[0]


def test_an_unknown_sort_is_a_422_naming_the_field(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get("/orgs", params={"sort": "secret"}, headers=cookie(world, "P-PA"))
    assert page.status_code == 422 and "sort must be one of" in page.text


def test_next_then_previous_returns_to_the_first_page(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    for i in range(3):
        make_sub_org(session, world.P, name=f"Extra {i}")
    session.commit()
    headers = cookie(world, "P-PA")
    first = client.get(f"/orgs/{world.P.id}/sub-orgs", params={"limit": 2}, headers=headers).text
    assert not PREV.search(first)
    second = client.get(NEXT.search(first).group(1).replace("&amp;", "&"), headers=headers).text
    back = client.get(PREV.search(second).group(1).replace("&amp;", "&"), headers=headers).text
    assert re.findall(r'<td><a href="/orgs/[^"]+">([^<]+)</a>', back) == re.findall(
        r'<td><a href="/orgs/[^"]+">([^<]+)</a>', first
    )


def test_the_operator_list_says_operator_not_through_partner(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get("/orgs", params={"q": "Sub-org S"}, headers=cookie(world, "OP")).text
    assert "through partner" not in page and "<td>operator</td>" in page
    assert "sub-org" in page and "sub_org" not in page


def test_users_are_found_by_email_and_sorted_by_role(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    url = f"/orgs/{world.S.id}/users"
    found = client.get(url, params={"q": "S-RO@"}, headers=cookie(world, "S-A")).text
    assert "s-ro@example.com" in found and "s-u@example.com" not in found
    ordered = client.get(
        url, params={"sort": "role", "dir": "desc"}, headers=cookie(world, "S-A")
    ).text
    rows = re.findall(r'data-email="([^"]+)"', ordered)
    assert rows.index("s-u@example.com") < rows.index("s-ro@example.com")
    assert rows.index("s-ro@example.com") < rows.index("s-a@example.com")


def test_the_users_search_also_finds_invitations_by_email(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    for email in ("alice@contoso.example", "bob@fabrikam.example"):
        invited = client.post(
            f"/api/v1/orgs/{world.S.id}/invitations",
            json={"email": email, "role": "user"},
            headers=world.headers("S-A"),
        )
        assert invited.status_code == 201, invited.text
    page = client.get(
        f"/orgs/{world.S.id}/users", params={"q": "FABRIKAM"}, headers=cookie(world, "S-A")
    ).text
    assert "bob@fabrikam.example" in page
    assert "alice@contoso.example" not in page
