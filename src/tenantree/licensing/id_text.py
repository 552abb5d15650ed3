"""Ids read as the database's own text, not parsed into `uuid.UUID`.

A big partner's report reads an id per consumer in several queries (~100,000
at 10,000 sub-orgs): parsing each into a UUID and hashing it in every lookup
was about a third of the report's time (bench/ANALYSIS.md, round 6). Where
an id only joins one query's rows to another's, its text does the same job:
a str hashes once and keeps its hash. PostgreSQL's text of a uuid is
`str(UUID)`; SQLite keeps `UUID.hex` (SQLAlchemy's `Uuid` without a native
type). Keys in one form must only meet keys in the same form.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, String, cast, type_coerce


def id_text(dialect: str, column: ColumnElement[uuid.UUID]) -> ColumnElement[str]:
    """The column as the text the database holds, for `dialect`."""
    if dialect == "postgresql":
        return cast(column, String)
    return type_coerce(column, String)


def text_of(dialect: str, value: uuid.UUID) -> str:
    """What `id_text` reads for the id `value`."""
    return str(value) if dialect == "postgresql" else value.hex


def uuid_text(dialect: str, text: str) -> str:
    """`str(UUID)` of an id read by `id_text`, without parsing it: what the
    report's JSON shows for 20,000 consumers at 10,000 sub-orgs."""
    if dialect == "postgresql":
        return text
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
