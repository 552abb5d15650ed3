"""The license reports with their run-out forecasts: what the API and CLI serve."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.orm import Session

from tenantree.alerts.forecasts import PoolTotalsRead, add_to_child, add_to_parent
from tenantree.licensing.reports import (
    ChildReport,
    ParentReport,
    Period,
    child_report,
    parent_report,
)
from tenantree.orgs.models import Org


def parent_report_with_forecasts(
    session: Session,
    org: Org,
    *,
    period: Period | None,
    visible_child_ids: Collection[uuid.UUID] | None = None,
) -> ParentReport:
    # The forecasts' totals are read as soon as the report has read its pools.
    read = PoolTotalsRead(session)
    report = parent_report(
        session, org, period=period, visible_child_ids=visible_child_ids, pools_read=read
    )
    return add_to_parent(session, report, read)


def child_report_with_forecasts(
    session: Session, org: Org, *, sees_pool_figures: bool, period: Period | None
) -> ChildReport:
    report = child_report(session, org, sees_pool_figures=sees_pool_figures, period=period)
    return add_to_child(session, report)
