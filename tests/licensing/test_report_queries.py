"""The parent report runs a fixed number of SQL statements, however many
children the partner has: counted on the engine, for 10 and for 200 children
with licenses, consumption (some over quota, some from their own licenses)
and usage history over several days."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from factories import bearer, issue_token, make_member, make_partner, salesforce_id
from tenantree import clock
from tenantree.identity.roles import Role
from tenantree.licensing.history import sum_pool_days
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    Quota,
    UsageDaily,
    UsageSnapshot,
)
from tenantree.licensing.policies import OveragePolicy
from tenantree.orgs.kinds import OrgKind
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgAccess

START = datetime(2020, 1, 1, tzinfo=UTC)
END = datetime(2099, 1, 1, tzinfo=UTC)
DAYS = [datetime(2025, 3, day, 9, tzinfo=UTC) for day in (10, 11, 13)]
PERIOD = {"from": "2025-03-09", "to": "2025-03-14"}


@dataclass
class Partner:
    id: object
    headers: dict[str, str]
    child_id: object  # a child drawing on the partner's pool


def build_partner(session, identity, children: int) -> Partner:  # type: ignore[no-untyped-def]
    """A partner and its children with licenses, quotas, consumption and three
    days of history, written as rows in bulk (the service would take seconds
    for 200 children; the report reads the same rows either way)."""
    partner = make_partner(session)
    admin = make_member(session, identity, partner, role=Role.ADMIN)
    headers = bearer(issue_token(session, identity, admin.account))
    rows: list[object] = []

    def license_(holder: Org, sku: str, quantity: int, policy: OveragePolicy) -> None:
        rows.append(
            License(
                holder_org_id=holder.id,
                sku=sku,
                unit="devices",
                quantity=quantity,
                starts_at=START,
                ends_at=END,
                overage_policy=policy,
                status="active",
            )
        )

    def pool(holder: Org, sku: str) -> LicensePool:
        created = LicensePool(id=uuid.uuid4(), holder_org_id=holder.id, sku=sku, unit="devices")
        created.used = 0
        rows.append(created)
        return created

    def consume(pool: LicensePool, org_id: uuid.UUID, seed: int) -> None:
        levels = [(seed + day) % 7 + 1 for day in range(len(DAYS))]
        for i, (moment, units) in enumerate(zip(DAYS, levels, strict=True)):
            carried = levels[i - 1] if i else 0
            rows.append(
                UsageSnapshot(pool_id=pool.id, org_id=org_id, at=moment, units=units, pool_used=0)
            )
            rows.append(
                UsageDaily(
                    pool_id=pool.id,
                    org_id=org_id,
                    day=moment.date(),
                    peak_units=max(carried, units),
                    unit_seconds=units * 3600,
                    last_units=units,
                    last_at=moment,
                    closing_unit_seconds=units * 3600 + units * (86_400 - moment.hour * 3600),
                    carried_units=carried,
                )
            )
        rows.append(Consumption(pool_id=pool.id, org_id=org_id, units=levels[-1]))
        pool.used += levels[-1]

    license_(partner, "mon", 10 * children, OveragePolicy.BLOCK)
    license_(partner, "backup", 2 * children, OveragePolicy.ALLOW_AND_FLAG)
    mon, backup = pool(partner, "mon"), pool(partner, "backup")
    consume(mon, partner.id, 0)
    subs = []
    for i in range(children):
        sub = Org(
            id=uuid.uuid4(),
            name=f"Child {i:04}",
            kind=OrgKind.SUB_ORG,
            edition=partner.edition,
            parent_id=partner.id,
            parent_depth=0,
            depth=1,
            salesforce_id=salesforce_id(),
            partner_salesforce_id=partner.salesforce_id,
            customer_name=f"Customer {i}",
        )
        subs.append(sub)
        rows.append(sub)
        rows.append(SubOrgAccess(org_id=sub.id))
        if i % 3 == 0:
            rows.append(Quota(sub_org_id=sub.id, sku="mon", max_units=8))
        if i % 5 == 0:  # holds and consumes its own license
            rows.append(LicenseSourceChange(org_id=sub.id, source=LicenseSource.OWN))
            license_(sub, "mon", 20, OveragePolicy.BLOCK)
            consume(pool(sub, "mon"), sub.id, i)
        else:
            consume(mon, sub.id, i)
            consume(backup, sub.id, i + 3)
    # No relationships between these models: add them in foreign-key order.
    for kinds in ((Org,), (LicensePool, SubOrgAccess, Quota, LicenseSourceChange, License)):
        session.add_all([row for row in rows if isinstance(row, kinds)])
        session.flush()
    session.add_all(
        [row for row in rows if isinstance(row, Consumption | UsageDaily | UsageSnapshot)]
    )
    session.flush()
    # The history was written as rows, not as changes: its pools' days too.
    sum_pool_days(session, [row.id for row in rows if isinstance(row, LicensePool)])
    session.commit()
    return Partner(partner.id, headers, subs[1].id)


@contextmanager
def counting(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def partners(session, identity, monkeypatch) -> tuple[Partner, Partner]:  # type: ignore[no-untyped-def]
    small = build_partner(session, identity, 10)
    large = build_partner(session, identity, 200)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2025, 3, 14, 12, tzinfo=UTC))
    return small, large


def statements_for(client, engine, partner: Partner, **params: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    url = f"/api/v1/orgs/{partner.id}/license-report"
    with counting(engine) as statements:
        response = client.get(url, params=params, headers=partner.headers)
    assert response.status_code == 200, response.text
    body = response.json() if params.get("format", "json") == "json" else response.text
    return len(statements), body


FORMS = {
    "json": {},
    "csv": {"format": "csv"},
    "period json": PERIOD,
    "period csv": {**PERIOD, "format": "csv"},
}


def test_parent_report_statements_do_not_grow_with_children(client, engine, partners):
    # One test for the four forms: building 210 children is the slow part.
    small, large = partners
    statements_for(client, engine, small)  # warm up the connection
    counts = {}
    for form, params in FORMS.items():
        small_count, _ = statements_for(client, engine, small, **params)
        large_count, large_body = statements_for(client, engine, large, **params)
        counts[form] = (small_count, large_count)
        # The large report is complete: every child is there.
        if isinstance(large_body, dict):
            assert len(large_body["children"]) == 200
            mon = next(pool for pool in large_body["pools"] if pool["sku"] == "mon")
            assert len(mon["children"]) == 160  # every fifth child draws on its own license
            assert mon["used"] == mon["own_use"] + sum(c["used"] for c in mon["children"])
            if "from" in params:
                assert all(c["period_use"]["peak"] >= 1 for c in mon["children"])
        else:
            assert large_body.count("\n") == 1 + 2 * (1 + 160) + 40
    assert all(small == large for small, large in counts.values()), counts
    assert all(small <= 20 for small, _ in counts.values()), counts


def test_child_report_statements_do_not_grow_with_siblings(client, engine, partners):
    small, large = partners
    counts = []
    for partner in (small, large, small):
        with counting(engine) as statements:
            response = client.get(
                f"/api/v1/orgs/{partner.child_id}/license-report",
                params=PERIOD,
                headers=partner.headers,
            )
        assert response.status_code == 200, response.text
        counts.append(len(statements))
    assert counts[1] == counts[2], counts
