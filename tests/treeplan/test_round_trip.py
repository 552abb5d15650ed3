"""Export, then plan: no change. On the demo tree and on a generated 1,000-sub-org tree."""

from __future__ import annotations

from bench.datagen import Spec, build_world, insert_world
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tenantree.cli.demo import load_demo
from tenantree.config import Settings
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.diff import diff_trees
from tenantree.treeplan.document import dump_tree, parse_tree
from treeplan.conftest import Apply


def _exported(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return dump_tree(read_tree(session))


def test_the_demo_tree_exported_then_planned_has_no_change(
    settings: Settings, sessions: sessionmaker[Session], apply: Apply
) -> None:
    load_demo(settings)
    exported = parse_tree(_exported(sessions))
    # Three tiers: the demo's distributor with its tier-2 reseller and MSP,
    # each with its two customers.
    assert len(exported.orgs) == 4 and len(exported.all_orgs()) == 25
    distributor = next(o for o in exported.orgs if o.partner_type == "distributor")
    tier_two = {sub.partner_type: len(sub.sub_orgs) for sub in distributor.sub_orgs}
    assert tier_two == {"msp": 2, "reseller": 2}
    msp = next(o for o in exported.orgs if o.partner_type == "msp")
    assert msp.brand is not None and msp.brand.product_name == "Northwind Cloud"
    with sessions() as session:
        assert diff_trees(exported, read_tree(session)).changed == []
    assert apply(exported).applied == []


def test_a_1000_sub_org_tree_round_trips_and_reapplies_as_a_no_op(
    engine: Engine, sessions: sessionmaker[Session], apply: Apply
) -> None:
    # The benchmarks' hierarchy (bulk-inserted): refused customers, partner
    # users restricted to a list, licenses, suspended members.
    world = build_world(
        Spec(partners=1, sub_orgs_per_partner=1000, users=1200, licenses_per_partner=10)
    )
    insert_world(engine, world, progress=False)
    text = _exported(sessions)
    exported = parse_tree(text)
    assert len(exported.all_orgs()) == 1001
    assert "refused" in text and "partner_users:" in text
    with sessions() as session:
        assert diff_trees(exported, read_tree(session)).changed == []
    assert apply(exported).applied == []
