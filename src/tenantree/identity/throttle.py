"""Throttling in the database, shared by every replica: hits per key in a sliding window.

A `Rule` limits how many hits one key may have within its window; a key is the
rule's name and the value it limits (an email and client address, an org, a
SCIM token). `reserve` checks every key of one attempt and records a hit for
each in one locked step, so concurrent attempts cannot all pass the count
before any of them is recorded:

- on PostgreSQL under a transaction-scoped advisory lock per key, in a short
  transaction of its own on a pool of its own (db.side_engine): the hits are
  committed at once, so other requests count them and the request's rollback
  does not undo them;
- on SQLite (and on a session bound to a connection, as in service tests)
  inside the session's transaction, which on SQLite already holds the
  database's write lock (BEGIN IMMEDIATE serialises writers), kept through a
  rollback (db.unit_of_work.keep).

A flow that counts only failures (sign-in) releases its reservation when the
attempt succeeds. A refused attempt records no hit, so it does not extend the
wait; its audit event is kept and the 429 names the limit reached.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.config import Settings
from tenantree.db.engine import side_engine
from tenantree.db.pruning import delete_in_batches
from tenantree.db.unit_of_work import keep
from tenantree.errors import TooManyRequests
from tenantree.identity.throttle_models import ThrottleHit


@dataclass(frozen=True)
class Rule:
    """At most `limit` hits per key within `window`; `name` is what a 429 names."""

    name: str
    limit: int
    window: timedelta

    def key(self, value: str) -> str:
        return f"{self.name}:{value}"


@dataclass(frozen=True)
class Throttle:
    """One throttled flow: the code and message of its 429 and its audit event."""

    code: str
    message: str
    refused_action: AuditAction


@dataclass(frozen=True)
class Limits:
    """Every throttle rule, from settings (one place)."""

    sign_in_account_address: Rule
    sign_in_account: Rule
    sign_in_address: Rule
    password_reset_email: Rule
    password_reset_address: Rule
    email_confirmation_email: Rule
    sso_start_address: Rule
    invitation_org: Rule
    invitation_inviter: Rule
    scim_write_token: Rule

    @property
    def longest_window(self) -> timedelta:
        """No rule counts a hit older than this: older hits may go."""
        return max(rule.window for rule in vars(self).values())

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            **{
                attribute: Rule(
                    name,
                    getattr(settings, limit),
                    timedelta(seconds=getattr(settings, window)),
                )
                for attribute, (name, limit, window) in _SETTINGS.items()
            }
        )


# Each rule: its name (in a 429) and the settings giving its limit and window.
_SETTINGS = {
    "sign_in_account_address": (
        "sign_in.account_address",
        "signin_max_failures_per_account_address",
        "signin_window_seconds",
    ),
    "sign_in_account": (
        "sign_in.account",
        "signin_max_failures_per_account",
        "signin_window_seconds",
    ),
    "sign_in_address": (
        "sign_in.address",
        "signin_max_failures_per_address",
        "signin_window_seconds",
    ),
    "password_reset_email": (
        "password_reset.email",
        "password_reset_max_requests_per_email",
        "password_reset_window_seconds",
    ),
    "password_reset_address": (
        "password_reset.address",
        "password_reset_max_requests_per_address",
        "password_reset_window_seconds",
    ),
    # Mail to an address, like a reset: the same limits, its own count.
    "email_confirmation_email": (
        "email_confirmation.email",
        "password_reset_max_requests_per_email",
        "password_reset_window_seconds",
    ),
    "sso_start_address": (
        "sso_start.address",
        "sso_start_max_per_address",
        "sso_start_window_seconds",
    ),
    "invitation_org": ("invitation.org", "invitation_max_per_org", "invitation_window_seconds"),
    "invitation_inviter": (
        "invitation.inviter",
        "invitation_max_per_inviter",
        "invitation_window_seconds",
    ),
    "scim_write_token": (
        "scim_write.token",
        "scim_max_writes_per_token",
        "scim_write_window_seconds",
    ),
}


@dataclass
class Reservation:
    """The hits one attempt recorded; `release` takes them back (a success)."""

    hit_ids: list[uuid.UUID] = field(default_factory=list)
    own_transaction: bool = False

    def release(self, session: Session) -> None:
        if not self.hit_ids:
            return
        forget = delete(ThrottleHit).where(ThrottleHit.id.in_(self.hit_ids))
        if self.own_transaction:
            with side_engine(_engine(session)).begin() as conn:
                conn.execute(forget)
        else:
            session.execute(forget)
        self.hit_ids = []


def reserve(
    session: Session,
    trail: AuditTrail,
    throttle: Throttle,
    limits: Sequence[tuple[Rule, str]],
    *,
    org_id: uuid.UUID | None = None,
    **details: Any,
) -> Reservation:
    """Record one hit under each (rule, value), or raise TooManyRequests if any is full.

    `org_id` and `details` go into the refusal's audit event (kept through the
    rollback).
    """
    keys = sorted({(rule.key(value), rule) for rule, value in limits}, key=lambda kr: kr[0])
    now = clock.utcnow()
    hits = [{"id": uuid.uuid4(), "key": key, "at": now} for key, _ in keys]
    engine = _engine(session)
    if engine is not None and engine.dialect.name == "postgresql":
        with side_engine(engine).begin() as conn:
            for key, _ in keys:
                # Sorted keys: two attempts sharing keys take their locks in one order.
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
            refusal = _refusal(conn, keys, now)
            if refusal is None:
                conn.execute(insert(ThrottleHit), hits)
        own_transaction = True
    else:
        refusal = _refusal(session.connection(), keys, now)
        if refusal is None:

            def record() -> None:
                session.add_all(ThrottleHit(**hit) for hit in hits)

            keep(session, record)
        own_transaction = False
    if refusal is not None:
        rule, wait = refusal
        keep(
            session,
            lambda: trail.record(
                throttle.refused_action,
                org_id=org_id,
                target_type="throttle",
                target_id=None,
                limit=rule.name,
                **details,
            ),
        )
        raise TooManyRequests(
            throttle.message, retry_after=wait, code=throttle.code, extra={"limit": rule.name}
        )
    return Reservation([hit["id"] for hit in hits], own_transaction)


def _engine(session: Session) -> Engine | None:
    bind = session.get_bind()
    # A session bound to a connection (a test's outer transaction) writes in it.
    return bind if isinstance(bind, Engine) else None


def _refusal(
    conn: Connection, keys: Sequence[tuple[str, Rule]], now: datetime
) -> tuple[Rule, int] | None:
    """The full rule with the longest wait, and that wait in seconds; None if none is full.

    The wait runs until the oldest counted hit leaves the window, so refused
    attempts (never recorded) do not extend it.
    """
    worst: tuple[Rule, int] | None = None
    for key, rule in keys:
        count, oldest = conn.execute(
            select(func.count(), func.min(ThrottleHit.at)).where(
                ThrottleHit.key == key, ThrottleHit.at > now - rule.window
            )
        ).one()
        if count >= rule.limit:
            wait = max(1, math.ceil((oldest + rule.window - now).total_seconds()))
            if worst is None or wait > worst[1]:
                worst = (rule, wait)
    return worst


def prune_hits(session: Session, before: datetime, batch_size: int) -> int:
    """Delete hits counted before `before`, in batches (db.pruning); how many.
    Callers pass a time past every rule's window (`Limits.longest_window`), so
    no count changes."""
    return delete_in_batches(
        session, ThrottleHit.id, (ThrottleHit.at < before,), batch_size=batch_size
    )
