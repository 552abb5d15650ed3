"""Pages of orgs (`GET /orgs`, a partner's sub-orgs) are serialized from the
rows read, not through `OrgOut`: each item must still be `OrgOut`'s JSON."""

from __future__ import annotations

from tenantree.api.schemas.orgs import OrgOut, OrgSummaryRow

ORGS = "/api/v1/orgs"


def test_a_page_of_sub_orgs_shows_each_as_the_org_itself_is_shown(orgs_api, client) -> None:
    partner = orgs_api.partner("msp")
    orgs_api.sub_org(partner["id"], name="Ä first", customer_name='Ünïcode "quoted" Ltd')
    orgs_api.sub_org(partner["id"], name="B second", customer_name="Plain Inc")
    page = client.get(f"{ORGS}/{partner['id']}/sub-orgs?limit=1", headers=orgs_api.headers)
    rest = client.get(
        f"{ORGS}/{partner['id']}/sub-orgs?cursor={page.json()['next_cursor']}",
        headers=orgs_api.headers,
    )
    items = page.json()["items"] + rest.json()["items"]
    assert [item["name"] for item in items] == ["B second", "Ä first"]
    for item in items:
        assert item == client.get(f"{ORGS}/{item['id']}", headers=orgs_api.headers).json()


def test_a_page_of_orgs_shows_each_as_the_org_itself_is_shown(orgs_api, client) -> None:
    partner = orgs_api.partner("distributor")
    orgs_api.sub_org(partner["id"])
    items = client.get(ORGS, headers=orgs_api.headers).json()["items"]
    assert {item["kind"] for item in items} == {"partner", "sub_org"}
    for item in items:
        assert item == client.get(f"{ORGS}/{item['id']}", headers=orgs_api.headers).json()


def test_a_summary_row_has_the_fields_of_the_org_answer_in_their_order() -> None:
    assert list(OrgSummaryRow.__annotations__) == list(OrgOut.model_fields)
