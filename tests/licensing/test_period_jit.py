"""On PostgreSQL a period is summed with JIT compilation off, for the report's
own transaction only: a big partner's period is estimated above
`jit_above_cost` and paid for compiling a plan JIT does not speed up
(bench/ANALYSIS.md, round 5). The parent report turns it off in its pools'
statement, not in a `SET` of its own: one round trip fewer (round 12)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from licensing.test_report_queries import PERIOD, build_partner
from tenantree import clock
from tenantree.licensing.periods import period_usage


@pytest.mark.postgres_only
def test_a_period_turns_jit_off_until_its_transaction_ends(db: Engine) -> None:
    with db.connect() as connection:  # one server connection throughout
        session = Session(bind=connection)
        server_default = session.scalar(text("SHOW jit"))
        session.rollback()
        period_usage(session, [uuid.uuid4()], first_day=date(2025, 3, 1), last_day=date(2025, 3, 7))
        assert session.scalar(text("SHOW jit")) == "off"
        session.rollback()
        assert session.scalar(text("SHOW jit")) == server_default
        session.close()


@pytest.mark.postgres_only
def test_the_parent_reports_period_is_planned_without_jit_and_no_set_is_sent(
    client, engine, session, identity, monkeypatch
):  # type: ignore[no-untyped-def]
    partner = build_partner(session, identity, 10)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2025, 3, 14, 12, tzinfo=UTC))
    statements: list[str] = []
    jit_at_period: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)
        if "usage_daily" in statement and "consumptions" in statement:
            # The same server session and transaction the period runs in.
            jit_at_period.append(cursor.connection.execute("SHOW jit").fetchone()[0])

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.get(
            f"/api/v1/orgs/{partner.id}/license-report", params=PERIOD, headers=partner.headers
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.text
    assert jit_at_period == ["off"]
    assert not [s for s in statements if s.lstrip().upper().startswith("SET")]
