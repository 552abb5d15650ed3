"""Fixtures for the identity-provider integrations."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from factories import World, build_world, prove_domain


@pytest.fixture
def private_issuers(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Lets SSO issuers be loopback hosts over http (the test's mock provider), for one test."""
    services = app.state.services
    original = services.identity
    services.identity = dataclasses.replace(original, sso_allow_private_issuers=True)
    yield
    services.identity = original


@pytest.fixture
def world(session, identity) -> World:  # type: ignore[no-untyped-def]
    """The ACCESS.md world, where S has verified s.example and T t.example (SSO needs it)."""
    built = build_world(session, identity)
    prove_domain(session, built.S, "s.example")
    prove_domain(session, built.T, "t.example")
    session.commit()
    return built
