"""The minimal peers' work, shared by the sync peer (bench.minimal) and the
async one (bench.minimal_async): the bearer token, the two statements, the
token's check and the answer. Only how the statements reach the database
differs between the two, so their ratio is the cost of that alone.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from fastapi import HTTPException, Request

from tenantree.identity.credentials import token_digest

from .datagen import SECRET_KEY

URL = os.environ["TENANTREE_DATABASE_URL"]
SQLITE = URL.startswith("sqlite")
PATH = "/api/v1/minimal/orgs/{org_id}"
# The driver's placeholder is the only thing put into the text: values are bound.
_P = "?" if SQLITE else "%s"
TOKEN = (
    "SELECT t.revoked_at, t.expires_at, m.org_id FROM access_tokens t"
    " LEFT JOIN memberships m ON m.account_id = t.account_id AND m.status = 'active'"
    " WHERE t.token_hash = :p"
).replace(":p", _P)
ORG = "SELECT id, name, kind, parent_id, status, created_at FROM orgs WHERE id = :p".replace(
    ":p", _P
)


def token_key(request: Request) -> tuple[str]:
    """The bearer token's digest, as TOKEN's parameters; 401 without one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401)
    return (token_digest(SECRET_KEY, token),)


def org_key(org_id: uuid.UUID) -> tuple[str | uuid.UUID]:
    """ORG's parameters: SQLAlchemy's Uuid on SQLite is stored as 32 hex digits."""
    return (org_id.hex if SQLITE else org_id,)


def _now() -> str | datetime:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if SQLITE else now


def entries_of(rows: list) -> set[str]:
    """The caller's active memberships from TOKEN's rows; 401 for no token, a
    revoked one or an expired one."""
    if not rows or rows[0][0] is not None or rows[0][1] <= _now():
        raise HTTPException(401)
    return {str(r[2]) for r in rows if r[2] is not None}


def answer(org_id: uuid.UUID, org: tuple | None, entries: set[str]) -> dict:
    """A member of the org or of its partner reads a few of its columns; 404 otherwise."""
    if org is None or not entries & {str(org[0]), str(org[3])}:
        raise HTTPException(404)
    return {
        "id": str(org_id),
        "name": org[1],
        "kind": org[2],
        "parent_id": str(uuid.UUID(str(org[3]))) if org[3] else None,
        "status": org[4],
        "created_at": str(org[5]),
    }
