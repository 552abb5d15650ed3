"""Every command in both modes: `local` on the test database through the
services, `remote` through the API served on a loopback port, over the same
database and cast (factories.build_world: partner P with sub-orgs S and T,
unrelated U, a token for every actor)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.world_replay import WorldReplay
from cli.commands.running import Cli
from factories import World
from server.live import serving
from tenantree.config import Settings, get_settings
from tenantree.identity.context import IdentityConfig


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The session's app served over HTTP, for the remote mode."""
    with serving(app) as url:
        yield url


# build_world the first time per database, its rows written again after (a
# few multi-row INSERTs, not ~50 flushes): every command test starts from a fresh cast.
WORLDS = WorldReplay()


@pytest.fixture
def world(db, arrange_sessions: sessionmaker[Session], identity: IdentityConfig) -> World:  # type: ignore[no-untyped-def]
    with arrange_sessions() as session:
        cast = WORLDS.build(session, identity)
        session.commit()
        for org in (cast.P, cast.S, cast.T, cast.U):
            session.refresh(org)
        session.expunge_all()
    return cast


@pytest.fixture
def local_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local mode's settings: the test database and the app's secret key."""
    monkeypatch.setenv("TENANTREE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TENANTREE_SECRET_KEY", settings.secret_key or "")
    monkeypatch.setenv("TENANTREE_EMAIL_BACKEND", "console")
    monkeypatch.setenv("TENANTREE_OUTBOX_WORKER", "external")
    monkeypatch.setenv("TENANTREE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TENANTREE_ARGON2_MEMORY_COST_KIB", "1024")
    monkeypatch.setenv("TENANTREE_ARGON2_PARALLELISM", "1")
    monkeypatch.delenv("TENANTREE_API_URL", raising=False)
    monkeypatch.delenv("TENANTREE_TOKEN", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(params=["local", "remote"])
def cli(request: pytest.FixtureRequest, world: World, local_env: None) -> Cli:
    mode = request.param
    api_url = request.getfixturevalue("live_url") if mode == "remote" else None
    return Cli(mode, world, api_url)


@pytest.fixture
def remote(world: World, local_env: None, live_url: str) -> Cli:
    return Cli("remote", world, live_url)
