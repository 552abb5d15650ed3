"""On PostgreSQL a period is summed with JIT compilation off, for the report's
own transaction only: a big partner's period is estimated above
`jit_above_cost` and paid for compiling a plan JIT does not speed up
(bench/ANALYSIS.md, round 5)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

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
