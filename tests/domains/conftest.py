"""Fixtures for the verified-domain tests: the DNS double and an API driver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

import branding.conftest as branding_fixtures
from branding.conftest import FakeDns
from factories import World, build_world

dns = branding_fixtures.dns  # the DNS double, as the branding tests use it


@dataclass
class DomainsApi:
    client: TestClient
    world: World
    dns: FakeDns

    def path(self, org: str, rest: str = "") -> str:
        return f"/api/v1/orgs/{getattr(self.world, org).id}/domains{rest}"

    def claim(self, org: str, domain: str, actor: str = "OP") -> Response:
        return self.client.post(
            self.path(org), json={"domain": domain}, headers=self.world.headers(actor)
        )

    def claim_ok(self, org: str, domain: str, actor: str = "OP") -> dict[str, Any]:
        response = self.claim(org, domain, actor)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def verify(self, org: str, claim: dict[str, Any], actor: str = "OP") -> Response:
        return self.client.post(
            self.path(org, f"/{claim['id']}/verify"), headers=self.world.headers(actor)
        )

    def publish(self, claim: dict[str, Any]) -> None:
        self.dns.publish(claim["txt_record_name"], claim["txt_record_value"])

    def prove(self, org: str, domain: str, actor: str = "OP") -> dict[str, Any]:
        """Claim, publish the TXT record, verify."""
        claim = self.claim_ok(org, domain, actor)
        self.publish(claim)
        response = self.verify(org, claim, actor)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def list(self, org: str, actor: str = "OP") -> list[dict[str, Any]]:
        response = self.client.get(self.path(org), headers=self.world.headers(actor))
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]


@pytest.fixture
def world(session, identity) -> World:  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


@pytest.fixture
def domains_api(client, world, dns) -> DomainsApi:  # type: ignore[no-untyped-def]
    return DomainsApi(client, world, dns)
