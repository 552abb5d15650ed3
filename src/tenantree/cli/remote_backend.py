"""The operations as calls to the public API, with the caller's token: the API's
policy decides, exactly as for any client (a partner admin reaches its own
sub-orgs and is refused elsewhere)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from tenantree.cli.backend import Record, Refused
from tenantree.errors import Invalid
from tenantree.orgs.salesforce import normalize_account_id

API = "/api/v1"


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class RemoteBackend:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, API + path, **kwargs)
        except httpx.HTTPError as exc:
            raise Refused(
                "api_unreachable", f"{self.client.base_url} did not answer: {exc}", None, 503
            ) from exc
        if response.status_code >= 400:
            raise _refusal(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Record]:
        params = _drop_none(params or {})
        while True:
            body = self.request("GET", path, params=params)
            yield from body["items"]
            if not body.get("next_cursor"):
                return
            params["cursor"] = body["next_cursor"]

    # Orgs and sub-orgs

    def find_orgs(self, ref: str) -> list[Record]:
        try:
            salesforce_id: str | None = normalize_account_id(ref, field="org")
        except Invalid:  # not a Salesforce ID: a name only
            salesforce_id = None
        if salesforce_id is None:
            return [o for o in self.pages("/orgs", {"q": ref}) if o["name"] == ref]
        # The list has no Salesforce ID filter: read what this caller reaches.
        return [
            o
            for o in self.pages("/orgs")
            if o["name"] == ref or o["salesforce_id"] == salesforce_id
        ]

    def get_org(self, org_id: uuid.UUID) -> Record:
        return self.request("GET", f"/orgs/{org_id}")  # type: ignore[no-any-return]

    def list_orgs(self, *, q: str | None, parent_id: uuid.UUID | None) -> Iterator[Record]:
        return self.pages("/orgs", {"q": q, "parent_id": str(parent_id) if parent_id else None})

    def create_org(
        self, *, name: str, salesforce_id: str, edition: str, primary_admin_email: str
    ) -> Record:
        body = {
            "name": name,
            "salesforce_id": salesforce_id,
            "edition": edition,
            "primary_admin_email": primary_admin_email,
        }
        return self.request("POST", "/orgs", json=body)  # type: ignore[no-any-return]

    def update_org(self, org_id: uuid.UUID, changes: Record) -> Record:
        return self.request("PATCH", f"/orgs/{org_id}", json=_drop_none(changes))  # type: ignore[no-any-return]

    def activate_partner(self, org_id: uuid.UUID, partner_type: str) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "POST", f"/orgs/{org_id}/partner-activation", json={"partner_type": partner_type}
        )

    def move_sub_org(
        self, org_id: uuid.UUID, to_partner_id: uuid.UUID, *, allow_overage: bool
    ) -> Record:
        body = {"to_partner_id": str(to_partner_id), "allow_overage": allow_overage}
        return self.request("POST", f"/orgs/{org_id}/move", json=body)  # type: ignore[no-any-return]

    def create_sub_org(self, org_id: uuid.UUID, body: Record) -> Record:
        return self.request("POST", f"/orgs/{org_id}/sub-orgs", json=_drop_none(body))  # type: ignore[no-any-return]

    def list_sub_orgs(self, org_id: uuid.UUID, *, q: str | None) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/sub-orgs", {"q": q})

    # Users and invitations

    def list_users(self, org_id: uuid.UUID) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/users")

    def update_user(self, org_id: uuid.UUID, user_id: uuid.UUID, changes: Record) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "PATCH", f"/orgs/{org_id}/users/{user_id}", json=_drop_none(changes)
        )

    def remove_user(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/users/{user_id}")

    def transfer_primary_admin(self, org_id: uuid.UUID, user_id: uuid.UUID) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "POST", f"/orgs/{org_id}/primary-admin", json={"user_id": str(user_id)}
        )

    def list_invitations(self, org_id: uuid.UUID) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/invitations")

    def invite(self, org_id: uuid.UUID, *, email: str, role: str) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "POST", f"/orgs/{org_id}/invitations", json={"email": email, "role": role}
        )

    def revoke_invitation(self, org_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/invitations/{invitation_id}")

    # API tokens

    def list_api_tokens(self, org_id: uuid.UUID) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/api-tokens")

    def create_api_token(
        self, org_id: uuid.UUID, *, name: str, role: str, expires_at: datetime | None
    ) -> Record:
        body = _drop_none({"name": name, "role": role, "expires_at": _time(expires_at)})
        return self.request("POST", f"/orgs/{org_id}/api-tokens", json=body)  # type: ignore[no-any-return]

    def revoke_api_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/api-tokens/{token_id}")

    # Audit

    def list_audit_events(
        self,
        org_id: uuid.UUID | None,
        *,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[Record]:
        path = f"/orgs/{org_id}/audit-events" if org_id else "/audit-events"
        return self.pages(path, {"action": action, "from": _time(since), "to": _time(until)})

    # Access settings of a sub-org

    def get_access(self, org_id: uuid.UUID) -> Record:
        return self.request("GET", f"/orgs/{org_id}/access")  # type: ignore[no-any-return]

    def set_access(self, org_id: uuid.UUID, body: Record) -> Record:
        return self.request("PUT", f"/orgs/{org_id}/access", json=body)  # type: ignore[no-any-return]

    def grant_partner_user(
        self, org_id: uuid.UUID, user_id: uuid.UUID, expires_at: datetime | None
    ) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "PUT",
            f"/orgs/{org_id}/partner-grants/{user_id}",
            json={"expires_at": _time(expires_at)},
        )

    def end_partner_grant(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/partner-grants/{user_id}")

    def list_partner_staff(self, org_id: uuid.UUID) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/partner-access")

    def check_access(self, org_id: uuid.UUID, user: str, permissions: list[str]) -> list[Record]:
        user_id = self._subject(org_id, user)
        return [
            self.request(
                "GET",
                f"/orgs/{org_id}/access-check",
                params={"user_id": str(user_id), "permission": permission},
            )
            for permission in permissions
        ]

    def _subject(self, org_id: uuid.UUID, user: str) -> uuid.UUID:
        """A user by id, or by email among the org's users, then its partner's staff."""
        try:
            return uuid.UUID(user)
        except ValueError:
            pass
        wanted = user.strip().lower()
        parent = self.get_org(org_id)["parent_id"]
        for org in (org_id, parent) if parent else (org_id,):
            for item in self.pages(f"/orgs/{org}/users"):
                if item["email"].lower() == wanted:
                    return uuid.UUID(item["id"])
        raise Refused(
            "user_not_found",
            f"no user of this org or its partner has the email {user!r}",
            "user",
            404,
        )

    # Licensing

    def list_licenses(self, org_id: uuid.UUID) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/licenses")

    def grant_license(self, org_id: uuid.UUID, body: Record) -> Record:
        return self.request("POST", f"/orgs/{org_id}/licenses", json=_drop_none(body))  # type: ignore[no-any-return]

    def update_license(self, org_id: uuid.UUID, license_id: uuid.UUID, changes: Record) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "PATCH", f"/orgs/{org_id}/licenses/{license_id}", json=_drop_none(changes)
        )

    def get_license_source(self, org_id: uuid.UUID) -> Record:
        return self.request("GET", f"/orgs/{org_id}/license-source")  # type: ignore[no-any-return]

    def set_license_source(self, org_id: uuid.UUID, source: str) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "PUT", f"/orgs/{org_id}/license-source", json={"source": source}
        )

    def list_quotas(self, org_id: uuid.UUID) -> list[Record]:
        return self.request("GET", f"/orgs/{org_id}/quotas")["items"]  # type: ignore[no-any-return]

    def set_quota(self, org_id: uuid.UUID, sku: str, max_units: int | None) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "PUT", f"/orgs/{org_id}/quotas/{sku}", json={"max_units": max_units}
        )

    def report_usage(self, org_id: uuid.UUID, body: Record) -> Record:
        return self.request("POST", f"/orgs/{org_id}/usage", json=_drop_none(body))  # type: ignore[no-any-return]

    def list_usage_events(self, org_id: uuid.UUID, *, sku: str | None) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/usage-events", {"sku": sku})

    # Branding

    def get_branding(self, org_id: uuid.UUID) -> Record:
        return branding_record(self.request("GET", f"/orgs/{org_id}/branding"))

    def save_branding_draft(self, org_id: uuid.UUID, fields: Record) -> Record:
        return branding_record(self.request("PUT", f"/orgs/{org_id}/branding", json=fields))

    def publish_branding(self, org_id: uuid.UUID) -> Record:
        return branding_record(self.request("POST", f"/orgs/{org_id}/branding/publish"))

    def upload_brand_image(
        self, org_id: uuid.UUID, kind: str, data: bytes, *, content_type: str, filename: str
    ) -> Record:
        # The raw image is the body (not multipart), as the API documents.
        headers = {
            "Content-Type": content_type,
            "Content-Disposition": f'inline; filename="{filename}"',
        }
        return self.request(  # type: ignore[no-any-return]
            "PUT", f"/orgs/{org_id}/branding/{kind}", content=data, headers=headers
        )

    def clear_brand_image(self, org_id: uuid.UUID, kind: str) -> Record:
        return branding_record(self.request("DELETE", f"/orgs/{org_id}/branding/{kind}"))

    def verify_brand_domain(self, org_id: uuid.UUID, hostname: str | None) -> Record:
        body = {"hostname": hostname} if hostname else None
        return self.request("POST", f"/orgs/{org_id}/branding/domain/verify", json=body)  # type: ignore[no-any-return]

    # SCIM tokens

    def list_scim_tokens(self, org_id: uuid.UUID) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/scim-tokens")

    def create_scim_token(
        self, org_id: uuid.UUID, *, name: str, expires_at: datetime | None
    ) -> Record:
        body = _drop_none({"name": name, "expires_at": _time(expires_at)})
        return self.request("POST", f"/orgs/{org_id}/scim-tokens", json=body)  # type: ignore[no-any-return]

    def revoke_scim_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/scim-tokens/{token_id}")

    # Verified email domains

    def list_domains(self, org_id: uuid.UUID) -> list[Record]:
        return self.request("GET", f"/orgs/{org_id}/domains")["items"]  # type: ignore[no-any-return]

    def claim_domain(self, org_id: uuid.UUID, domain: str) -> Record:
        return self.request("POST", f"/orgs/{org_id}/domains", json={"domain": domain})  # type: ignore[no-any-return]

    def verify_domain(self, org_id: uuid.UUID, domain_id: uuid.UUID) -> Record:
        return self.request("POST", f"/orgs/{org_id}/domains/{domain_id}/verify")  # type: ignore[no-any-return]

    def remove_domain(self, org_id: uuid.UUID, domain_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/domains/{domain_id}")

    def list_every_domain_claim(self) -> list[Record]:
        return self.request("GET", "/domains")["items"]  # type: ignore[no-any-return]

    def revoke_domain_claim(self, domain_id: uuid.UUID) -> None:
        self.request("DELETE", f"/domains/{domain_id}")

    # Single sign-on

    def get_sso(self, org_id: uuid.UUID) -> Record:
        return self.request("GET", f"/orgs/{org_id}/sso")  # type: ignore[no-any-return]

    def set_sso(self, org_id: uuid.UUID, body: Record) -> Record:
        return self.request("PUT", f"/orgs/{org_id}/sso", json=_drop_none(body))  # type: ignore[no-any-return]

    def remove_sso(self, org_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/sso")

    # The org's own SMTP relay

    def get_smtp_relay(self, org_id: uuid.UUID) -> Record:
        return self.request("GET", f"/orgs/{org_id}/branding/smtp-relay")  # type: ignore[no-any-return]

    def set_smtp_relay(self, org_id: uuid.UUID, body: Record) -> Record:
        return self.request(  # type: ignore[no-any-return]
            "PUT", f"/orgs/{org_id}/branding/smtp-relay", json=body
        )

    def remove_smtp_relay(self, org_id: uuid.UUID) -> None:
        self.request("DELETE", f"/orgs/{org_id}/branding/smtp-relay")

    # MFA policy

    def get_mfa_policy(self, org_id: uuid.UUID) -> Record:
        return self.request("GET", f"/orgs/{org_id}/mfa-policy")  # type: ignore[no-any-return]

    def set_mfa_policy(
        self, org_id: uuid.UUID, *, required: bool, required_for_sub_orgs: bool
    ) -> Record:
        body = {"required": required, "required_for_sub_orgs": required_for_sub_orgs}
        return self.request("PUT", f"/orgs/{org_id}/mfa-policy", json=body)  # type: ignore[no-any-return]

    # Reconciling with Salesforce (operators)

    def reconcile_crm(self, data: bytes, *, filename: str, keep: bool) -> Record:
        if not keep:
            raise Refused(
                "not_supported", "the API keeps every reconciliation (drop --no-keep)", "keep", 400
            )
        return self.request(  # type: ignore[no-any-return]
            "POST",
            "/crm/reconciliations",
            content=data,
            params={"filename": filename},
            headers={"Content-Type": "text/csv"},
        )

    # Session

    def sign_out(self) -> None:
        self.request("POST", "/auth/logout")

    # License alerts

    def list_alerts(self, org_id: uuid.UUID, *, state: str) -> Iterator[Record]:
        return self.pages(f"/orgs/{org_id}/alerts", {"state": state})

    def acknowledge_alert(self, org_id: uuid.UUID, alert_id: uuid.UUID) -> Record:
        return self.request("POST", f"/orgs/{org_id}/alerts/{alert_id}/acknowledge")  # type: ignore[no-any-return]


def branding_record(branding: Record) -> Record:
    """The API's branding, as far as the CLI shows it (records.branding_record)."""
    return {key: branding[key] for key in ("org_id", "draft", "published", "unpublished_changes")}


def _refusal(response: httpx.Response) -> Refused:
    try:
        error = response.json()["error"]
        return Refused(error["code"], error["message"], error.get("field"), response.status_code)
    except (ValueError, KeyError, TypeError):
        return Refused(
            f"http_{response.status_code}", response.text[:200], None, response.status_code
        )
