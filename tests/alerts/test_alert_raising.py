"""Raising alerts on use and expiry: once per crossing, to whose figure it is,
mailed through the outbox in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_license, make_member, make_partner, make_sub_org
from tenantree import clock
from tenantree.alerts import service
from tenantree.alerts.models import Alert
from tenantree.alerts.sweep import sweep
from tenantree.alerts.usage import report_usage_and_alert
from tenantree.audit.service import AuditTrail
from tenantree.identity.roles import Role
from tenantree.licensing import sub_org_terms
from tenantree.licensing.pool import UsageOp
from tenantree.outbox.models import OutboxMessage

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The project's clock, frozen; the test moves it by setting now[0]."""
    moment = [NOW]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    return moment


@pytest.fixture
def tree(session: Session, identity, now):  # type: ignore[no-untyped-def]
    partner = make_partner(session, name="Partner")
    customer = make_sub_org(session, partner, name="Customer")
    partner_admin = make_member(session, identity, partner, role=Role.ADMIN, email="pa@p.example")
    make_member(session, identity, partner, role=Role.USER, email="pu@p.example")
    customer_admin = make_member(session, identity, customer, role=Role.ADMIN, email="ca@c.example")
    license_ = make_license(session, partner, quantity=10)
    return partner, customer, partner_admin, customer_admin, license_


def use(session, identity, org, units):  # type: ignore[no-untyped-def]
    return report_usage_and_alert(
        session,
        AuditTrail(session, actor_id=None),
        identity.outbox,
        org,
        sku="mon",
        op=UsageOp.SET,
        amount=units,
        sees_pool_figures=False,
    )


def alerts_of(session: Session, org) -> list[Alert]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(Alert).where(Alert.org_id == org.id).order_by(Alert.epoch, Alert.raised_at)
        )
    )


def mail_to(session: Session, address: str) -> list[OutboxMessage]:
    return [
        m
        for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
        if m.payload["to"] == address
    ]


def test_crossing_80_percent_alerts_the_pool_holders_admins_once(session, identity, tree):
    partner, customer, *_ = tree
    use(session, identity, customer, 7)
    assert alerts_of(session, partner) == []
    use(session, identity, customer, 8)
    use(session, identity, customer, 9)
    raised = alerts_of(session, partner)
    assert [(a.kind, a.threshold, a.epoch) for a in raised] == [("pool_use", 80, 0)]
    assert raised[0].figures == {"quantity": 10, "used": 8, "unit": "devices", "percent": 80}
    mails = mail_to(session, "pa@p.example")
    assert len(mails) == 1
    assert "8 of 10 devices" in mails[0].payload["text"]
    assert (mails[0].subject_type, mails[0].subject_id) == ("alert", raised[0].id)
    # Admins only: the partner's user is not mailed.
    assert mail_to(session, "pu@p.example") == []


def test_falling_back_below_re_arms_the_threshold(session, identity, tree):
    partner, customer, *_ = tree
    use(session, identity, customer, 8)
    use(session, identity, customer, 5)
    first = alerts_of(session, partner)
    assert first[0].cleared_at == NOW
    use(session, identity, customer, 9)
    raised = alerts_of(session, partner)
    assert [(a.threshold, a.epoch) for a in raised] == [(80, 0), (80, 1)]
    assert len(mail_to(session, "pa@p.example")) == 2


def test_the_sweep_raises_nothing_already_raised(session, identity, tree):
    partner, customer, *_ = tree
    use(session, identity, customer, 10)
    assert len(alerts_of(session, partner)) == 2  # 80% and 100%
    result = sweep(session, identity.outbox)
    assert result.raised == []
    assert len(mail_to(session, "pa@p.example")) == 2


