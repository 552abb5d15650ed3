"""The users page's invitations: sortable by email, role, sent and expiry, paged
both ways, each list's links keeping the other's order; answered ones left out."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy.orm import Session

from console.test_console_http import cookie
from factories import World, build_world
from tenantree import clock
from tenantree.identity.models import Invitation

EMAIL = re.compile(r"<td>([a-z]+@invitee\.example)</td>")


def invitations(session: Session, world: World) -> None:
    now = clock.utcnow()
    for days, (email, role) in enumerate(
        [("carol", "user"), ("alice", "read_only"), ("bob", "admin"), ("dave", "user")]
    ):
        session.add(
            Invitation(
                org_id=world.S.id,
                email=f"{email}@invitee.example",
                role=role,
                token_hash=f"{email:0<64}",
                created_at=now - timedelta(days=10 - days),  # carol sent first
                expires_at=now + timedelta(days=20 - 3 * days if email != "dave" else 1),
                revoked_at=now if email == "dave" else None,  # answered: not listed
            )
        )
    session.commit()


def listed(client, world: World, **params: str) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/orgs/{world.S.id}/users", params=params, headers=cookie(world, "S-A"))
    assert page.status_code == 200, page.text
    table = page.text.split('data-testid="invitations"')[1].split("</table>")[0]
    return [e.split("@")[0] for e in EMAIL.findall(table)], page.text


def test_invitations_sort_by_each_column_both_ways(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    invitations(session, world)

    assert listed(client, world)[0] == ["bob", "alice", "carol"]  # newest sent first
    assert listed(client, world, isort="email", idir="asc")[0] == ["alice", "bob", "carol"]
    assert listed(client, world, isort="email", idir="desc")[0] == ["carol", "bob", "alice"]
    assert listed(client, world, isort="role", idir="asc")[0] == ["bob", "alice", "carol"]
    assert listed(client, world, isort="expires", idir="asc")[0] == ["bob", "alice", "carol"]
    assert listed(client, world, isort="sent", idir="asc")[0] == ["carol", "alice", "bob"]


def test_each_lists_links_keep_the_others_order(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    invitations(session, world)
    _, page = listed(client, world, sort="role", dir="desc", isort="email", idir="asc")
    links = [unescape(h) for h in re.findall(r'href="(/orgs/[^"]+/users\?[^"]+)"', page)]
    # The users' "Joined" header keeps the invitations' order, and the
    # invitations' "Expires" header the users'.
    assert any("sort=joined" in h and "isort=email" in h and "idir=asc" in h for h in links)
    assert any("isort=expires" in h and "sort=role" in h and "dir=desc" in h for h in links)
    assert 'aria-label="Pages of invitations"' in page


def test_an_unknown_invitation_order_is_refused_naming_its_field(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(
        f"/orgs/{world.S.id}/users", params={"isort": "age"}, headers=cookie(world, "S-A")
    )
    assert page.status_code == 422
    assert "isort must be one of sent, email, role, expires" in page.text


def test_invitations_page_both_ways(client, session, identity, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tenantree.console.pages import users

    monkeypatch.setattr(users, "PAGE_SIZE", 2)
    world = build_world(session, identity)
    invitations(session, world)
    first, page = listed(client, world, isort="email", idir="asc")
    assert first == ["alice", "bob"]
    after = unescape(re.findall(r'href="([^"]*icursor=[^"]*)" rel="next"', page)[0])
    second = client.get(after, headers=cookie(world, "S-A")).text
    assert EMAIL.findall(second.split('data-testid="invitations"')[1]) == ["carol@invitee.example"]
    back = unescape(re.findall(r'href="([^"]*ibefore=[^"]*)" rel="prev"', second)[0])
    again = client.get(back, headers=cookie(world, "S-A")).text
    table = again.split('data-testid="invitations"')[1].split("</table>")[0]
    assert [e.split("@")[0] for e in EMAIL.findall(table)] == ["alice", "bob"]
