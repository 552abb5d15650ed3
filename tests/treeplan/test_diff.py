"""The diff between a desired and a current tree (plain: no database)."""

from __future__ import annotations

from tenantree.treeplan.diff import Action, diff_trees
from tenantree.treeplan.document import Tree
from tenantree.treeplan.report import plan_lines
from treeplan.trees import END, generated_tree, license_, msp, sfid, sub_org


def _changes(diff, salesforce_id):  # type: ignore[no-untyped-def]
    org = next(o for o in diff.orgs if o.salesforce_id == salesforce_id)
    return [(c.what, c.action, c.key) for c in org.changes]


def test_a_tree_against_itself_has_no_change() -> None:
    tree = generated_tree(20)
    diff = diff_trees(tree, tree)
    assert diff.changed == []
    assert diff.counts()[Action.NO_CHANGE] == 21


def test_against_an_empty_database_everything_is_created() -> None:
    diff = diff_trees(generated_tree(3), Tree())
    assert [o.action for o in diff.orgs] == [Action.CREATE] * 4
    assert _changes(diff, sfid(1)) == [
        ("org", Action.CREATE, None),
        ("quota", Action.CREATE, "endpoint-protection"),
        ("license", Action.CREATE, "endpoint-protection@2026-01-01T00:00:00+00:00"),
    ]


def test_a_new_partner_is_created_then_made_a_partner() -> None:
    diff = diff_trees(Tree(orgs=[msp([])]), Tree())
    assert [c.what for c in diff.orgs[0].changes] == ["org", "partner_type"]


def test_a_new_msp_customer_keeps_the_default_source_without_a_change() -> None:
    desired = Tree(orgs=[msp([sub_org(1, license_source="parent_pool")])])
    assert _changes(diff_trees(desired, Tree()), sfid(1)) == [("org", Action.CREATE, None)]


def test_a_renamed_org_and_a_changed_quantity_are_updates() -> None:
    current = Tree(orgs=[msp([sub_org(1, licenses=[license_(quantity=10)])])])
    desired = Tree(orgs=[msp([sub_org(1, name="Renamed", licenses=[license_(quantity=12)])])])
    diff = diff_trees(desired, current)
    org = next(o for o in diff.orgs if o.salesforce_id == sfid(1))
    assert org.action == Action.UPDATE
    assert [(c.what, c.before, c.after) for c in org.changes][0] == (
        "name",
        "Customer 1",
        "Renamed",
    )
    license_change = org.changes[1]
    assert (license_change.what, license_change.action) == ("license", Action.UPDATE)
    assert license_change.after.quantity == 12


def test_a_section_left_out_is_not_managed() -> None:
    current = Tree(orgs=[msp([sub_org(1, licenses=[license_()], quotas={"backup": 3})])])
    desired = Tree(orgs=[msp([sub_org(1)])])
    assert diff_trees(desired, current).changed == []


def test_a_dropped_license_and_quota_would_be_deleted() -> None:
    current = Tree(orgs=[msp([sub_org(1, licenses=[license_()], quotas={"backup": 3})])])
    desired = Tree(orgs=[msp([sub_org(1, licenses=[], quotas={})])])
    diff = diff_trees(desired, current)
    assert _changes(diff, sfid(1)) == [
        ("quota", Action.DELETE, "backup"),
        ("license", Action.DELETE, "endpoint-protection@2026-01-01T00:00:00+00:00"),
    ]
    assert diff.orgs[1].action == Action.DELETE


def test_an_ended_license_the_file_dropped_is_no_change() -> None:
    current = Tree(orgs=[msp([sub_org(1, licenses=[license_(status="ended")])])])
    desired = Tree(orgs=[msp([sub_org(1, licenses=[])])])
    assert diff_trees(desired, current).changed == []


def test_orgs_the_file_dropped_would_be_deactivated_sub_orgs_first() -> None:
    other = msp([sub_org(7)], n=2, name="Other MSP")
    current = Tree(orgs=[other, msp([sub_org(1)])])
    diff = diff_trees(Tree(orgs=[msp([sub_org(1)])]), current)
    dropped = [o.salesforce_id for o in diff.orgs if o.action == Action.DELETE]
    assert dropped == [sfid(7), other.salesforce_id]


def test_a_dropped_org_already_deactivated_is_no_change() -> None:
    current = Tree(orgs=[msp([sub_org(1, status="deactivated")])])
    diff = diff_trees(Tree(orgs=[msp([])]), current)
    assert diff.changed == []


def test_moving_a_sub_org_to_another_partner_is_a_parent_change() -> None:
    other = msp([], n=2, name="Other MSP")
    current = Tree(orgs=[msp([sub_org(1)]), other])
    desired = Tree(orgs=[msp([]), other.model_copy(update={"sub_orgs": [sub_org(1)]})])
    change = diff_trees(desired, current).orgs[2].changes[0]
    assert (change.what, change.before, change.after) == (
        "parent",
        msp([]).salesforce_id,
        other.salesforce_id,
    )


def test_access_and_brand_are_compared_whole() -> None:
    current = Tree(orgs=[msp([sub_org(1)])])
    desired = Tree(
        orgs=[
            msp(
                [sub_org(1, access={"customer_access": "refused"})],
                brand={"product_name": "Northwind Cloud"},
            )
        ]
    )
    diff = diff_trees(desired, current)
    assert _changes(diff, msp([]).salesforce_id) == [("brand", Action.UPDATE, None)]
    assert _changes(diff, sfid(1)) == [("access", Action.UPDATE, None)]


def test_status_changes_come_last() -> None:
    current = Tree(orgs=[msp([sub_org(1)])])
    desired = Tree(orgs=[msp([sub_org(1, status="deactivated", name="Gone")])])
    assert [c.what for c in diff_trees(desired, current).orgs[1].changes] == ["name", "status"]


def test_the_plan_lists_changed_orgs_and_counts_the_rest() -> None:
    current = Tree(orgs=[msp([sub_org(1), sub_org(2)])])
    desired = Tree(orgs=[msp([sub_org(1), sub_org(2, licenses=[license_(ends_at=END)])])])
    lines = plan_lines(diff_trees(desired, current))
    assert lines[0] == f"~ update {sfid(2)} (Customer 2, sub-org of {msp([]).salesforce_id})"
    assert lines[1].startswith("    + license endpoint-protection@2026-01-01T00:00:00+00:00")
    assert lines[-1] == "Plan: 0 to create, 1 to update, 2 unchanged, 0 with deletions."


def test_the_file_and_the_diff_import_without_a_database() -> None:
    from test_architecture import import_without_database

    for module in ("tenantree.treeplan.document", "tenantree.treeplan.diff"):
        result = import_without_database(module)
        assert result.returncode == 0, f"{module}:\n{result.stderr}"