def test_a_sub_orgs_quota_alert_shows_its_quota_and_never_the_pool(session, identity, tree):
    partner, customer, *_ = tree
    sub_org_terms.set_quota(session, AuditTrail(session, actor_id=None), customer, "mon", 5)
    use(session, identity, customer, 4)  # 80% of the quota, 40% of the pool
    [alert] = alerts_of(session, customer)
    assert alert.kind == "quota_use"
    assert alert.figures == {"quota": 5, "used": 4, "unit": "devices", "percent": 80}
    assert "quantity" not in alert.figures
    [mail] = mail_to(session, "ca@c.example")
    assert "quota of 5" in mail.payload["text"]
    assert "10" not in mail.payload["text"]  # the pool's quantity
    # The pool's alerts are the partner's: none reaches the customer's list.
    use(session, identity, customer, 5)
    assert {a.kind for a in service.list_alerts(session, customer)} == {"quota_use"}


def test_the_partners_thresholds_decide_what_alerts(session, identity, tree):
    partner, customer, *_ = tree
    service.set_thresholds(session, AuditTrail(session, actor_id=None), partner, [50])
    use(session, identity, customer, 5)
    assert [a.threshold for a in alerts_of(session, partner)] == [50]
    use(session, identity, customer, 10)
    assert [a.threshold for a in alerts_of(session, partner)] == [50]


@pytest.mark.parametrize(
    ("days_before_end", "threshold"), [(30, 30), (7, 7), (1, 1), (3, 7), (20, 30)]
)
def test_a_license_nearing_its_end_alerts_its_holder(
    session, identity, tree, now, days_before_end, threshold
):
    partner, _customer, _pa, _ca, license_ = tree
    license_.ends_at = NOW + timedelta(days=days_before_end)
    session.flush()
    sweep(session, identity.outbox)
    sweep(session, identity.outbox)
    [alert] = alerts_of(session, partner)
    assert (alert.kind, alert.threshold) == ("expiry", threshold)
    [mail] = mail_to(session, "pa@p.example")
    assert license_.ends_at.date().isoformat() in mail.payload["text"]


def test_each_expiry_threshold_alerts_once_as_the_end_nears(session, identity, tree, now):
    partner, _customer, _pa, _ca, license_ = tree
    license_.ends_at = NOW + timedelta(days=40)
    session.flush()
    for day in range(41):
        now[0] = NOW + timedelta(days=day)
        sweep(session, identity.outbox)
    assert [a.threshold for a in alerts_of(session, partner)] == [30, 7, 1]
    assert len(mail_to(session, "pa@p.example")) == 3


def test_a_renewed_license_alerts_again(session, identity, tree, now):
    partner, _customer, _pa, _ca, license_ = tree
    license_.ends_at = NOW + timedelta(days=5)
    session.flush()
    sweep(session, identity.outbox)
    license_.ends_at = NOW + timedelta(days=370)
    session.flush()
    now[0] = NOW + timedelta(days=365)
    sweep(session, identity.outbox)
    assert [a.threshold for a in alerts_of(session, partner)] == [7, 7]


def test_an_ended_license_raises_no_expiry_alert(session, identity, tree, now):
    partner, _customer, _pa, _ca, license_ = tree
    license_.ends_at = NOW - timedelta(days=1)
    session.flush()
    sweep(session, identity.outbox)
    assert [a for a in alerts_of(session, partner) if a.kind == "expiry"] == []


def test_a_sweep_in_several_batches_raises_every_pool_once(session, identity, now, monkeypatch):
    from tenantree.alerts import raising

    monkeypatch.setattr(raising, "BATCH", 2)
    partners = []
    for _ in range(5):
        partner = make_partner(session)
        make_license(session, partner, quantity=10)
        customer = make_sub_org(session, partner)
        use(session, identity, customer, 9)
        partners.append(partner)
    session.execute(Alert.__table__.delete())
    assert len(sweep(session, identity.outbox).raised) == 5
    assert sweep(session, identity.outbox).raised == []
    assert all(len(alerts_of(session, p)) == 1 for p in partners)
