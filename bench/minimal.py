"""The issue's minimal peer: the least an authenticated GET org can do.

A FastAPI endpoint that hashes the bearer token, reads the token with the
caller's directory entries in one query, reads the org by id in another, lets
a member of the org or of its partner read it, and answers a few of its
columns: no middleware, no dependencies, no ORM, no response model. Served
beside the bare endpoint and the app, it says how much of the gap between
them any FastAPI app doing this work pays (its ratio to bare) and how much
is the app's own (the app's ratio to it). Not the product: no suspension,
restriction, refusal or SSO rule is checked here.

A sync endpoint, so FastAPI runs it in anyio's worker threads (and the
`-> dict` answer's validation in a second hop); bench.minimal_async does the
same work (bench.minimal_work) on the event loop.
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from sqlalchemy import create_engine

from .minimal_work import ORG, PATH, TOKEN, URL, answer, entries_of, org_key, token_key

_engine = create_engine(URL, pool_size=16, max_overflow=16)

app = FastAPI()


@app.get(PATH)
def get_org(org_id: uuid.UUID, request: Request) -> dict:
    params = token_key(request)
    conn = _engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(TOKEN, params)
        entries = entries_of(cur.fetchall())
        cur.execute(ORG, org_key(org_id))
        org = cur.fetchone()
    finally:
        conn.close()
    return answer(org_id, org, entries)
