"""License usage reports: the child view (child.py) and the parent view (parent.py).

Both run a fixed number of queries, however many children there are.
"""

from tenantree.licensing.reports.child import ChildItem, ChildReport, child_report
from tenantree.licensing.reports.common import (
    MAX_PERIOD_DAYS,
    LicenseLine,
    Period,
    PoolFigures,
    period_between,
)
from tenantree.licensing.reports.parent import (
    ChildOwnPool,
    ChildSummary,
    ChildUse,
    ParentPool,
    ParentReport,
    parent_report,
)

__all__ = [
    "MAX_PERIOD_DAYS",
    "ChildItem",
    "ChildOwnPool",
    "ChildReport",
    "ChildSummary",
    "ChildUse",
    "LicenseLine",
    "ParentPool",
    "ParentReport",
    "Period",
    "PoolFigures",
    "child_report",
    "parent_report",
    "period_between",
]
