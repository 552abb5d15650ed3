"""Keyset paging read both ways: Previous returns exactly the page before."""

from __future__ import annotations

from sqlalchemy import select

from factories import make_partner, make_sub_org
from tenantree.orgs.models import Org
from tenantree.pagination import paginate


def _names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.name for o in page.items]


def _pages(session, parent, **kw):  # type: ignore[no-untyped-def]
    query = select(Org).where(Org.parent_id == parent.id)
    return lambda **more: paginate(
        session, query, sort_column=Org.name, id_column=Org.id, limit=2, **kw, **more
    )


def test_previous_from_the_third_page_is_the_second(session) -> None:  # type: ignore[no-untyped-def]
    parent = make_partner(session)
    for name in "abcdefg":
        make_sub_org(session, parent, name=name)
    read = _pages(session, parent)
    first = read(cursor=None)
    second = read(cursor=first.next_cursor)
    third = read(cursor=second.next_cursor)
    assert (_names(first), _names(second), _names(third)) == (["a", "b"], ["c", "d"], ["e", "f"])
    assert first.prev_cursor is None
    back = read(cursor=None, before=third.prev_cursor)
    assert _names(back) == ["c", "d"]
    assert _names(read(cursor=None, before=back.prev_cursor)) == ["a", "b"]
    assert read(cursor=None, before=back.prev_cursor).prev_cursor is None
    assert _names(read(cursor=back.next_cursor)) == ["e", "f"]


def test_previous_works_in_descending_order(session) -> None:  # type: ignore[no-untyped-def]
    parent = make_partner(session)
    for name in "abcde":
        make_sub_org(session, parent, name=name)
    read = _pages(session, parent, descending=True)
    first = read(cursor=None)
    second = read(cursor=first.next_cursor)
    assert (_names(first), _names(second)) == (["e", "d"], ["c", "b"])
    assert _names(read(cursor=None, before=second.prev_cursor)) == ["e", "d"]
