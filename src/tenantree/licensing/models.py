from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id

# Re-exported: the plain enums live in licensing.policies (importable without a database).
from tenantree.licensing.policies import LicenseSource as LicenseSource
from tenantree.licensing.policies import LicenseStatus, OveragePolicy


class License(Base):
    """An entitlement from the sales system, held by one org."""

    __tablename__ = "licenses"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("ends_at > starts_at", name="term_ends_after_start"),
        CheckConstraint("overage_policy IN ('block', 'allow_and_flag')", name="overage_policy"),
        CheckConstraint("status IN ('active', 'ended')", name="status"),
        Index("ix_licenses_holder_org_id_sku", "holder_org_id", "sku"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    holder_org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="RESTRICT")
    )
    sku: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overage_policy: Mapped[str] = mapped_column(String(16), default=OveragePolicy.BLOCK)
    salesforce_contract_id: Mapped[str | None] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16), default=LicenseStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )

    def in_term(self, at: datetime) -> bool:
        return self.status == LicenseStatus.ACTIVE and self.starts_at <= at < self.ends_at


class LicensePool(Base):
    """(holder org, SKU): the row every consumption locks.

    `used` is the sum of the consumers' units; it changes only by a conditional
    UPDATE that holds the row's lock to COMMIT (licensing/usage_writes.py).
    """

    __tablename__ = "license_pools"
    __table_args__ = (
        UniqueConstraint("holder_org_id", "sku"),
        CheckConstraint("used >= 0", name="used_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    holder_org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="RESTRICT")
    )
    sku: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    used: Mapped[int] = mapped_column(BigInteger, default=0)


class Consumption(Base):
    """What one org uses now from one pool.

    Keyed by (pool_id, org_id), the order a parent's report reads a pool's
    consumers in; on SQLite the table is that key's B-tree (WITHOUT ROWID), so
    each consumer's units are read where the index walk finds them (migration
    0028). `id` stays unique: the PostgreSQL usage function updates a row by it.
    """

    __tablename__ = "consumptions"
    __table_args__ = (
        PrimaryKeyConstraint("pool_id", "org_id"),
        CheckConstraint("units >= 0", name="units_not_negative"),
        Index("ix_consumptions_org_id", "org_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_id)
    pool_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("license_pools.id", ondelete="CASCADE")
    )
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    units: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )


class Quota(Base):
    """A partner's cap on how much of its pool one sub-org may use."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("sub_org_id", "sku"),
        CheckConstraint("max_units >= 0", name="max_units_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sub_org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    max_units: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )


class LicenseSourceChange(Base):
    """History of a sub-org's license source; the newest row is in force."""

    __tablename__ = "license_source_changes"
    __table_args__ = (
        CheckConstraint("source IN ('parent_pool', 'own')", name="source"),
        Index("ix_license_source_changes_org_id_at", "org_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class UsageSnapshot(Base):
    """An org's use of a pool right after each change (usage history)."""

    __tablename__ = "usage_snapshots"
    __table_args__ = (
        Index("ix_usage_snapshots_pool_id_at", "pool_id", "at"),
        Index("ix_usage_snapshots_org_id_at", "org_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    pool_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("license_pools.id", ondelete="CASCADE")
    )
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    units: Mapped[int] = mapped_column(BigInteger)
    pool_used: Mapped[int] = mapped_column(BigInteger)
    over_quantity: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who made the change, as an audit event would say it: the snapshot is the
    # change's audit record, written in the same statement as the change.
    # No foreign keys, as on audit events: the record outlives the account.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # None: the system (CLI, demo)
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the partner, via a partner
    request_id: Mapped[str | None] = mapped_column(String(64))


class UsageDaily(Base):
    """Daily rollup per org and pool, kept current on every change.

    `unit_seconds` integrates use over the part of the day up to `last_at`;
    the rest of the day is `last_units` held constant; `closing_unit_seconds`
    is the day's whole figure so, once the day is over. `carried_units` is
    the level held into the day: the consumer's previous row's `last_units`
    (0 before its first use), written with the day's first change and never
    changed after. With both, a period sums its rows without reading their
    neighbours or converting times (periods.period_usage).

    Keyed by (pool_id, org_id, day), the order a period reads its rows in; on
    SQLite the table is that key's B-tree (WITHOUT ROWID), so a period's rows
    are read without a lookup per row into a rowid table (migration 0026).
    `id` stays unique: the writes update a row by it. A batch migration of
    this table on SQLite must pass `table_kwargs={"sqlite_with_rowid": False}`.
    """

    __tablename__ = "usage_daily"
    __table_args__ = (
        PrimaryKeyConstraint("pool_id", "org_id", "day"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_id)
    pool_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("license_pools.id", ondelete="CASCADE")
    )
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    peak_units: Mapped[int] = mapped_column(BigInteger)
    unit_seconds: Mapped[int] = mapped_column(BigInteger)
    last_units: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closing_unit_seconds: Mapped[int] = mapped_column(BigInteger)
    carried_units: Mapped[int] = mapped_column(BigInteger)


class UsagePoolDaily(Base):
    """Daily rollup per pool: its consumers' rows of the day summed, kept
    current with them in every change (usage_writes, apply_usage_change).

    `rise_units` sums the day's `peak_units - carried_units` and
    `moved_units` its `last_units - carried_units`. A change only adds to
    them, so concurrent changes commute; the pool's level held into a day is
    the moves of the days before it, summed (each consumer's rows chain: a
    row's `carried_units` is its row before's `last_units`). A pool's run-out
    forecast reads its rows of the window and that sum, not every consumer's
    history (alerts.forecasts.pool_totals).
    """

    __tablename__ = "usage_pool_daily"

    pool_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("license_pools.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rise_units: Mapped[int] = mapped_column(BigInteger)
    moved_units: Mapped[int] = mapped_column(BigInteger)
