"""Lists and the policy agree, page by page: `list_orgs` and `list_sub_orgs`
(statements cached per shape, each way in read on its own and merged) return
exactly the orgs where `decide(actor, ORG_VIEW, facts)` allows, each once,
in the order asked, for people and for credentials acting with their
creator's rights, on random hierarchies.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from access.hierarchy_support import on_random_hierarchies, random_hierarchy
from tenantree.access import org_listing
from tenantree.access.facts import load_actor, load_org
from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor, decide
from tenantree.identity.models import Account
from tenantree.orgs.models import Org

SORT_KEYS = {
    "name": lambda org: org.name,
    "customer_name": lambda org: org.customer_name or "",
    "salesforce_id": lambda org: org.salesforce_id,
    "created": lambda org: org.created_at,
}


def _id(item: Any) -> Any:
    """An item's id: an entity's or a row's, or a text row's (texts=True) read back."""
    return uuid.UUID(item["id"]) if isinstance(item, dict) else item.id


def _every_page(read: Any, summaries: bool, texts: bool) -> list[Any]:
    items, cursor = [], None
    for _ in range(100):
        page = read(cursor=cursor, summaries=summaries, texts=texts)
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items
    raise AssertionError("the pages did not end")


def _allowed(session: Session, actor: Actor) -> set[Any]:
    loaded = [load_org(session, org_id) for org_id in session.scalars(select(Org.id))]
    return {o.org.id for o in loaded if o and decide(actor, Permission.ORG_VIEW, o.facts).allowed}


def _check_listing(session: Session, actor: Actor, data: st.DataObject) -> None:
    sort = data.draw(st.sampled_from(sorted(SORT_KEYS)), label="sort")
    descending = data.draw(st.booleans(), label="descending")
    limit = data.draw(st.integers(1, 3), label="limit")
    summaries = data.draw(st.booleans(), label="summaries")
    texts = summaries and data.draw(st.booleans(), label="texts")
    allowed = _allowed(session, actor)
    orgs = {org.id: org for org in session.scalars(select(Org))}

    def in_order(items: list[Any]) -> None:
        ids = [_id(item) for item in items]
        assert len(ids) == len(set(ids)), "an org listed twice"
        keys = [(SORT_KEYS[sort](orgs[i]), i) for i in ids]
        assert keys == sorted(keys, reverse=descending)

    def read_orgs(**page: Any) -> Any:
        return org_listing.list_orgs(
            session, actor, q=None, parent_id=None, limit=limit,
            sort=sort, descending=descending, **page,
        )  # fmt: skip

    listed = _every_page(read_orgs, summaries, texts)
    in_order(listed)
    assert {_id(item) for item in listed} == allowed
    for parent in orgs.values():
        children = {i for i, org in orgs.items() if org.parent_id == parent.id}
        if not children:
            continue

        def read_sub_orgs(parent: Org = parent, **page: Any) -> Any:
            return org_listing.list_sub_orgs(
                session, actor, parent, q=None, limit=limit,
                sort=sort, descending=descending, **page,
            )  # fmt: skip

        below = _every_page(read_sub_orgs, summaries, texts)
        in_order(below)
        assert {_id(item) for item in below} == allowed & children, parent.name


@on_random_hierarchies(examples=60)
def test_org_lists_hold_exactly_the_orgs_the_policy_lets_each_actor_view(session, identity, data):
    try:
        random_hierarchy(session, identity, data)
        session.flush()
        actors = [load_actor(session, a) for a in session.scalars(select(Account))]
        for actor in actors:
            _check_listing(session, actor, data)
        # A credential lists what it and its creator both may view.
        holder = data.draw(st.sampled_from(actors), label="credential's own entries")
        creator = data.draw(st.sampled_from(actors), label="credential's creator")
        _check_listing(session, dataclasses.replace(holder, creator=creator), data)
    finally:
        session.rollback()
