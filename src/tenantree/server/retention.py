"""What the server forgets, and when: delivered and dead-lettered outbox rows
(email and webhook deliveries alike) and throttle hits past every window.

Run by each outbox worker every TENANTREE_RETENTION_SWEEP_SECONDS (the
server's background worker, or `tenantree outbox work`) and by `tenantree
outbox prune`. Each kind goes in batches of short transactions; any number of
pruners may run at once, and running again deletes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.config import Settings
from tenantree.identity.throttle import Limits, prune_hits
from tenantree.outbox.retention import prune_failed, prune_sent


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these go."""

    sent: datetime
    failed: datetime
    throttle_hits: datetime

    @classmethod
    def from_settings(cls, settings: Settings, now: datetime | None = None) -> Cutoffs:
        now = now or clock.utcnow()
        # A hit still inside a window counts toward a limit: never prune it,
        # whatever the setting says.
        keep_hits = max(
            timedelta(hours=settings.retention_throttle_hits_hours),
            Limits.from_settings(settings).longest_window,
        )
        return cls(
            sent=now - timedelta(days=settings.retention_sent_days),
            failed=now - timedelta(days=settings.retention_failed_days),
            throttle_hits=now - keep_hits,
        )


@dataclass(frozen=True)
class Pruned:
    sent: int
    failed: int
    throttle_hits: int

    def __str__(self) -> str:
        return (
            f"{self.sent} delivered message(s), {self.failed} failed message(s), "
            f"{self.throttle_hits} throttle hit(s) deleted"
        )


def prune(session: Session, settings: Settings, now: datetime | None = None) -> Pruned:
    """Delete every row past its retention; each batch commits on its own."""
    cutoffs = Cutoffs.from_settings(settings, now)
    batch = settings.retention_batch_size
    return Pruned(
        sent=prune_sent(session, cutoffs.sent, batch),
        failed=prune_failed(session, cutoffs.failed, batch),
        throttle_hits=prune_hits(session, cutoffs.throttle_hits, batch),
    )
