"""Reading orgs: the orgs and sub-orgs an actor reaches, searched and paged.

A page is one statement, built once per shape (the actor's `reach.Shape`, the
filters given, the order, whether a cursor is given) and cached; each request
binds its values to it. Each way in (`reach.ways`) is read on its own, ordered
and limited to the page, where an index serves it (an org's own id, the
`(parent_id, name)` index below a partner); the page is the first rows of
their union. A single condition OR-ing the ways had the database test every
org against every way and sort them all: `GET /orgs` for a partner admin
scanned 10,010 orgs (bench/ANALYSIS.md, round 6).
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, or_, select, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from tenantree import clock
from tenantree.access.policy import Actor
from tenantree.access.reach import ORGS, TIER_TWO, Shape, reach_of, ways
from tenantree.db.reads import read_connection, utc_str, utc_text, uuid_str, uuid_text
from tenantree.errors import Invalid
from tenantree.orgs.models import Org
from tenantree.pagination import (
    Page,
    after_mark,
    like_contains,
    like_prefix,
    matches,
    page_of,
    page_request,
    reading_order,
)

# The columns a list of orgs may be ordered by (each is never NULL, as keyset
# paging needs; the customer's name sorts as "" when there is none), and the
# name each is read back by for the page's cursor: the console's sortable headers.
SORTS: dict[str, tuple[Any, str]] = {
    "name": (ORGS.c.name, "name"),
    "customer_name": (func.coalesce(ORGS.c.customer_name, ""), "customer_sort"),
    "salesforce_id": (ORGS.c.salesforce_id, "salesforce_id"),
    "status": (ORGS.c.status, "status"),
    "kind": (ORGS.c.kind, "kind"),
    "created": (ORGS.c.created_at, "created_at"),
}


def _sort(sort: str) -> tuple[Any, str]:
    try:
        return SORTS[sort]
    except KeyError:
        raise Invalid(f"sort must be one of {', '.join(SORTS)}", field="sort") from None


# What a list of orgs shows of each (the API's org summary): read as plain rows,
# several times cheaper than loading ORM entities (bench/ANALYSIS.md).
SUMMARY_COLUMNS = (
    ORGS.c.id,
    ORGS.c.name,
    ORGS.c.kind,
    ORGS.c.partner_type,
    ORGS.c.edition,
    ORGS.c.salesforce_id,
    ORGS.c.parent_id,
    ORGS.c.depth,
    ORGS.c.partner_salesforce_id,
    ORGS.c.customer_name,
    ORGS.c.status,
    ORGS.c.created_at,
    # Read back by the page's cursor when the list is sorted by customer name.
    SORTS["customer_name"][0].label("customer_sort"),
)

# The same, with ids and times read as the database's text (db.reads): the
# rows of an API page, whose JSON shows them as text. SQLAlchemy's `Uuid`
# and `UTCDateTime` processors were the most of reading 50 rows, and
# serializing the values back out a large part of writing them
# (bench/ANALYSIS.md, round 10).
SUMMARY_TEXT_COLUMNS = tuple(
    {
        "id": uuid_text(ORGS.c.id).label("id"),
        "parent_id": uuid_text(ORGS.c.parent_id).label("parent_id"),
        "created_at": utc_text(ORGS.c.created_at).label("created_at"),
    }.get(column.name, column)
    for column in SUMMARY_COLUMNS
)


def _text_items(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows of SUMMARY_TEXT_COLUMNS (unpacked in its order: a page's item
    equals GET org's answer, tests/orgs/test_org_pages.py) as the API's JSON
    has them: ids in their canonical form, the time as pydantic writes an
    aware UTC datetime.

    Each row unpacked into a dict display, and each parent's id finished once
    (a page below one parent has one): a third of the Python a page spent per
    row with a dict built from names and its three fields set after
    (bench/ANALYSIS.md, round 12)."""
    parents: dict[str | None, str | None] = {}
    items = []
    for id_, name, kind, partner_type, edition, salesforce_id, parent_id, depth, *rest in rows:
        partner_salesforce_id, customer_name, status, created_at, customer_sort = rest
        parent = parents.get(parent_id, "")
        if parent == "":
            parent = parents[parent_id] = uuid_str(parent_id)
        items.append(
            {
                "id": uuid_str(id_),
                "name": name,
                "kind": kind,
                "partner_type": partner_type,
                "edition": edition,
                "salesforce_id": salesforce_id,
                "parent_id": parent,
                "depth": depth,
                "partner_salesforce_id": partner_salesforce_id,
                "customer_name": customer_name,
                "status": status,
                "created_at": utc_str(created_at),
                "customer_sort": customer_sort,
            }
        )
    return items


