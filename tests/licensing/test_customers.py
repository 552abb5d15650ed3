"""A partner's customers overview: rows with the figures the reader may see,
searched, filtered and sorted, built in a fixed number of queries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from factories import build_world, make_license, make_sub_org
from licensing.test_report_queries import build_partner, counting
from tenantree import clock
from tenantree.access.policy import CustomerColumns
from tenantree.audit.service import AuditTrail
from tenantree.licensing import customers
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sub_org_terms import set_quota
from tenantree.orgs.models import Org

ALL = CustomerColumns(use=True, access=True, users=True)
NAMES_ONLY = CustomerColumns(use=False, access=False, users=False)


def row(name: str, customer: str | None, sfid: str, **kw: object) -> customers.CustomerRow:
    return customers.CustomerRow(uuid.uuid4(), name, customer, sfid, "active", **kw)  # type: ignore[arg-type]


def test_search_finds_org_name_customer_name_and_salesforce_id_prefix() -> None:
    contoso = row("Acme Ops", "Contoso Ltd", "001Aa00000AbCdEfGh")
    assert customers.matches(contoso, "acme")
    assert customers.matches(contoso, "contoso")
    assert customers.matches(contoso, "001aa0")
    assert not customers.matches(contoso, "AbCdEf")  # the middle of an ID is no prefix
    assert not customers.matches(contoso, "fabrikam")


def test_filters_keep_only_the_chosen_access_state() -> None:
    rows = [row("A", None, "001"), row("B", None, "002", refused=True)]
    rows.append(row("C", None, "003", restricted=True))
    query = customers.CustomerQuery(access="refused").checked()
    assert [r.name for r in customers.filter_rows(rows, query)] == ["B"]


def test_an_unknown_sort_is_refused_naming_the_field() -> None:
    try:
        customers.CustomerQuery(sort="price").checked()
    except customers.Invalid as exc:
        assert exc.field == "sort"
    else:
        raise AssertionError("an unknown sort was accepted")


def test_sorting_by_use_descending_puts_the_largest_first_ties_by_name() -> None:
    def used(name: str, units: int) -> customers.CustomerRow:
        use = customers.SkuUse("mon", "devices", units, None, 100, from_partner_pool=True)
        return row(name, None, "001", uses=[use])

    rows = [used("b", 5), used("a", 5), used("c", 9)]
    ordered = customers.sort_rows(rows, "use", descending=True)
    assert [r.name for r in ordered] == ["c", "a", "b"]


def test_rows_carry_use_quota_share_access_and_users(session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity, refuse_s=True)
    make_license(session, world.P, quantity=20)
    trail = AuditTrail(session, actor_id=None)
    set_quota(session, trail, world.S, "mon", 8)
    report_usage(
        session, trail, world.S, sku="mon", op=UsageOp.ADD, amount=5, sees_pool_figures=True
    )
    rows = {r.name: r for r in customers.customer_rows(session, world.P, ALL, visible_ids=None)}
    s = rows["Sub-org S"]
    assert [(u.sku, u.used, u.quota, u.pool_quantity) for u in s.uses] == [("mon", 5, 8, 20)]
    assert s.uses[0].share == 0.25
    assert s.trend[-1] == 5
    assert s.refused and s.access_state == "refused"
    assert s.restricted_to == ["p-a@example.com", "p-ro@example.com", "p-u@example.com"]
    assert s.users == 4
    assert rows["Sibling T"].access_state == "open" and rows["Sibling T"].uses == []


def test_rows_leave_out_what_the_reader_may_not_see(session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    make_license(session, world.P, quantity=20)
    report_usage(
        session,
        AuditTrail(session, actor_id=None),
        world.S,
        sku="mon",
        op=UsageOp.ADD,
        amount=5,
        sees_pool_figures=True,
    )
    rows = customers.customer_rows(session, world.P, NAMES_ONLY, visible_ids={world.T.id})
    assert [r.name for r in rows] == ["Sibling T"]
    assert rows[0].uses == [] and rows[0].users is None and rows[0].trend == []


def test_a_customer_over_its_quota_raises_an_alert(session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    sub = make_sub_org(session, world.P, name="Over")
    make_license(session, world.P, quantity=20)
    trail = AuditTrail(session, actor_id=None)
    report_usage(session, trail, sub, sku="mon", op=UsageOp.ADD, amount=3, sees_pool_figures=True)
    set_quota(session, trail, sub, "mon", 2)
    rows = {r.name: r for r in customers.customer_rows(session, world.P, ALL, visible_ids=None)}
    assert rows["Over"].alerts == ["mon over its quota"]


def test_rows_take_the_same_number_of_queries_for_10_and_200_customers(
    session, identity, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    engine = session.get_bind().engine
    small = session.get(Org, build_partner(session, identity, 10).id)
    large = session.get(Org, build_partner(session, identity, 200).id)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2025, 3, 14, 12, tzinfo=UTC))
    counts = []
    for partner in (small, large):
        with counting(engine) as statements:
            rows = customers.customer_rows(session, partner, ALL, visible_ids=None)
        counts.append(len(statements))
    assert len(rows) == 200
    assert all(r.uses for r in rows)
    assert 3 <= counts[0] == counts[1] <= 10, counts
