"""A page of a parent's sub-orgs is read from the index of orgs by parent, in
the page's order: the work of one page does not grow with the sub-orgs before
it or after it (counted in SQLite's virtual-machine steps, its progress
handler, not timed), and the ways' tests of the parent are made once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from factories import make_member, make_partner, make_sub_org
from tenantree.access import org_listing
from tenantree.access.facts import load_actor
from tenantree.access.policy import Actor
from tenantree.access.reach import Shape
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Account
from tenantree.orgs.models import Org

PAGE = 10


@pytest.fixture
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's virtual-machine steps")


def _steps(session: Session, read: Callable[[], Any]) -> int:
    session.flush()
    driver = session.connection().connection.driver_connection
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    driver.set_progress_handler(step, 1)
    try:
        read()
    finally:
        driver.set_progress_handler(None, 1)
    return steps


def _partner_user(session: Session, identity: IdentityConfig, partner: Org) -> Actor:
    member = make_member(session, identity, partner)
    return load_actor(session, session.get_one(Account, member.account_id))


def _page(session: Session, actor: Actor, parent: Org, cursor: str | None = None) -> Any:
    return org_listing.list_sub_orgs(
        session, actor, parent, q=None, limit=PAGE, cursor=cursor, summaries=True, texts=True
    )


@pytest.mark.usefixtures("sqlite_only")
def test_a_first_page_takes_no_more_work_below_a_partner_with_more_sub_orgs(
    session: Session, identity: IdentityConfig
) -> None:
    small, large = make_partner(session), make_partner(session)
    for n in range(2 * PAGE):
        make_sub_org(session, small, name=f"Customer {n:03d}")
    for n in range(15 * PAGE):
        make_sub_org(session, large, name=f"Customer {n:03d}")
    in_small = _partner_user(session, identity, small)
    in_large = _partner_user(session, identity, large)
    # Statistics, as a served database gathers them: without, SQLite's guess
    # happened to read the parent first (rolled back with the test).
    session.execute(text("ANALYZE"))
    _page(session, in_large, large)  # compiled and cached first

    small_steps = _steps(session, lambda: _page(session, in_small, small))
    large_steps = _steps(session, lambda: _page(session, in_large, large))

    assert large_steps < 1.2 * small_steps


@pytest.mark.usefixtures("sqlite_only")
def test_a_page_far_down_the_sub_orgs_takes_no_more_work_than_the_first(
    session: Session, identity: IdentityConfig
) -> None:
    partner = make_partner(session)
    for n in range(15 * PAGE):
        make_sub_org(session, partner, name=f"Customer {n // 2:03d}")  # names in pairs
    user = _partner_user(session, identity, partner)
    cursor, pages = None, []
    while True:
        page = _page(session, user, partner, cursor)
        pages.append(cursor)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    first_steps = _steps(session, lambda: _page(session, user, partner, pages[1]))
    last_steps = _steps(session, lambda: _page(session, user, partner, pages[-2]))

    assert last_steps < 1.2 * first_steps


def test_below_one_parent_the_ways_test_the_parent_by_its_id_once(session: Session) -> None:
    shape = Shape(own=True, primary=True, other=True)
    statement = org_listing._statement(
        shape, summaries=True, texts=True, search=False, parent=True, sort="name",
        reads_descending=False, after=False, skipped=frozenset(),
    )  # fmt: skip
    sql = str(statement.compile(session.get_bind()))

    assert "orgs.parent_id IN" not in sql
    assert "org_id = orgs.parent_id" not in sql
