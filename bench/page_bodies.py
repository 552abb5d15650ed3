"""The org lists' bodies, from one source tree, to check that two trees answer alike.

    PYTHONPATH=OLD/src:. python -m bench.page_bodies URL --dump /tmp/old.jsonl
    PYTHONPATH=src:. python -m bench.page_bodies URL --dump /tmp/new.jsonl
    python -m bench.page_bodies --compare /tmp/old.jsonl /tmp/new.jsonl

URL is a world of `bench.compare_trees --build`. For each persona (an
operator, each partner's primary admin, two partner users, one of them
restricted from some sub-orgs, a customer's admin and a refused customer's
user) the dump holds every page, through its cursors, of: each partner's
sub-orgs and a sub-org's (none), as the API's page serves them
(`list_sub_orgs(summaries=True, texts=True)` and its body); the whole list
and the list below each partner (`list_orgs`, as GET /orgs); at limits 50,
13 and 7, without a search and with three (one matching most names, one
some customers, one none); and each page's previous cursor. The order by
`created`, both ways, is dumped for the typed rows too, whose cursors carry
a time. A change to the page's statements or rows must leave the dump
byte-identical.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from itertools import product
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.access import org_listing
from tenantree.access.facts import load_actor
from tenantree.access.policy import Actor
from tenantree.db import make_engine, make_sessionmaker
from tenantree.identity.models import Account, Membership
from tenantree.orgs.models import Org

LIMITS = (50, 13, 7)
SEARCHES = (None, "1", "ltd", "no such org")


def _personas(session: Session) -> dict[str, Actor]:
    found = {"operator": Actor(account_id=uuid.UUID(int=1), is_operator=True)}

    def first(name: str, *where: Any, nth: int = 0) -> None:
        query = select(Membership.account_id).join(Org, Org.id == Membership.org_id).where(*where)
        ids = list(session.scalars(query.order_by(Membership.account_id).limit(nth + 1)))
        if len(ids) > nth:
            found[name] = load_actor(session, session.get_one(Account, ids[nth]))

    for n, partner in enumerate(_partners(session)):
        first(f"partner {n} admin", Membership.org_id == partner, Membership.is_primary_admin)
        for k in (0, 1):  # datagen lists the first in restricted sub-orgs, not the second
            first(f"partner {n} user {k}", Membership.org_id == partner,
                  ~Membership.is_primary_admin, nth=k)  # fmt: skip
    first("customer admin", Org.kind == "sub_org", Membership.is_primary_admin)
    first("customer user", Org.kind == "sub_org", ~Membership.is_primary_admin)
    return found


def _partners(session: Session) -> list[uuid.UUID]:
    return list(session.scalars(select(Org.id).where(Org.kind == "partner").order_by(Org.name)))


def _pages(read: Callable[..., Any], **asked: Any) -> Iterator[Any]:
    cursor = None
    for _ in range(400):
        page = read(cursor=cursor, **asked)
        yield page
        cursor = page.next_cursor
        if cursor is None:
            return
    raise AssertionError("the pages did not end")


def _lists(session: Session, actor: Actor, partners: list[uuid.UUID]) -> dict[str, Any]:
    """Each list a persona reads: the API's pages of sub-orgs (of each partner
    and of a sub-org, which has none), and GET /orgs, whole and below each partner."""
    parents = [session.get_one(Org, p) for p in partners]
    parents.append(session.scalars(select(Org).where(Org.kind == "sub_org").limit(1)).one())
    lists: dict[str, Any] = {
        f"sub-orgs of {parent.name}": partial(org_listing.list_sub_orgs, session, actor, parent)
        for parent in parents
    }
    for parent_id in [None, *partners]:
        lists[f"orgs below {parent_id}"] = partial(
            org_listing.list_orgs, session, actor, parent_id=parent_id
        )
    return lists


def dump(url: str, out: str) -> int:
    from tenantree.api.routes.orgs import _org_page  # the API's body of a page

    sessions = make_sessionmaker(make_engine(url))
    lines = 0
    with sessions() as session, open(out, "w") as f:
        partners = _partners(session)
        for who, actor in _personas(session).items():
            for (name, read), limit, q in product(
                _lists(session, actor, partners).items(), LIMITS, SEARCHES
            ):
                asked = dict(q=q, limit=limit, summaries=True)
                for n, page in enumerate(_pages(read, texts=True, **asked)):
                    body = _org_page(page).body.decode()
                    key = f"{who} | {name} | limit {limit} | q {q} | page {n}"
                    f.write(json.dumps([key, body, page.prev_cursor]) + "\n")
                    lines += 1
                for descending in (False, True):
                    by_created = _pages(read, sort="created", descending=descending, **asked)
                    for n, page in enumerate(by_created):
                        rows = [list(map(str, row)) for row in page.items]
                        key = f"{who} | {name} | created {descending} | {limit} | {q} | {n}"
                        f.write(json.dumps([key, rows, page.next_cursor]) + "\n")
                        lines += 1
    return lines


def compare(old: str, new: str) -> int:
    def pages(path: str) -> dict[str, Any]:
        with open(path) as f:
            return {key: rest for key, *rest in map(json.loads, f)}

    before, after = pages(old), pages(new)
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    print(f"{len(before)} and {len(after)} pages; {len(differ)} differ")
    for key in differ[:10]:
        print("  differs:", key)
    return 1 if differ else 0


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.page_bodies", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("url", nargs="?")
    p.add_argument("--dump", metavar="FILE")
    p.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = p.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    os.environ.setdefault("TENANTREE_SECRET_KEY", "tenantree-bench-secret-key")
    print(f"{dump(args.url, args.dump)} pages written to {args.dump}")


if __name__ == "__main__":
    main()
