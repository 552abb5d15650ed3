"""Core reads of plain columns below the Session, and values read as the
database's text.

A Core `select()` of table columns run through `Session.execute` pays the
Session's ORM execution on every call (its event dispatch, the bind lookup,
the execution options merged) before the connection runs it; run on the
unit of work's connection it is the same statement, in the same transaction,
from the same compiled-statement cache (bench/ANALYSIS.md, round 10).

Ids and times a JSON answer shows as text can be read as the database's text
(`uuid_text`, `utc_text`) and finished into the forms pydantic writes
(`uuid_str`, `utc_str`), instead of being built into `UUID`s and aware
`datetime`s by SQLAlchemy's result processors only to be written back out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def read_connection(session: Session) -> Connection:
    """The unit of work's connection, for a Core select of table columns.

    What the work has pending is flushed first, as `Session.execute` does
    for a Core statement (autoflush), so the read sees the work's own writes;
    and, as there, not when the read runs inside a flush (a flush event's
    reads, e.g. webhooks.production), which has written what it had.
    """
    # `_flushing` is the flag Session's own autoflush reads; no public one says it.
    if session.autoflush and not session._flushing:
        session.flush()  # nothing pending: returns at once
    return session.connection()


class uuid_text(FunctionElement[str]):  # noqa: N801 - reads as a SQL function
    """A `Uuid` column as the database's text: 32 hex digits on SQLite (as
    SQLAlchemy stores it there), the canonical form on PostgreSQL."""

    type = String()
    inherit_cache = True


class utc_text(FunctionElement[str]):  # noqa: N801 - reads as a SQL function
    """A `UTCDateTime` column as the database's text: on SQLite its stored form
    (`YYYY-MM-DD HH:MM:SS.ffffff`, in UTC), on PostgreSQL formatted in SQL into
    the JSON form `utc_str` gives."""

    type = String()
    inherit_cache = True


@compiles(uuid_text)
def _uuid_text(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(uuid_text, "sqlite")
@compiles(utc_text, "sqlite")
def _stored_text(element: FunctionElement[str], compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps both as text: the value as stored, with no conversion.
    return compiler.process(element.clauses, **kw)


@compiles(utc_text)
def _utc_text(element: utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    # AT TIME ZONE 'UTC' makes the text independent of the session's TimeZone;
    # the fraction only when not zero, as pydantic writes it.
    utc = f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_trunc('second', {utc}) = {utc}"
        f" THEN '' ELSE to_char({utc}, '.US') END || 'Z'"
    )


def uuid_str(text: str | None) -> str | None:
    """`str(UUID)` of an id read by `uuid_text`."""
    if text is None:
        return None
    if len(text) == 36 and text.islower():
        return text  # PostgreSQL's cast: already canonical
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}".lower()
    return str(uuid.UUID(text))


def utc_str(text: str | None) -> str | None:
    """The JSON form pydantic writes for the aware UTC datetime read by
    `utc_text`: `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` only when not zero."""
    if text is None or text[-1] == "Z":
        return text  # None, or PostgreSQL's text: formatted in SQL already
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        fraction = "" if text.endswith(".000000") else text[19:]
        return f"{text[:10]}T{text[11:19]}{fraction}Z"
    # Any other stored form (no fraction, a shorter one, an offset): parsed.
    moment = datetime.fromisoformat(text)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return f"{moment:%Y-%m-%dT%H:%M:%S}{fraction}Z"
