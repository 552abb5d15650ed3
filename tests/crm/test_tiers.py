"""Reconciliation over three tiers (docs/ACCESS.md "Three tiers"): a distributor,
its tier-2 partners and their customers, each drift with the org's depth and
parent chain as the operator sees it; reconciliation stays the operator's."""

from __future__ import annotations

import csv
import io
import uuid

from api.tiers_world import TierWorld, build_tiers
from crm.planted import sfid
from factories import bearer
from tenantree.crm.accounts_csv import read_accounts
from tenantree.crm.drift import DriftKind, TreeOrg, reconcile
from tenantree.crm.models import Reconciliation
from tenantree.crm.report import drifts_csv
from tenantree.orgs.kinds import OrgKind, PartnerType

URL = "/api/v1/crm/reconciliations"
CSV = {"Content-Type": "text/csv"}
DIST, TIER_TWO, CUSTOMER = sfid(21), sfid(22), sfid(23)


def _three_tiers(tier_two_type: PartnerType = PartnerType.MSP) -> list[TreeOrg]:
    linked = TIER_TWO if tier_two_type == PartnerType.MSP else None
    return [
        TreeOrg(uuid.uuid4(), "Contoso Distribution", OrgKind.PARTNER, DIST, "active",
                partner_type=PartnerType.DISTRIBUTOR),
        TreeOrg(uuid.uuid4(), "Fabrikam IT", OrgKind.SUB_ORG, TIER_TWO, "active",
                customer_name="Fabrikam IT Ltd", partner_type=tier_two_type,
                parent_chain=("Contoso Distribution",)),
        TreeOrg(uuid.uuid4(), "Litware", OrgKind.SUB_ORG, CUSTOMER, "active",
                customer_name="Litware Inc", partner_salesforce_id=linked,
                parent_chain=("Contoso Distribution", "Fabrikam IT")),
    ]  # fmt: skip


def _export(*rows: str) -> bytes:
    return ("Id,Name,ParentId,IsPartner\n" + "\n".join(rows) + "\n").encode()


AGREEING = (
    f"{DIST},Contoso Distribution,,1",
    f"{TIER_TWO},Fabrikam IT Ltd,{DIST},1",
    f"{CUSTOMER},Litware Inc,{TIER_TWO},0",
)


def test_an_export_that_agrees_at_every_tier_has_no_drift() -> None:
    # A tier-2 partner is a sub-org and a partner: its account's partner flag is set.
    assert reconcile(read_accounts(_export(*AGREEING)), _three_tiers()) == []


def test_a_tier_two_partners_account_not_flagged_partner_is_a_drift() -> None:
    rows = (AGREEING[0], f"{TIER_TWO},Fabrikam IT Ltd,{DIST},0", AGREEING[2])
    (drift,) = reconcile(read_accounts(_export(*rows)), _three_tiers(PartnerType.RESELLER))
    assert (drift.kind, drift.salesforce_id) == (DriftKind.PARTNER_FLAG_DIFFERS, TIER_TWO)
    assert "the org is a tier-2 partner (reseller)" in drift.detail
    assert (drift.depth, drift.parent_chain) == (1, ("Contoso Distribution",))


def test_each_tiers_drift_carries_its_depth_and_parent_chain() -> None:
    rows = (
        f"{DIST},Contoso Distributing,,1",  # renamed
        f"{TIER_TWO},Fabrikam IT Ltd,{DIST},1",
        f"{CUSTOMER},Litware Inc,{DIST},0",  # linked to the distributor, not its MSP
    )
    drifts = {d.salesforce_id: d for d in reconcile(read_accounts(_export(*rows)), _three_tiers())}
    assert {sf: d.kind for sf, d in drifts.items()} == {
        DIST: DriftKind.NAME_DIFFERS,
        CUSTOMER: DriftKind.PARTNER_LINK_DIFFERS,
    }
    assert (drifts[DIST].depth, drifts[DIST].parent_chain) == (0, ())
    assert drifts[CUSTOMER].depth == 2
    assert drifts[CUSTOMER].parent_chain == ("Contoso Distribution", "Fabrikam IT")


def _tiers(session, identity) -> TierWorld:  # type: ignore[no-untyped-def]
    world = build_tiers(session, identity)
    session.commit()
    return world


def _agreeing_rows(world: TierWorld) -> dict[str, str]:
    """Every org's account as the tree has it, by Salesforce ID."""
    orgs = (world.D, world.E, world.R, world.R2, world.C, world.C2)
    accounts = {org.id: org.salesforce_id for org in orgs}
    return {
        org.salesforce_id: f"{org.salesforce_id},{org.customer_name or org.name},"
        f"{accounts.get(org.parent_id, '')},{1 if org.partner_type else 0}"
        for org in orgs
    }


def test_the_operators_reconciliation_names_each_tiers_chain(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _tiers(session, identity)
    rows = _agreeing_rows(world)
    rows[world.R.salesforce_id] = rows[world.R.salesforce_id].replace(world.R.name, "Renamed R")
    del rows[world.C.salesforce_id]
    response = client.post(
        URL, content=_export(*rows.values()), headers={**world.headers("OP"), **CSV}
    )
    assert response.status_code == 201, response.text
    drifts = {d["salesforce_id"]: d for d in response.json()["drifts"]}
    assert {sf: d["kind"] for sf, d in drifts.items()} == {
        world.R.salesforce_id: "name_differs",
        world.C.salesforce_id: "org_not_in_export",
    }
    renamed, missing = drifts[world.R.salesforce_id], drifts[world.C.salesforce_id]
    assert (renamed["depth"], renamed["parent_chain"]) == (1, [world.D.name])
    assert (missing["depth"], missing["parent_chain"]) == (2, [world.D.name, world.R.name])
    assert f"active sub_org {world.C.name!r}" in missing["detail"]
    [line] = [r for r in csv.DictReader(io.StringIO(drifts_csv([missing])))]
    assert line["parent_chain"] == f"{world.D.name} > {world.R.name}"
    assert line["depth"] == "2"


def test_no_partner_at_any_tier_reads_a_reconciliation(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = _tiers(session, identity)
    kept = client.post(URL, content=_export(*AGREEING), headers={**world.headers("OP"), **CSV})
    assert kept.status_code == 201, kept.text
    for actor in ("D-PA", "R-PA", "R-A", "C-A"):
        headers = bearer(world.tokens[actor])
        assert client.get(URL, headers=headers).status_code == 403
        assert client.get(f"{URL}/{kept.json()['id']}", headers=headers).status_code == 403
        posted = client.post(URL, content=_export(*AGREEING), headers={**headers, **CSV})
        assert posted.status_code == 403


def test_a_reconciliation_kept_before_drifts_had_a_chain_still_reads(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    world = _tiers(session, identity)
    old_drift = {
        "kind": "account_without_org",
        "salesforce_id": DIST,
        "rows": [2],
        "org_id": None,
        "org_name": None,
        "account_name": "Gone",
        "detail": "old",
    }
    kept = Reconciliation(account_count=1, org_count=0, drift_count=1, drifts=[old_drift])
    session.add(kept)
    session.commit()
    response = client.get(f"{URL}/{kept.id}", headers=world.headers("OP"))
    assert response.status_code == 200, response.text
    [drift] = response.json()["drifts"]
    assert (drift["depth"], drift["parent_chain"]) == (None, [])
    assert "account_without_org," in drifts_csv([old_drift])
