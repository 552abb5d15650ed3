"""Keyset pagination: `limit` + an opaque `cursor`, stable under inserts.

A cursor encodes the sort key and id of the last item returned; the next
page starts strictly after it. Ids are random, so the sort key leads.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from tenantree.errors import Invalid

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    # The cursor of the page before (for `before=`); None on the first page.
    prev_cursor: str | None = None


def encode_cursor(key: Any, item_id: uuid.UUID) -> str:
    if isinstance(key, datetime):
        key = {"t": key.isoformat()}
    raw = json.dumps([key, str(item_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, item_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(key, dict):
            key = datetime.fromisoformat(key["t"])
        if not isinstance(item_id, str):
            raise TypeError("the id in a cursor is a string")
        return key, uuid.UUID(item_id)
    except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
        raise Invalid("the cursor is not one this API returned", field="cursor") from exc


def _key_fits(key: Any, sort_column: InstrumentedAttribute[Any]) -> bool:
    """Whether a decoded cursor key can be compared with the sort column.

    A forged cursor must be a 422, not a database error: the key has to be
    of the column's type (an aware datetime for times, a string without NUL
    for text, which PostgreSQL refuses).
    """
    column_type = sort_column.type
    try:
        python_type = getattr(column_type, "impl", column_type).python_type
    except NotImplementedError:
        return True
    if python_type is datetime:
        if not (isinstance(key, datetime) and key.tzinfo is not None):
            return False
        try:
            key.astimezone(UTC)  # e.g. 9999-12-31T23:59:59-14:00 has no UTC form
        except OverflowError:
            return False
        return True
    if python_type is str:
        return isinstance(key, str) and "\x00" not in key
    return isinstance(key, python_type) and not isinstance(key, bool)


@dataclass(frozen=True)
class PageRequest:
    """A page asked for: its size, and the cursor it starts after (or ends before)."""

    limit: int
    # The cursor's sort key and id; None for the first page.
    mark: tuple[Any, uuid.UUID] | None
    # Read backwards from `mark` (`before=`), then turned round.
    backwards: bool
    # A `cursor` was given: the page has one before it.
    after_cursor: bool

    def reads_descending(self, descending: bool) -> bool:
        return descending != self.backwards


def page_request(
    limit: int | None,
    cursor: str | None,
    before: str | None,
    sort_column: Any,
) -> PageRequest:
    """The page asked for, its limit and cursor checked (422 naming the field)."""
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    mark, field = (before, "before") if before else (cursor, "cursor")
    decoded = None
    if mark:
        decoded = decode_cursor(mark)
        if not _key_fits(decoded[0], sort_column):
            raise Invalid("the cursor is not one this API returned", field=field)
    return PageRequest(limit, decoded, bool(before), bool(cursor))


def after_mark(
    sort_column: Any, id_column: Any, key: Any, last_id: Any, *, reads_descending: bool
) -> ColumnElement[bool]:
    """Rows strictly past the cursor's (key, id) in reading order (values or bind parameters).

    One row-value comparison: an index on (sort column, id) is entered at the
    cursor, where the same test as an OR was read from the index's start on
    SQLite (bench/ANALYSIS.md, round 13)."""
    row = tuple_(sort_column, id_column)
    mark = tuple_(key, last_id, types=[sort_column.type, id_column.type])
    return row < mark if reads_descending else row > mark


def reading_order(sort_column: Any, id_column: Any, *, reads_descending: bool) -> tuple[Any, Any]:
    if reads_descending:
        return sort_column.desc(), id_column.desc()
    return sort_column.asc(), id_column.asc()


def page_of(found: list[T], request: PageRequest, key_of: Callable[[T], Any]) -> Page[T]:
    """The page from up to `limit + 1` items read in reading order; `key_of` an
    item's (sort key, id)."""
    more = len(found) > request.limit
    found = found[: request.limit]

    def cursor_of(item: T) -> str:
        return encode_cursor(*key_of(item))

    if request.backwards:
        found.reverse()
        # Read backwards from an item, so that item (and the page it began) follows.
        next_cursor = cursor_of(found[-1]) if found else None
        prev_cursor = cursor_of(found[0]) if found and more else None
        return Page(found, next_cursor, prev_cursor)
    next_cursor = cursor_of(found[-1]) if more else None
    prev_cursor = cursor_of(found[0]) if found and request.after_cursor else None
    return Page(found, next_cursor, prev_cursor)


def paginate(
    session: Session,
    query: Select[tuple[T]],
    *,
    sort_column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    limit: int | None,
    cursor: str | None,
    descending: bool = False,
    before: str | None = None,
    rows: bool = False,
) -> Page[T]:
    """The page after `cursor`, or with `before` the page ending just before that
    cursor's item (Previous): the same query read backwards, then turned round.

    `rows`: the query selects columns (the sort and id columns among them), and
    the page holds its rows rather than the first column's values."""
    request = page_request(limit, cursor, before, sort_column)
    reads_descending = request.reads_descending(descending)
    if request.mark is not None:
        key, last_id = request.mark
        query = query.where(
            after_mark(sort_column, id_column, key, last_id, reads_descending=reads_descending)
        )
    query = query.order_by(
        *reading_order(sort_column, id_column, reads_descending=reads_descending)
    )
    query = query.limit(request.limit + 1)
    found: list[Any] = list(session.execute(query).all() if rows else session.scalars(query))
    sort_key, id_key = sort_column.key, id_column.key
    return page_of(found, request, lambda item: (getattr(item, sort_key), getattr(item, id_key)))


def like_contains(q: str) -> str:
    """The LIKE pattern (escape `\\`) of a text containing `q`, in lower case."""
    return f"%{_like_escaped(q)}%"


def like_prefix(q: str) -> str:
    """The LIKE pattern (escape `\\`) of a text starting with `q`, in lower case."""
    return f"{_like_escaped(q)}%"


def _like_escaped(q: str) -> str:
    return q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(column: Any, pattern: Any) -> ColumnElement[bool]:
    """`column`, in lower case, matches a pattern of `like_contains` or
    `like_prefix` (the pattern itself, or a bind parameter for it)."""
    return func.lower(column).like(pattern, escape="\\")


def contains(column: Any, q: str) -> ColumnElement[bool]:
    """`column` contains `q`, ignoring case; `%` and `_` in `q` match themselves."""
    return matches(column, like_contains(q))


def starts_with(column: Any, q: str) -> ColumnElement[bool]:
    """`column` starts with `q`, ignoring case (a Salesforce ID prefix)."""
    return matches(column, like_prefix(q))
