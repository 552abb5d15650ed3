"""The operations the CLI's commands call, written once for two modes.

A command resolves its arguments and calls one method of a `Backend`:
`LocalBackend` (cli/local_backend.py) runs it on the database through the
services, in the command's one unit of work, as the platform operator on the
server; `RemoteBackend` (cli/remote_backend.py) sends it to the public API with
the caller's token, so the API's policy decides exactly as for any client.
Both return the API's JSON shapes (plain dicts) and raise `Refused` with the
API's error code when a rule says no.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

Record = dict[str, Any]


@dataclass
class Refused(Exception):
    """A rule refused the operation: the API's error code, message and field."""

    code: str
    message: str
    field: str | None = None
    status: int = 400

    def __str__(self) -> str:
        field = f" (field: {self.field})" if self.field else ""
        return f"{self.code}: {self.message}{field}"


class Backend(Protocol):
    # Orgs and sub-orgs
    def find_orgs(self, ref: str) -> list[Record]:
        """Orgs whose exact name or Salesforce account ID (15 or 18) is `ref`."""
        ...

    def get_org(self, org_id: uuid.UUID) -> Record: ...
    def list_orgs(self, *, q: str | None, parent_id: uuid.UUID | None) -> Iterator[Record]: ...
    def create_org(
        self, *, name: str, salesforce_id: str, edition: str, primary_admin_email: str
    ) -> Record: ...
    def update_org(self, org_id: uuid.UUID, changes: Record) -> Record: ...
    def activate_partner(self, org_id: uuid.UUID, partner_type: str) -> Record: ...
    def create_sub_org(self, org_id: uuid.UUID, body: Record) -> Record: ...
    def list_sub_orgs(self, org_id: uuid.UUID, *, q: str | None) -> Iterator[Record]: ...

    # Users and invitations
    def list_users(self, org_id: uuid.UUID) -> Iterator[Record]: ...
    def update_user(self, org_id: uuid.UUID, user_id: uuid.UUID, changes: Record) -> Record: ...
    def remove_user(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None: ...
    def transfer_primary_admin(self, org_id: uuid.UUID, user_id: uuid.UUID) -> Record: ...
    def list_invitations(self, org_id: uuid.UUID) -> Iterator[Record]: ...
    def invite(self, org_id: uuid.UUID, *, email: str, role: str) -> Record: ...
    def revoke_invitation(self, org_id: uuid.UUID, invitation_id: uuid.UUID) -> None: ...

    # API tokens
    def list_api_tokens(self, org_id: uuid.UUID) -> Iterator[Record]: ...
    def create_api_token(
        self, org_id: uuid.UUID, *, name: str, role: str, expires_at: datetime | None
    ) -> Record: ...
    def revoke_api_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None: ...

    # Audit
    def list_audit_events(
        self,
        org_id: uuid.UUID | None,
        *,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[Record]: ...

    # Access settings of a sub-org
    def get_access(self, org_id: uuid.UUID) -> Record: ...
    def set_access(self, org_id: uuid.UUID, body: Record) -> Record: ...
    def grant_partner_user(
        self, org_id: uuid.UUID, user_id: uuid.UUID, expires_at: datetime | None
    ) -> Record: ...
    def end_partner_grant(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None: ...
