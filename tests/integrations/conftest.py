"""Fixtures for the identity-provider integrations."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest


@pytest.fixture
def private_issuers(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Lets SSO issuers be loopback hosts over http (the test's mock provider), for one test."""
    services = app.state.services
    original = services.identity
    services.identity = dataclasses.replace(original, sso_allow_private_issuers=True)
    yield
    services.identity = original
