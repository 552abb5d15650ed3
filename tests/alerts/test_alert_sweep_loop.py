"""The server's background sweep: started by the lifespan, sweeping on its own."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import make_license, make_partner
from tenantree.alerts.loop import SweepLoop
from tenantree.alerts.models import Alert
from tenantree.server.app import create_app


def test_the_loop_sweeps_every_interval_and_stops(db, sessions, identity):
    with sessions() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=10).ends_at = datetime.now(UTC) + timedelta(days=3)
        session.commit()
    loop = SweepLoop(sessions, identity.outbox, every_seconds=0.05)
    loop.start()
    try:
        deadline = time.monotonic() + 20
        raised = 0
        while time.monotonic() < deadline and not raised:
            time.sleep(0.05)
            with sessions() as session:
                raised = session.scalar(select(func.count()).select_from(Alert)) or 0
                session.commit()
        assert raised == 1
    finally:
        loop.stop()
    assert not loop.alive


def test_a_loop_started_again_after_a_stop_keeps_running(sessions, identity):
    loop = SweepLoop(sessions, identity.outbox, every_seconds=30)
    loop.start()
    loop.stop()
    loop.start()
    try:
        time.sleep(0.1)
        assert loop.alive
    finally:
        loop.stop()
    assert not loop.alive


def test_the_server_runs_the_loop_unless_turned_off(settings):
    on = create_app(settings.model_copy(update={"alerts_sweep_seconds": 30}))
    with TestClient(on):
        assert on.state.alerts_sweep.alive
    assert not on.state.alerts_sweep.alive
    off = create_app(settings.model_copy(update={"alerts_sweep_seconds": 0}))
    assert off.state.alerts_sweep is None
    on.state.engine.dispose()
    off.state.engine.dispose()