def _text_key(item: dict[str, Any], key: str) -> Any:
    """A text item's sort key, as the cursor encodes the typed row's."""
    value = item[key]
    return datetime.fromisoformat(value) if key == "created_at" else value


@functools.lru_cache(maxsize=1024)
def _statement(
    shape: Shape,
    *,
    summaries: bool,
    texts: bool,
    search: bool,
    parent: bool,
    sort: str,
    reads_descending: bool,
    after: bool,
    skipped: frozenset[int],
) -> Select[Any]:
    """One page's statement; its values are bound by `list_orgs` (names as here).
    `skipped`: the ways from above that pass through no tier-2 partner (an
    empty IN list had the database test every org against it)."""
    column, _ = SORTS[sort]
    order = reading_order(column, ORGS.c.id, reads_descending=reads_descending)
    rows = bindparam("page_rows", type_=Integer)
    filters = []
    if search:
        # The org's name or its customer's containing it, or a Salesforce ID
        # starting with it ("Contoso", "001Aa0"), all ignoring case.
        filters.append(
            or_(
                matches(ORGS.c.name, bindparam("q_contains")),
                matches(ORGS.c.customer_name, bindparam("q_contains")),
                matches(ORGS.c.salesforce_id, bindparam("q_prefix")),
            )
        )
    if after:
        filters.append(
            after_mark(
                column,
                ORGS.c.id,
                # Typed: a row value's members take no type from the columns.
                bindparam("page_key", type_=column.type),
                bindparam("page_id", type_=ORGS.c.id.type),
                reads_descending=reads_descending,
            )
        )
    # Each way's first rows of the page, on their own (wrapped: SQLite takes
    # no ORDER BY or LIMIT on a member of a compound select).
    members = []
    for i, way in enumerate(ways(shape)):
        if i in skipped:
            continue
        on_org = _below_parent(way.on_org) if parent else way.on_org
        member = select(ORGS.c.id, column.label("sort_key")).where(on_org, *filters)
        if way.on_parent is not None and parent:
            # Below one parent, the way passes through that parent or through
            # none: its id if it passes, else NULL, read once by a scalar
            # subquery on its primary key, and the orgs below read by their
            # parent's id from the index in the page's order
            # (bench/ANALYSIS.md, round 13). Joined, SQLite walked every org
            # below, testing the parent's row for each.
            passes = select(TIER_TWO.c.id).where(
                TIER_TWO.c.id == bindparam("parent_id"), way.on_parent
            )
            member = member.where(ORGS.c.parent_id == passes.scalar_subquery())
        elif way.on_parent is not None:
            # The tier-2 partners this way passes through, read first (`list_orgs`).
            through = bindparam(f"through_{i}", expanding=True)
            member = member.where(ORGS.c.parent_id.in_(through))
        elif parent:
            member = member.where(ORGS.c.parent_id == bindparam("parent_id"))
        member = member.order_by(*order).limit(rows).subquery()
        members.append(select(member.c.id, member.c.sort_key))
    if not members:  # no way in: an empty page
        members.append(select(ORGS.c.id, column.label("sort_key")).where(ORGS.c.id.is_(None)))
    # UNION, not UNION ALL: an org reached two ways is listed once.
    found = union(*members).subquery() if len(members) > 1 else members[0].subquery()
    first = (
        select(found.c.id)
        .order_by(*reading_order(found.c.sort_key, found.c.id, reads_descending=reads_descending))
        .limit(rows)
    )
    columns = (SUMMARY_TEXT_COLUMNS if texts else SUMMARY_COLUMNS) if summaries else (Org,)
    return select(*columns).where(ORGS.c.id.in_(first.scalar_subquery())).order_by(*order)


