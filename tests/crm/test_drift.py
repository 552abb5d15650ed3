"""Drift between an Accounts export and the tree: each kind found, once per fault."""

from __future__ import annotations

import uuid
from collections import Counter

from crm.planted import (
    BOTH_FORMS,
    PLANTED,
    SUB_ORG_MOVED,
    planted_export,
    planted_orgs,
    sfid,
)
from tenantree.crm.accounts_csv import read_accounts
from tenantree.crm.drift import DriftKind, TreeOrg, reconcile
from tenantree.orgs.kinds import OrgKind


def test_every_planted_drift_is_found_exactly_once_and_nothing_else():
    drifts = reconcile(read_accounts(planted_export()), planted_orgs())
    assert Counter(d.kind for d in drifts) == Counter(set(PLANTED))
    assert {d.kind: d.salesforce_id for d in drifts} == PLANTED


def test_an_export_that_agrees_with_the_tree_has_no_drift():
    export = b"Id,Name\r\n" + f"{sfid(1)},Litware Inc\r\n".encode()
    orgs = [TreeOrg(uuid.uuid4(), "Litware Inc", OrgKind.STANDARD, sfid(1), "active")]
    assert reconcile(read_accounts(export), orgs) == []


def test_a_drift_names_the_rows_it_is_about():
    drifts = reconcile(read_accounts(planted_export()), planted_orgs())
    rows = {d.kind: d.rows for d in drifts}
    assert rows[DriftKind.ID_FORMS_COLLIDE] == (9, 10)
    assert rows[DriftKind.DUPLICATE_ACCOUNT] == (7, 8)
    assert rows[DriftKind.ORG_NOT_IN_EXPORT] == ()


def test_a_partner_link_drift_says_both_sides():
    drifts = reconcile(read_accounts(planted_export()), planted_orgs())
    (moved,) = [d for d in drifts if d.salesforce_id == SUB_ORG_MOVED]
    assert sfid(1) in moved.detail and sfid(5) in moved.detail


def test_ids_that_differ_only_in_case_collide():
    lower, upper = sfid(7, letter="a"), sfid(7, letter="A")
    export = f"Id,Name\n{lower},One\n{upper},Two\n".encode()
    orgs = [
        TreeOrg(uuid.uuid4(), "One", OrgKind.STANDARD, lower, "active"),
        TreeOrg(uuid.uuid4(), "Two", OrgKind.STANDARD, upper, "active"),
    ]
    (drift,) = reconcile(read_accounts(export), orgs)
    assert drift.kind == DriftKind.ID_FORMS_COLLIDE
    assert drift.rows == (2, 3)


def test_the_15_and_18_character_forms_of_one_account_are_one_account():
    export = f"Id,Name\n{BOTH_FORMS[:15]},Wingtip Toys\n".encode()
    orgs = [TreeOrg(uuid.uuid4(), "Wingtip Toys", OrgKind.STANDARD, BOTH_FORMS, "active")]
    assert reconcile(read_accounts(export), orgs) == []


def test_a_sub_orgs_account_is_named_after_its_customer():
    orgs = [
        TreeOrg(
            uuid.uuid4(),
            "Contoso (tenant)",
            OrgKind.SUB_ORG,
            sfid(2),
            "active",
            customer_name="Contoso Ltd",
        )  # fmt: skip
    ]
    export = f"Id,Name\n{sfid(2)},Contoso Ltd\n".encode()
    assert reconcile(read_accounts(export), orgs) == []
