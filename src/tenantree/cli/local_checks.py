"""Access checks on the local database: what a person may do in an org and why,
in the API's shape (GET /orgs/{org_id}/access-check), for the server's operator."""

from __future__ import annotations

import uuid

from tenantree.access.checks import AccessCheck, check_access, check_account
from tenantree.access.facts import load_org
from tenantree.access.permissions import Permission
from tenantree.cli.backend import Record, Refused
from tenantree.cli.local_base import LocalBase, domain_refusals
from tenantree.identity.accounts import find_account, normalize_email


def check_record(check: AccessCheck) -> Record:
    """An access check as the API answers it (api.routes.access.check_out)."""
    explanation = check.explanation
    path = explanation.path
    return {
        "org_id": str(check.org.id),
        "user_id": str(check.user_id) if check.user_id else None,
        "permission": explanation.permission.value,
        "allowed": explanation.allowed,
        "visible": explanation.visible,
        "rule": explanation.rule.value,
        "code": explanation.denial_code,
        "path": None
        if path is None
        else {
            "kind": path.kind.value,
            "via_org_id": str(check.via_org_id) if check.via_org_id else None,
            "role": path.role.value if path.role else None,
            "primary_admin": path.is_primary_admin,
            "block": path.block.value if path.block else None,
            "until": path.until.isoformat() if path.until else None,
        },
        "access_ended_at": explanation.ended_at.isoformat() if explanation.ended_at else None,
        "explanation": check.sentence,
    }


class CheckOperations(LocalBase):
    def check_access(self, org_id: uuid.UUID, user: str, permissions: list[str]) -> list[Record]:
        """By user id (a user of the org or partner staff reaching it, as the API
        answers) or by email: any account, even one with no way in (the operator's
        view on the server)."""
        loaded = load_org(self.session, self._org(org_id).id)
        assert loaded is not None
        wanted = [Permission(p) for p in permissions]
        with domain_refusals():
            try:
                user_id = uuid.UUID(user)
            except ValueError:
                account = find_account(self.session, user)
                if account is None:
                    raise Refused(
                        "user_not_found",
                        f"no account has the email {normalize_email(user)!r}",
                        "user",
                        404,
                    ) from None
                checks = check_account(self.session, loaded, account, wanted)
            else:
                checks = check_access(self.session, None, loaded, user_id, wanted)
        return [check_record(check) for check in checks]
