"""Exporting an org's audit events, oldest first, in constant memory.

The export reads keyset pages of (at, id): each page is one short query in a
session of its own, so neither the server's memory nor a database transaction
grows with the number of events, and a slow reader holds no connection
between pages. The window ends at `until`, or at the time the export started,
so an export of a busy org still ends.

The fields and their format are a contract, described by
docs/schemas/audit-event.schema.json: keep them stable, add fields only.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tenantree.audit.models import AuditEvent

# The exported fields, in the order CSV columns follow.
EXPORT_FIELDS = (
    "id",
    "at",
    "action",
    "actor_id",
    "actor_org_id",
    "org_id",
    "target_type",
    "target_id",
    "request_id",
    "details",
)
PAGE_SIZE = 1000

_COLUMNS = [getattr(AuditEvent, name) for name in EXPORT_FIELDS]


def rfc3339(moment: datetime) -> str:
    """UTC, always with microseconds and `Z`: one fixed width, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def event_record(row: Any) -> dict[str, Any]:
    """The exported fields of an event (a row or an AuditEvent): webhooks send the same."""
    return {
        "id": str(row.id),
        "at": rfc3339(row.at),
        "action": row.action,
        "actor_id": _text(row.actor_id),
        "actor_org_id": _text(row.actor_org_id),
        "org_id": _text(row.org_id),
        "target_type": row.target_type,
        "target_id": row.target_id,
        "request_id": row.request_id,
        "details": row.details or {},
    }


def event_pages(
    sessions: Callable[[], Session],
    *,
    org_id: uuid.UUID,
    since: datetime | None,
    until: datetime,
    page_size: int = PAGE_SIZE,
) -> Iterator[list[dict[str, Any]]]:
    """The org's events in [since, until), oldest first, a page at a time."""
    window = [AuditEvent.org_id == org_id, AuditEvent.at < until]
    if since is not None:
        window.append(AuditEvent.at >= since)
    last: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = select(*_COLUMNS).where(*window)
        if last is not None:
            at, event_id = last
            # `at >= last` is implied by the OR, but lets the (org_id, at) index
            # start the page where the last one ended instead of at the window's
            # start (which makes each page cost more than the one before).
            query = query.where(
                AuditEvent.at >= at, or_(AuditEvent.at > at, AuditEvent.id > event_id)
            )
        query = query.order_by(AuditEvent.at, AuditEvent.id).limit(page_size)
        with sessions() as session:
            rows = session.execute(query).all()
            session.rollback()  # a read: end it before the reader is sent the page
        if not rows:
            return
        last = (rows[-1].at, rows[-1].id)
        yield [event_record(row) for row in rows]
        if len(rows) < page_size:
            return


def ndjson_chunks(pages: Iterator[list[dict[str, Any]]]) -> Iterator[bytes]:
    """One JSON object a line (application/x-ndjson), one chunk a page."""
    for page in pages:
        yield "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in page).encode()


def csv_chunks(pages: Iterator[list[dict[str, Any]]]) -> Iterator[bytes]:
    """A header line, then one row an event; `details` is its JSON text, empty
    cells are nulls."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    yield buffer.getvalue().encode()
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        for record in page:
            details = json.dumps(record["details"], separators=(",", ":"))
            writer.writerow([*(record[f] for f in EXPORT_FIELDS[:-1]), details])
        yield buffer.getvalue().encode()
