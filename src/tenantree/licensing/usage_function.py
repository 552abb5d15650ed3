"""A change of use in one round trip on PostgreSQL: the `apply_usage_change` function.

The function (migration 0024; 0025 adds the pool's daily row) locks, reads,
decides by `pool.plan_change`'s rule and writes as the Python form does
(consumption.report_usage), for a consumer whose path holds no linked
pool; a linked (two-pool) path is left to the Python form on PostgreSQL
too. It answers with the outcome and, for a refusal, the figures the rule
decided on, so that Python raises the same error with the message and
figures the caller may see.
tests/licensing/test_usage_function.py holds the two forms to the same
outcomes and rows on random sequences of changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String, Uuid, bindparam, text
from sqlalchemy.orm import Session

from tenantree.db.base import UTCDateTime
from tenantree.licensing.pool import PoolView, UsageOp
from tenantree.licensing.usage_writes import ChangedBy

# Built once, as the Python form's statements are (usage_writes).
_APPLY = (
    text(
        "SELECT * FROM apply_usage_change(:org, :sku, :op, :amount, :at, :actor, :actor_org,"
        " :request)"
    )
    .bindparams(
        bindparam("org", type_=Uuid),
        bindparam("sku", type_=String),
        bindparam("op", type_=String),
        bindparam("amount", type_=BigInteger),
        bindparam("at", type_=UTCDateTime),
        bindparam("actor", type_=Uuid),
        bindparam("actor_org", type_=Uuid),
        bindparam("request", type_=String),
    )
    .columns(
        outcome=String, refusal=String, consumer_parent=Uuid, holder=Uuid, pool=Uuid,
        current_units=BigInteger, org_quota=BigInteger, pool_quantity=BigInteger,
        pool_use=BigInteger, any_in_term=Boolean, allows_overage=Boolean,
        units_after=BigInteger,
    )
)  # fmt: skip


def applies(session: Session) -> bool:
    """Whether the database applies changes itself: on PostgreSQL (the function
    is created by migration 0024, replaced by 0025); on SQLite the Python form does."""
    return session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True)
class Applied:
    """What the function did: `refusal` is None when the change was written."""

    refusal: str | None
    parent_id: uuid.UUID | None  # the consumer's parent, as read under its lock
    holder_id: uuid.UUID
    pool_id: uuid.UUID | None  # None: the holder has no pool of the SKU
    current: int  # the consumer's units before
    quota: int | None  # the quota that bounded this draw
    pool: PoolView  # done: its use after the change; refused: as decided on
    new_units: int


@dataclass(frozen=True)
class Linked:
    """The path holds a linked pool: nothing was written; the Python form applies it."""

    parent_id: uuid.UUID | None


def apply_change(
    session: Session,
    org_id: uuid.UUID,
    *,
    sku: str,
    op: UsageOp,
    amount: int,
    at: datetime,
    by: ChangedBy,
) -> Applied | Linked:
    row = session.execute(
        _APPLY,
        {
            "org": org_id,
            "sku": sku,
            "op": op.value,
            "amount": amount,
            "at": at,
            "actor": by.actor_id,
            "actor_org": by.actor_org_id,
            "request": by.request_id,
        },
    ).one()
    if row.outcome == "linked":
        return Linked(row.consumer_parent)
    no_pool = row.outcome == "no_pool"
    return Applied(
        refusal=row.refusal,
        parent_id=row.consumer_parent,
        holder_id=row.holder,
        pool_id=None if no_pool else row.pool,
        current=row.current_units or 0,
        quota=row.org_quota,
        pool=PoolView(
            quantity=row.pool_quantity or 0,
            used=row.pool_use or 0,
            in_term=bool(row.any_in_term),
            overage_allowed=bool(row.allows_overage),
        ),
        new_units=row.units_after or 0,
    )
