"""Reads below the Session (db.reads): ids and times read as the database's
text are finished into exactly the JSON pydantic writes of the typed values."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter
from sqlalchemy import event, select

from tenantree.db.reads import read_connection, utc_str, utc_text, uuid_str, uuid_text
from tenantree.identity.throttle_models import ThrottleHit

_JSON = TypeAdapter(tuple[uuid.UUID, datetime])

MOMENTS = [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 123400, tzinfo=UTC),
    datetime(2026, 6, 1, 0, 0, 0, 999999, tzinfo=UTC),
]


def test_times_and_ids_read_as_text_are_written_as_pydantic_writes_them(session) -> None:  # type: ignore[no-untyped-def]
    hits = [ThrottleHit(id=uuid.uuid4(), key=f"reads-{i}", at=at) for i, at in enumerate(MOMENTS)]
    session.add_all(hits)
    session.flush()
    rows = read_connection(session).execute(
        select(ThrottleHit.key, uuid_text(ThrottleHit.id), utc_text(ThrottleHit.at))
        .where(ThrottleHit.key.like("reads-%"))
        .order_by(ThrottleHit.key)
    )
    for hit, (_, id_text, at_text) in zip(hits, rows, strict=True):
        expected = _JSON.dump_json((hit.id, hit.at))
        assert f'["{uuid_str(id_text)}","{utc_str(at_text)}"]'.encode() == expected


def test_a_read_below_the_session_sees_the_work_it_has_pending(session) -> None:  # type: ignore[no-untyped-def]
    session.add(ThrottleHit(key="reads-pending", at=MOMENTS[0]))
    found = read_connection(session).scalar(
        select(ThrottleHit.key).where(ThrottleHit.key == "reads-pending")
    )
    assert found == "reads-pending"


def test_a_read_below_the_session_runs_inside_a_flush(session) -> None:  # type: ignore[no-untyped-def]
    # A flush event's reads (webhooks.production's receiving endpoints) read
    # mid-flush: flushing again there would raise "Session is already flushing".
    seen = []

    def read_in_flush(flushing, _context) -> None:  # type: ignore[no-untyped-def]
        found = read_connection(flushing).scalar(
            select(ThrottleHit.key).where(ThrottleHit.key == "reads-in-flush")
        )
        seen.append(found)

    event.listen(session, "after_flush", read_in_flush)
    try:
        session.add(ThrottleHit(key="reads-in-flush", at=MOMENTS[0]))
        session.flush()
    finally:
        event.remove(session, "after_flush", read_in_flush)
    assert seen == ["reads-in-flush"]


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("2026-01-02 03:04:05.000000", "2026-01-02T03:04:05Z"),
        ("2026-01-02 03:04:05.000100", "2026-01-02T03:04:05.000100Z"),
        ("2026-01-02 03:04:05", "2026-01-02T03:04:05Z"),
        ("2026-01-02 03:04:05.5", "2026-01-02T03:04:05.500000Z"),
        ("2026-01-02 04:04:05.000000+01:00", "2026-01-02T03:04:05Z"),
        (None, None),
    ],
)
def test_other_stored_forms_of_a_time_are_parsed(stored: str | None, written: str | None) -> None:
    assert utc_str(stored) == written


def test_an_id_stored_in_its_canonical_form_is_written_so() -> None:
    value = uuid.uuid4()
    assert uuid_str(value.hex.upper()) == str(value)
    assert uuid_str(str(value)) == str(value)
    assert uuid_str(None) is None
