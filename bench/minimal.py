"""The issue's minimal peer: the least an authenticated GET org can do.

A FastAPI endpoint that hashes the bearer token, reads the token with the
caller's directory entries in one query, reads the org by id in another, lets
a member of the org or of its partner read it, and answers a few of its
columns: no middleware, no dependencies, no ORM, no response model. Served
beside the bare endpoint and the app, it says how much of the gap between
them any FastAPI app doing this work pays (its ratio to bare) and how much
is the app's own (the app's ratio to it). Not the product: no suspension,
restriction, refusal or SSO rule is checked here.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException, Request
from sqlalchemy import create_engine

from tenantree.identity.credentials import token_digest

from .datagen import SECRET_KEY

_URL = os.environ["TENANTREE_DATABASE_URL"]
_SQLITE = _URL.startswith("sqlite")
_engine = create_engine(_URL, pool_size=16, max_overflow=16)
# The driver's placeholder is the only thing put into the text: values are bound.
_P = "?" if _SQLITE else "%s"
_TOKEN = (
    "SELECT t.revoked_at, t.expires_at, m.org_id FROM access_tokens t"
    " LEFT JOIN memberships m ON m.account_id = t.account_id AND m.status = 'active'"
    " WHERE t.token_hash = :p"
).replace(":p", _P)
_ORG = "SELECT id, name, kind, parent_id, status, created_at FROM orgs WHERE id = :p".replace(
    ":p", _P
)

app = FastAPI()


def _key(org_id: uuid.UUID) -> str | uuid.UUID:
    return org_id.hex if _SQLITE else org_id  # SQLAlchemy's Uuid on SQLite: 32 hex digits


def _now() -> str | datetime:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if _SQLITE else now


@app.get("/api/v1/minimal/orgs/{org_id}")
def get_org(org_id: uuid.UUID, request: Request) -> dict:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401)
    conn = _engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(_TOKEN, (token_digest(SECRET_KEY, token),))
        rows = cur.fetchall()
        if not rows or rows[0][0] is not None or rows[0][1] <= _now():
            raise HTTPException(401)
        entries = {str(r[2]) for r in rows if r[2] is not None}
        cur.execute(_ORG, (_key(org_id),))
        org = cur.fetchone()
    finally:
        conn.close()
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
