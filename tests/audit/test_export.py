"""Exporting an org's audit events: stream shape, window, order, schema, paging."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema_rs
import pytest

from factories import build_world
from tenantree.audit.actions import AuditAction
from tenantree.audit.export import event_pages
from tenantree.audit.models import AuditEvent

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "audit-event.schema.json"
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def documented_event_fields() -> list[str]:
    """The schema's fields, in the order the CSV columns follow."""
    return json.loads(SCHEMA.read_text())["required"]  # type: ignore[no-any-return]


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


def add_events(session, org_id, count, *, start=START, step=timedelta(minutes=1)):  # type: ignore[no-untyped-def]
    events = [
        AuditEvent(
            at=start + i * step,
            action=AuditAction.USER_UPDATED.value,
            actor_id=uuid.uuid4(),
            actor_org_id=org_id,
            org_id=org_id,
            target_type="user",
            target_id=str(uuid.uuid4()),
            request_id=f"req-{i}",
            details={"role": {"from": "user", "to": "admin"}, "n": i},
        )
        for i in range(count)
    ]
    session.add_all(events)
    session.commit()
    return events


def export(client, org_id, headers, **params):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/orgs/{org_id}/audit-events/export", params=params, headers=headers)


def ndjson(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.text.splitlines()]


def test_every_exported_line_is_valid_against_the_published_schema(client, session, world):
    add_events(session, world.S.id, 3)
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()), validate_formats=True)
    lines = ndjson(export(client, world.S.id, world.headers("S-A")))
    assert len(lines) == 3
    for line in lines:
        validator.validate(line)


def test_the_schema_refuses_a_line_with_a_time_not_in_utc(client, session, world):
    # The schema is strict enough to fail: an offset other than Z is not the contract.
    add_events(session, world.S.id, 1)
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    line = ndjson(export(client, world.S.id, world.headers("S-A")))[0]
    line["at"] = line["at"].replace("Z", "+01:00")
    assert not validator.is_valid(line)


def test_the_export_holds_only_the_orgs_own_events_oldest_first(client, session, world):
    own = add_events(session, world.S.id, 3, step=timedelta(minutes=-1))
    add_events(session, world.T.id, 2)
    add_events(session, world.P.id, 2)
    lines = ndjson(export(client, world.S.id, world.headers("P-PA")))
    assert [line["id"] for line in lines] == [str(e.id) for e in reversed(own)]
    assert {line["org_id"] for line in lines} == {str(world.S.id)}


def test_times_are_rfc3339_utc_with_microseconds(client, session, world):
    add_events(session, world.S.id, 1, start=datetime(2024, 3, 1, 13, 30, tzinfo=UTC))
    (line,) = ndjson(export(client, world.S.id, world.headers("S-A")))
    assert line["at"] == "2024-03-01T13:30:00.000000Z"


def test_from_is_inclusive_and_to_exclusive(client, session, world):
    events = add_events(session, world.S.id, 5)
    lines = ndjson(
        export(
            client,
            world.S.id,
            world.headers("S-A"),
            **{
                "from": (START + timedelta(minutes=1)).isoformat(),
                "to": (START + timedelta(minutes=3)).isoformat(),
            },
        )
    )
    assert [line["id"] for line in lines] == [str(e.id) for e in events[1:3]]


def test_csv_has_the_documented_columns_and_details_as_json(client, session, world):
    events = add_events(session, world.S.id, 2)
    response = export(client, world.S.id, world.headers("S-A"), format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == documented_event_fields()
    assert [row["id"] for row in rows] == [str(e.id) for e in events]
    assert json.loads(rows[1]["details"]) == {"role": {"from": "user", "to": "admin"}, "n": 1}


def test_a_time_without_a_zone_is_refused_naming_the_parameter(client, world):
    response = export(client, world.S.id, world.headers("S-A"), **{"from": "2024-03-01T12:00:00"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "from"


def test_a_window_ending_before_it_starts_is_refused(client, world):
    response = export(
        client,
        world.S.id,
        world.headers("S-A"),
        **{"from": "2024-03-02T00:00:00Z", "to": "2024-03-01T00:00:00Z"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "to"


def test_an_unknown_format_is_refused(client, world):
    response = export(client, world.S.id, world.headers("S-A"), format="xml")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "format"


def test_pages_carry_every_event_once_when_many_share_a_time(sessions, world):
    # Keyset paging on (at, id): ties on `at` across a page boundary lose nothing.
    with sessions() as session:
        events = add_events(session, world.S.id, 7, step=timedelta(0))
        expected = sorted(str(e.id) for e in events)
    pages = list(
        event_pages(
            sessions, org_id=world.S.id, since=None, until=START + timedelta(1), page_size=3
        )
    )
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(r["id"] for page in pages for r in page) == expected
    assert len({r["id"] for page in pages for r in page}) == 7
