"""Applying a tree through the services: creation, idempotence, refusals, pruning."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenantree.audit.actions import AuditAction
from tenantree.audit.models import AuditEvent
from tenantree.licensing.models import License
from tenantree.orgs.models import Org
from tenantree.treeplan.apply import ApplyRefused
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.diff import Action, TreeDiff
from tenantree.treeplan.document import PartnerSpec, Tree
from treeplan.conftest import Apply
from treeplan.trees import license_, msp, sfid, sub_org

Plan = Callable[[Tree], TreeDiff]


def _tree() -> Tree:
    return Tree(
        orgs=[
            msp(
                [
                    sub_org(
                        1,
                        licenses=[license_("backup", 5, unit="terabytes")],
                        license_source="own",
                        access={"customer_access": "refused", "customer_may_brand": True},
                    ),
                    sub_org(2, quotas={"endpoint-protection": 40}),
                    sub_org(3, brand={"product_name": "Customer Three Cloud"}),
                ],
                licenses=[license_(quantity=500, overage_policy="allow_and_flag")],
                brand={"product_name": "Northwind Cloud", "primary_color": "#7C2D12"},
            ),
            {
                "salesforce_id": sfid(9, tag="STND"),
                "name": "Globex",
                "primary_admin_email": "gina@globex.example",
            },
        ]
    )


def _org(sessions: sessionmaker[Session], salesforce_id: str) -> Org:
    with sessions() as session:
        org = session.scalar(select(Org).where(Org.salesforce_id == salesforce_id))
        assert org is not None
        return org


def test_apply_makes_the_tree_and_plan_then_shows_no_change(apply: Apply, plan: Plan) -> None:
    result = apply(_tree())
    assert len(result.applied) == 5
    assert plan(_tree()).changed == []


def test_a_second_apply_changes_nothing_and_records_no_audit_event(
    apply: Apply, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    with sessions() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    assert apply(_tree()).applied == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_apply_goes_through_the_services_so_changes_are_audited(
    apply: Apply, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    with sessions() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {
        AuditAction.ORG_CREATED,
        AuditAction.ORG_PARTNER_ACTIVATED,
        AuditAction.SUB_ORG_CREATED,
        AuditAction.LICENSE_GRANTED,
        AuditAction.LICENSE_SOURCE_CHANGED,
        AuditAction.QUOTA_CHANGED,
        AuditAction.ACCESS_SETTINGS_CHANGED,
        AuditAction.BRAND_PUBLISHED,
    } <= actions


def test_an_update_changes_only_what_differs(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    changed = _tree().model_copy(deep=True)
    partner = changed.orgs[0]
    subs = [
        s.model_copy(update={"name": "Renamed"}) if i == 1 else s
        for i, s in enumerate(partner.sub_orgs)
    ]
    changed = Tree(orgs=[partner.model_copy(update={"sub_orgs": subs}), changed.orgs[1]])
    diff = plan(changed)
    assert [o.salesforce_id for o in diff.changed] == [sfid(2)]
    apply(changed)
    assert _org(sessions, sfid(2)).name == "Renamed"
    assert plan(changed).changed == []


def test_the_first_refusal_stops_the_run_and_names_what_was_applied(
    apply: Apply, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    subs = [
        sub_org(1, name="One renamed"),
        # No service changes a customer name after creation: refused.
        sub_org(2, name="Two renamed", customer_name="Someone else"),
        sub_org(3, name="Three renamed"),
    ]
    with pytest.raises(ApplyRefused) as caught:
        apply(Tree(orgs=[msp(subs)]))
    refused = caught.value
    assert refused.org.salesforce_id == sfid(2)
    assert refused.change.what == "customer_name"
    assert [o.salesforce_id for o in refused.applied] == [sfid(1)]
    assert sfid(2) in str(refused) and "customer_name" in str(refused)
    # The refused org's own earlier change was rolled back with it; later orgs untouched.
    assert [_org(sessions, sfid(n)).name for n in (1, 2, 3)] == [
        "One renamed",
        "Customer 2",
        "Customer 3",
    ]


def test_a_service_refusal_stops_the_run(apply: Apply) -> None:
    apply(_tree())
    # A partner must stay on Pro: lifecycle refuses, not the tree.
    tree = Tree(orgs=[msp([], edition="standard")])
    with pytest.raises(ApplyRefused) as caught:
        apply(tree)
    assert caught.value.error.code == "partner_needs_pro"
    assert caught.value.applied == []


def test_creating_a_top_level_org_needs_its_primary_admin(apply: Apply) -> None:
    tree = Tree(orgs=[{"salesforce_id": sfid(9, tag="STND"), "name": "Globex"}])
    with pytest.raises(ApplyRefused) as caught:
        apply(tree)
    assert caught.value.error.field == "primary_admin_email"


def test_restricting_to_an_unknown_partner_user_names_the_field(apply: Apply) -> None:
    apply(_tree())
    tree = Tree(orgs=[msp([sub_org(1, access={"partner_users": ["nobody@example.com"]})])])
    with pytest.raises(ApplyRefused) as caught:
        apply(tree)
    assert caught.value.error.field == "access.partner_users"


def test_without_prune_dropped_orgs_and_licenses_stay(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    smaller = Tree(orgs=[msp([sub_org(1, licenses=[])])])
    result = apply(smaller)
    assert result.applied == []
    assert {(c.what, c.action) for _, c in result.left} == {
        ("org", Action.DELETE),
        ("license", Action.DELETE),
    }
    assert _org(sessions, sfid(2)).status == "active"


def test_prune_deactivates_dropped_orgs_and_ends_dropped_licenses(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    smaller = Tree(orgs=[msp([sub_org(1, licenses=[])])])
    apply(smaller, prune=True)
    assert [_org(sessions, sfid(n)).status for n in (1, 2, 3)] == [
        "active",
        "deactivated",
        "deactivated",
    ]
    assert _org(sessions, sfid(9, tag="STND")).status == "deactivated"
    with sessions() as session:
        # Nothing deleted: the license is ended, the orgs are still there.
        assert session.scalar(select(License.status).where(License.sku == "backup")) == "ended"
        assert session.scalar(select(func.count()).select_from(Org)) == 5
    assert plan(smaller).changed == []
    assert apply(smaller, prune=True).applied == []


def test_export_reads_back_what_apply_made(apply: Apply, sessions: sessionmaker[Session]) -> None:
    apply(_tree())
    with sessions() as session:
        exported = read_tree(session)
    partner = exported.orgs[1]
    assert partner.name == "Northwind MSP"
    assert [s.name for s in partner.sub_orgs] == ["Customer 1", "Customer 2", "Customer 3"]
    first = partner.sub_orgs[0]
    assert first.license_source == "own"
    assert first.access is not None and first.access.customer_access == "refused"
    assert partner.sub_orgs[1].quotas == {"endpoint-protection": 40}


def _beside_globex(partner: PartnerSpec) -> Tree:
    return Tree(orgs=[partner, _tree().orgs[1]])


def test_a_partner_deactivated_with_all_its_customers_suspends_them(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    off = [sub_org(n, status="deactivated") for n in (1, 2, 3)]
    apply(_beside_globex(msp(off, status="deactivated")))
    assert [_org(sessions, sfid(n)).deactivated_with_partner for n in (1, 2, 3)] == [True] * 3
    assert plan(_beside_globex(msp(off, status="deactivated"))).changed == []
    # Reactivating the partner brings back exactly those; the file keeps one off.
    back = [sub_org(1), sub_org(2), sub_org(3, status="deactivated")]
    apply(_beside_globex(msp(back)))
    assert [_org(sessions, sfid(n)).status for n in (1, 2, 3)] == [
        "active",
        "active",
        "deactivated",
    ]
    assert plan(_beside_globex(msp(back))).changed == []


def test_a_partner_deactivated_with_customers_left_on_keeps_them_running(
    apply: Apply, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    subs = [sub_org(1), sub_org(2, status="deactivated"), sub_org(3)]
    apply(_beside_globex(msp(subs, status="deactivated")))
    assert [_org(sessions, sfid(n)).status for n in (1, 2, 3)] == [
        "active",
        "deactivated",
        "active",
    ]
