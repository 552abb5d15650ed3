"""Fixtures for the console: a live server on a free port, and headless Chromium.

The live server runs the real app (uvicorn, in a thread) on a temporary
SQLite database loaded with `tenantree demo`'s loader; its email goes to an
in-memory mailbox (through the server's own outbox worker, started by the
lifespan) and its custom domains are checked against a fake DNS.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from console.e2e_support import CHROMIUM, CHROMIUM_FLAGS, FakeDns, LiveServer, free_port
from tenantree.cli.demo import load_demo
from tenantree.config import Settings
from tenantree.db import migrate as migrations
from tenantree.outbox import MemoryBackend
from tenantree.server.app import create_app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    port = free_port()
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'console.db'}"
    settings = Settings(
        database_url=url,
        secret_key="e2e-secret-key",
        public_base_url=f"http://127.0.0.1:{port}",
        argon2_time_cost=1,
        argon2_memory_cost_kib=1024,
        argon2_parallelism=1,
    )
    migrations.upgrade(url)
    load_demo(settings)
    mailbox, dns = MemoryBackend(), FakeDns()
    app = create_app(settings, email_backend=mailbox)
    services = app.state.services
    services.branding = dataclasses.replace(services.branding, verifier=dns)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    # The first page pays for lazy imports and template compilation, and the
    # background loops start beside it: pay that here, not within a test's
    # 10-second page timeout.
    for path in ("/sign-in", "/orgs"):
        httpx.get(f"http://127.0.0.1:{port}{path}", timeout=120)
    yield LiveServer(
        f"http://127.0.0.1:{port}", port, mailbox, dns, services.sessions, services=services
    )
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"end-to-end tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (dev extra)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    """Open a fresh browser context (no cookies) and return a page in it."""
    contexts = []

    def make():  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
