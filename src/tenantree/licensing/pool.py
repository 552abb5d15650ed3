"""The pool's invariant as a plain function: may this consumer move to N units?

No database here, so the rules can be tested (and property-tested) directly.
The caller asks on the pool's use as last read and applies the answer with an
UPDATE that re-checks the bound in the database (licensing/usage_writes.py),
so an answer given on a figure that has since moved never over-allocates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tenantree.licensing.errors import InvalidUsage, NoLicense, PoolExhausted, QuotaExceeded
from tenantree.licensing.policies import OveragePolicy


class UsageOp(StrEnum):
    SET = "set"
    ADD = "add"
    RELEASE = "release"


class InTermLicense(Protocol):
    quantity: int
    overage_policy: str


@dataclass(frozen=True)
class PoolView:
    """The pool as read for one change."""

    quantity: int  # sum of in-term licenses
    used: int  # by every consumer
    in_term: bool  # at least one license of the SKU is in term
    overage_allowed: bool

    @classmethod
    def of(cls, in_term: Sequence[InTermLicense], used: int) -> PoolView:
        """A pool whose licenses in term now are `in_term`."""
        return cls(
            quantity=sum(lic.quantity for lic in in_term),
            used=used,
            in_term=bool(in_term),
            # Any in-term license that allows overage lets the pool go over.
            overage_allowed=any(
                lic.overage_policy == OveragePolicy.ALLOW_AND_FLAG for lic in in_term
            ),
        )


@dataclass(frozen=True)
class LinkedPool:
    """A linked pool on the path: a tier-2 partner's pool that holds no
    quantity of its own and draws on its distributor's (licensing/linked.py).

    The consumer's change goes into the linked pool and, by the same delta,
    into the linked pool's one row in the distributor's pool.
    """

    used: int  # the linked pool's use (== its row in the distributor's pool)
    quota: int | None  # the partner's quota from its distributor, if set
    shows_figures: bool  # may the caller see the linked pool's use and quota?


@dataclass(frozen=True)
class Change:
    new_units: int
    delta: int


def target_units(current: int, op: UsageOp, amount: int) -> int:
    if amount < 0:
        raise InvalidUsage("usage amounts are whole numbers of 0 or more", field=op.value)
    if op == UsageOp.SET:
        return amount
    if op == UsageOp.ADD:
        return current + amount
    if amount > current:
        raise InvalidUsage(
            f"cannot release {amount} units: this org uses {current}", field=op.value
        )
    return current - amount


def plan_change(
    *,
    current: int,
    op: UsageOp,
    amount: int,
    pool: PoolView,
    quota: int | None,
    sees_pool_figures: bool,
    link: LinkedPool | None = None,
) -> Change:
    """Decide a consumer's change, or raise with what is left.

    `pool` is the pool holding the quantity: the one drawn on or, through a
    `link`, the distributor's. The bounds are checked from the consumer up:
    its quota, the linked partner's quota, then the quantity.

    `sees_pool_figures` is False when the caller may not see the figures of
    `pool` (access.policy.shows_pool): then no message may reveal the pool's
    quantity, total use or remaining units.
    """
    new_units = target_units(current, op, amount)
    delta = new_units - current
    if delta <= 0:
        # Lowering use is always possible, even on an expired license.
        return Change(new_units, delta)
    if not pool.in_term:
        raise NoLicense("no license of this SKU is in term (expired or not yet started)")
    if quota is not None and new_units > quota:
        left = max(0, quota - current)
        raise QuotaExceeded(
            f"this org's quota for the SKU is {quota} units; {left} units are left of it",
            extra={"quota_remaining": left},
        )
    if link is not None:
        _check_link(link, delta, current=current, quota=quota)
    pool_after = pool.used + delta
    if pool_after > pool.quantity and not pool.overage_allowed:
        if sees_pool_figures:
            left = max(0, pool.quantity - pool.used)
            raise PoolExhausted(
                f"the license pool has {left} units left", extra={"remaining": left}
            )
        raise _hidden_pool_refusal(current, quota)
    return Change(new_units, delta)


def _check_link(link: LinkedPool, delta: int, *, current: int, quota: int | None) -> None:
    """The linked partner's quota from its distributor bounds its whole pool."""
    if link.quota is None or link.used + delta <= link.quota:
        return
    if link.shows_figures:
        left = max(0, link.quota - link.used)
        raise QuotaExceeded(
            f"the partner's quota from its distributor is {link.quota} units; "
            f"{left} units are left of it",
            extra={"partner_quota_remaining": left},
        )
    # A customer of the partner sees neither the partner's quota nor its use.
    raise _hidden_pool_refusal(current, quota)


def _hidden_pool_refusal(current: int, quota: int | None) -> PoolExhausted:
    """A refusal naming no figure of the pool: only what is left of the org's quota."""
    extra = {}
    message = "the partner's license pool cannot cover this request"
    if quota is not None:
        left = max(0, quota - current)
        extra = {"quota_remaining": left}
        message += f"; {left} units are left of this org's quota"
    return PoolExhausted(message, extra=extra)
