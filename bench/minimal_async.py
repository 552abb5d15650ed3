"""The minimal peer without the thread hop: bench.minimal's work as an
`async def` endpoint, every statement awaited on the event loop.

Same statements, checks and answer as bench.minimal (bench.minimal_work);
what differs is only how they reach the database:

- PostgreSQL: psycopg 3's `AsyncConnection`, 16 of them (the sync peer's
  pool size) opened at startup and handed out through an `asyncio.Queue`.
  Like the sync peer's pooled connections they are not in autocommit: the
  first statement opens a transaction and a ROLLBACK ends it when the
  connection goes back (SQLAlchemy's reset on return), so both peers make the
  same round trips.
- SQLite: `sqlite3` called directly on the event loop, one connection. A
  read in process takes microseconds and nothing awaits between a statement
  and its rows, so requests simply take turns. Only sound for a read-only
  peer: a write could wait on the database's lock and would stall the loop
  and every request on it.

No thread hop anywhere: FastAPI validates an async endpoint's answer on the
loop too.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, Request
from sqlalchemy.engine import make_url

from .minimal_work import ORG, PATH, SQLITE, TOKEN, URL, answer, entries_of, org_key, token_key

CONNECTIONS = 16

_url = make_url(URL)
_sqlite: sqlite3.Connection | None = None
_pg: asyncio.Queue[psycopg.AsyncConnection] = asyncio.Queue()


@asynccontextmanager
async def _connections(app: FastAPI) -> AsyncIterator[None]:
    global _sqlite
    if SQLITE:
        _sqlite = sqlite3.connect(_url.database or "")
        yield
        _sqlite.close()
        return
    conninfo = _url.set(drivername="postgresql").render_as_string(hide_password=False)
    opened = [await psycopg.AsyncConnection.connect(conninfo) for _ in range(CONNECTIONS)]
    for conn in opened:
        _pg.put_nowait(conn)
    yield
    for conn in opened:
        await conn.close()


app = FastAPI(lifespan=_connections)


async def get_org_sqlite(org_id: uuid.UUID, request: Request) -> dict:
    assert _sqlite is not None
    cur = _sqlite.cursor()
    cur.execute(TOKEN, token_key(request))
    entries = entries_of(cur.fetchall())
    cur.execute(ORG, org_key(org_id))
    return answer(org_id, cur.fetchone(), entries)


async def get_org_postgresql(org_id: uuid.UUID, request: Request) -> dict:
    params = token_key(request)
    conn = await _pg.get()
    try:
        cur = conn.cursor()
        await cur.execute(TOKEN, params)
        entries = entries_of(await cur.fetchall())
        await cur.execute(ORG, org_key(org_id))
        org = await cur.fetchone()
    finally:
        await conn.rollback()
        _pg.put_nowait(conn)
    return answer(org_id, org, entries)


app.add_api_route(PATH, get_org_sqlite if SQLITE else get_org_postgresql, methods=["GET"])
