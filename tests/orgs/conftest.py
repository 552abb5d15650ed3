"""Helpers for driving the orgs API as an operator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import bearer, issue_token, make_account, salesforce_id


@pytest.fixture
def op_headers(session, identity) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Bearer headers of a fresh platform operator."""
    account = make_account(
        session, identity, email=f"op-{uuid.uuid4().hex[:8]}@example.com", is_operator=True
    )
    token = issue_token(session, identity, account)
    session.commit()
    return bearer(token)


@dataclass
class OrgApi:
    """Creates orgs through the public API, as an operator, checking each step."""

    client: TestClient
    headers: dict[str, str]

    def create(
        self,
        *,
        name: str | None = None,
        edition: str = "standard",
        salesforce_id: str | None = None,
        admin_email: str | None = None,
    ) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/orgs",
            json={
                "name": name or f"Org {uuid.uuid4().hex[:6]}",
                "salesforce_id": salesforce_id or _sfid(),
                "edition": edition,
                "primary_admin_email": admin_email or f"admin-{uuid.uuid4().hex[:6]}@example.com",
            },
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def partner(self, partner_type: str = "msp", *, name: str | None = None) -> dict[str, Any]:
        org = self.create(name=name or f"Partner {uuid.uuid4().hex[:6]}", edition="pro")
        response = self.client.post(
            f"/api/v1/orgs/{org['id']}/partner-activation",
            json={"partner_type": partner_type},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def activate(self, org_id: str, partner_type: str):  # type: ignore[no-untyped-def]
        """The answer to activating partner features on an org (checked by the caller)."""
        return self.client.post(
            f"/api/v1/orgs/{org_id}/partner-activation",
            json={"partner_type": partner_type},
            headers=self.headers,
        )

    def sub_org(
        self,
        parent_id: str,
        *,
        name: str | None = None,
        customer_name: str = "Customer Inc",
        salesforce_id: str | None = None,
        admin_email: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": name or f"Customer {uuid.uuid4().hex[:6]}",
            "salesforce_id": salesforce_id or _sfid(),
            "customer_name": customer_name,
        }
        if admin_email:
            body["primary_admin_email"] = admin_email
        response = self.client.post(
            f"/api/v1/orgs/{parent_id}/sub-orgs", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def _sfid() -> str:
    return salesforce_id()


@pytest.fixture
def orgs_api(client: TestClient, op_headers: dict[str, str]) -> OrgApi:
    return OrgApi(client, op_headers)
