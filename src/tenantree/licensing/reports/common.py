"""What both license reports read and show: periods, license lines, pool figures."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from tenantree.errors import Invalid
from tenantree.licensing.history import PeriodUse
from tenantree.licensing.models import License, LicensePool
from tenantree.licensing.periods import period_usage, period_usage_by_text
from tenantree.licensing.pool import PoolView

MAX_PERIOD_DAYS = 731


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date


def period_between(first: date | None, last: date | None) -> Period | None:
    """The period of `from`..`to` (UTC days, inclusive), or None when neither is given."""
    if first is None and last is None:
        return None
    if first is None or last is None:
        raise Invalid(
            "give both from and to (UTC days, inclusive)", field="from" if first is None else "to"
        )
    if last < first:
        raise Invalid("to must not be before from", field="to")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid(f"a period spans at most {MAX_PERIOD_DAYS} days", field="to")
    return Period(first, last)


@dataclass
class LicenseLine:
    id: uuid.UUID
    quantity: int
    starts_at: datetime
    ends_at: datetime
    status: str
    overage_policy: str
    in_term: bool
    # Its end has passed (whatever its status): reports flag it.
    expired: bool = False


@dataclass
class PoolFigures:
    """What only the pool's holder (and operators) may see."""

    quantity: int
    used: int
    remaining: int
    over_quantity: bool
    overage_allowed: bool
    # False for a linked pool without a quota: nothing bounds it of its own,
    # so there is no run-out to forecast (its distributor's pool has one).
    bounded: bool = True


def pool_figures(used: int, lines: list[LicenseLine]) -> PoolFigures:
    pool = PoolView.of([line for line in lines if line.in_term], used)
    return PoolFigures(
        quantity=pool.quantity,
        used=used,
        remaining=pool.quantity - used,
        over_quantity=used > pool.quantity,
        overage_allowed=pool.overage_allowed,
    )


def linked_figures(used: int, quota: int | None) -> PoolFigures:
    """A linked pool's figures (licensing.linked): its bound is the partner's
    quota from its distributor; without one, its use alone. Never the
    distributor's quantity or what its pool has left."""
    if quota is None:
        return PoolFigures(used, used, 0, over_quantity=False, overage_allowed=False, bounded=False)
    return PoolFigures(quota, used, quota - used, used > quota, overage_allowed=False)


# Plain rows, not ORM objects, for what the reports read: a big partner's
# report reads thousands of them, and building entities was much of its time
# (bench/).
POOL_COLUMNS = (
    LicensePool.id,
    LicensePool.holder_org_id,
    LicensePool.sku,
    LicensePool.unit,
    LicensePool.used,
)


# A license's columns as a line reads them; `license_line` takes a row of them.
LICENSE_COLUMNS = (
    License.id,
    License.quantity,
    License.starts_at,
    License.ends_at,
    License.status,
    License.overage_policy,
)


def license_line(lic: Any, now: datetime, license_id: uuid.UUID | None = None) -> LicenseLine:
    """The line of a row of LICENSE_COLUMNS (its id as `license_id` when the
    row's `id` is another table's)."""
    return LicenseLine(
        lic.id if license_id is None else license_id,
        lic.quantity,
        lic.starts_at,
        lic.ends_at,
        lic.status,
        lic.overage_policy,
        # The row has what License.in_term reads: one definition of the term.
        License.in_term(lic, now),
        expired=lic.ends_at <= now,
    )


def license_lines_by_pool(
    session: Session, holders: ColumnElement[bool], now: datetime
) -> dict[tuple[uuid.UUID, str], list[LicenseLine]]:
    """(holder, SKU) -> its licenses' lines, for the holders the condition matches."""
    grouped: dict[tuple[uuid.UUID, str], list[LicenseLine]] = defaultdict(list)
    for lic in session.execute(
        select(*LICENSE_COLUMNS, License.holder_org_id, License.sku)
        .where(holders)
        .order_by(License.starts_at, License.id)
    ):
        grouped[(lic.holder_org_id, lic.sku)].append(license_line(lic, now))
    return grouped


_NO_USE = PeriodUse(peak=0, average=0.0)


def period_uses(
    session: Session,
    pool_ids: list[uuid.UUID],
    period: Period | None,
) -> Callable[[uuid.UUID, uuid.UUID], PeriodUse | None]:
    """(pool, org) -> its use over the period; None without a period.

    An org with no history in or before the period used nothing in it: it
    gets zeros, the same in JSON and CSV, not a missing value.
    """
    if period is None:
        return lambda pool_id, org_id: None
    uses = period_usage(session, pool_ids, first_day=period.first_day, last_day=period.last_day)
    return lambda pool_id, org_id: uses.get((pool_id, org_id), _NO_USE)


class PoolPeriods:
    """Per pool, org -> its use over the period, the ids as the database's
    text (licensing.id_text); None without a period, zeros for an org with
    no history (as period_uses)."""

    def __init__(
        self,
        by_pool: dict[str, dict[str, PeriodUse]] | None,
        units: dict[str, dict[str, int]] | None = None,
    ) -> None:
        self._by_pool = by_pool
        # pool -> consumer -> units now, when the period's statement read them.
        self.units = units

    def of_pool(self, pool_text: str) -> Callable[[str], PeriodUse | None]:
        uses = self.uses_of(pool_text)
        if uses is None:
            return lambda org_text: None
        return lambda org_text: uses.get(org_text, _NO_USE)

    def uses_of(self, pool_text: str) -> dict[str, PeriodUse] | None:
        """The pool's org -> use (`no_use` for an org not in it); None without
        a period. For a loop over 20,000 consumers: a lookup, not a call each."""
        if self._by_pool is None:
            return None
        return self._by_pool.get(pool_text, {})

    no_use = _NO_USE


def pool_periods(
    session: Session, pool_ids: list[uuid.UUID], period: Period | None, *, jit_off: bool = False
) -> PoolPeriods:
    """`jit_off`: the transaction already has JIT off (periods.jit_off_column)."""
    if period is None:
        return PoolPeriods(None)
    found = period_usage_by_text(
        session, pool_ids, first_day=period.first_day, last_day=period.last_day, jit_off=jit_off
    )
    return PoolPeriods(found.uses, found.units)
