"""A sub-org's license source: one rule, read one org at a time or all of a partner's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from factories import make_partner, make_sub_org
from tenantree.licensing.models import LicenseSource, LicenseSourceChange
from tenantree.licensing.sources import current_source, sub_org_sources
from tenantree.orgs.models import PartnerType

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _change(session: Session, org_id, source: LicenseSource, at: datetime = AT) -> None:  # type: ignore[no-untyped-def]
    session.add(LicenseSourceChange(org_id=org_id, source=source, at=at))
    session.flush()


def test_a_partners_sub_orgs_get_the_sources_current_source_gives_each(session: Session) -> None:
    msp = make_partner(session, partner_type=PartnerType.MSP)
    untouched, switched, back = (make_sub_org(session, msp) for _ in range(3))
    _change(session, switched.id, LicenseSource.OWN)
    _change(session, back.id, LicenseSource.OWN, AT.replace(hour=8))
    _change(session, back.id, LicenseSource.PARENT_POOL)

    expected = {org.id: current_source(session, org) for org in (untouched, switched, back)}

    assert sub_org_sources(session, msp) == expected
    assert expected == {
        untouched.id: LicenseSource.PARENT_POOL,
        switched.id: LicenseSource.OWN,
        back.id: LicenseSource.PARENT_POOL,
    }


def test_a_resellers_sub_orgs_hold_their_own_by_default(session: Session) -> None:
    reseller = make_partner(session, partner_type=PartnerType.RESELLER)
    customer = make_sub_org(session, reseller)

    assert current_source(session, customer) == LicenseSource.OWN
    assert sub_org_sources(session, reseller) == {customer.id: LicenseSource.OWN}