def _below_parent(on_org: ColumnElement[bool]) -> ColumnElement[bool]:
    """A way's condition on orgs below the one parent listed: the parent's id
    in place of each org's `parent_id`. The way's tests of the parent (one of
    the actor's partners, not refused) are then tested once, not for each org
    (SQLite looked up the parent's access row for each), and PostgreSQL no
    longer takes `parent_id IN (...)` and `parent_id = ...` for two filters:
    estimating one row, it read every org and sorted them (bench/ANALYSIS.md,
    round 13)."""
    parent_id = bindparam("parent_id", type_=ORGS.c.parent_id.type)
    return replacement_traverse(
        on_org, {}, lambda element: parent_id if element is ORGS.c.parent_id else None
    )


@functools.lru_cache(maxsize=256)
def _through(shape: Shape, i: int) -> Select[Any]:
    """The tier-2 partners way `i` of the shape passes through (`reach.Way.parents`)."""
    return ways(shape)[i].parents()


def list_orgs(
    session: Session,
    actor: Actor,
    *,
    q: str | None,
    parent_id: uuid.UUID | None,
    limit: int | None,
    cursor: str | None,
    sort: str = "name",
    descending: bool = False,
    before: str | None = None,
    summaries: bool = False,
    texts: bool = False,
) -> Page[Any]:
    """The orgs this actor reaches; with `summaries`, rows of SUMMARY_COLUMNS,
    and with `texts` too, dicts of their JSON forms (`_text_items`)."""
    column, key = _sort(sort)
    request = page_request(limit, cursor, before, column)
    shape, values = reach_of(actor, clock.utcnow())
    values["page_rows"] = request.limit + 1
    if q:
        values["q_contains"] = like_contains(q)
        values["q_prefix"] = like_prefix(q)
    if parent_id is not None:
        values["parent_id"] = parent_id
    if request.mark is not None:
        values["page_key"], values["page_id"] = request.mark
    # Core statements of table columns: on the work's connection (db.reads),
    # but for entities, which only the Session loads.
    reads = read_connection(session) if summaries else session
    skipped = set()
    for i, way in enumerate(ways(shape)):
        if way.on_parent is not None and parent_id is None:
            values[f"through_{i}"] = list(reads.scalars(_through(shape, i), values))
            if not values[f"through_{i}"]:
                skipped.add(i)
    statement = _statement(
        shape,
        summaries=summaries,
        texts=summaries and texts,
        search=bool(q),
        parent=parent_id is not None,
        sort=sort,
        reads_descending=request.reads_descending(descending),
        after=request.mark is not None,
        skipped=frozenset(skipped),
    )
    if summaries and texts:
        # Fetched at once: row by row, the driver's fetches cost more than the rows.
        items = _text_items(reads.execute(statement, values).all())
        return page_of(items, request, lambda item: (_text_key(item, key), item["id"]))
    found: list[Any] = list(
        reads.execute(statement, values).all() if summaries else session.scalars(statement, values)
    )
    return page_of(found, request, lambda item: (getattr(item, key), item.id))


def list_sub_orgs(
    session: Session,
    actor: Actor,
    parent: Org,
    *,
    q: str | None,
    limit: int | None,
    cursor: str | None,
    sort: str = "name",
    descending: bool = False,
    before: str | None = None,
    summaries: bool = False,
    texts: bool = False,
) -> Page[Any]:
    """The parent's sub-orgs that this actor reaches; `summaries` and `texts`
    as for `list_orgs`."""
    return list_orgs(
        session,
        actor,
        q=q,
        parent_id=parent.id,
        limit=limit,
        cursor=cursor,
        sort=sort,
        descending=descending,
        before=before,
        summaries=summaries,
        texts=texts,
    )
