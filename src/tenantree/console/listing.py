"""What every console list shares: its query string, sortable headers, paging both ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

from tenantree.errors import Invalid
from tenantree.pagination import Page

# A list's query parameters: a page's cursor, the search, a sort or direction word.
Cursor = Annotated[str | None, Query(max_length=500)]
Search = Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$")]
Word = Annotated[str, Query(max_length=20)]

# A list's own query parameters; a second list on a page prefixes them.
_OWN = ("sort", "dir", "offset", "cursor", "before")


@dataclass
class Listing:
    """A list page's address and state; `href` builds links that keep the search,
    filters and order, changing only what is given. `prefix` names this list's
    own parameters (its order and page) when a page shows two lists: each
    list's links keep the other's order."""

    action: str
    params: dict[str, str] = field(default_factory=dict)
    sort: str = "name"
    descending: bool = False
    previous: str | None = None
    next: str | None = None
    prefix: str = ""

    def _key(self, name: str) -> str:
        return self.prefix + name if name in _OWN else name

    def href(self, **changes: str | int | None) -> str:
        merged: dict[str, str] = {**self.params, self._key("sort"): self.sort}
        merged[self._key("dir")] = "desc" if self.descending else "asc"
        for key, value in changes.items():
            if value is None:
                merged.pop(self._key(key), None)
            else:
                merged[self._key(key)] = str(value)
        if "sort" in changes or any(k not in ("offset", "cursor", "before") for k in changes):
            # A new order or search starts from the first page.
            if "offset" not in changes:
                merged.pop(self._key("offset"), None)
            if "cursor" not in changes and "before" not in changes:
                merged.pop(self._key("cursor"), None)
                merged.pop(self._key("before"), None)
        kept = {k: v for k, v in merged.items() if v != ""}
        return f"{self.action}?{urlencode(kept)}" if kept else self.action


def direction(value: str | None) -> bool:
    """`dir` of a list's query: True for descending."""
    if value in (None, "", "asc"):
        return False
    if value == "desc":
        return True
    raise Invalid("dir must be asc or desc", field="dir")


def sort_of(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    if not value:
        return default
    if value not in allowed:
        raise Invalid(f"sort must be one of {', '.join(allowed)}", field="sort")
    return value


def org_listing_page(
    action: str, q: str | None, sort: str, dir: str, limit: int, page: Page[object]
) -> Listing:  # noqa: A002
    """The list's links: sortable headers, and Previous/Next from the page's cursors."""
    listing = Listing(action, {"q": q or "", "limit": str(limit)}, sort, direction(dir))
    if page.prev_cursor:
        listing.previous = listing.href(before=page.prev_cursor, cursor=None)
    if page.next_cursor:
        listing.next = listing.href(cursor=page.next_cursor, before=None)
    return listing


def link_pages(listing: Listing, page: Page[Any]) -> None:
    """Previous/Next of a list from its page's cursors."""
    if page.prev_cursor:
        listing.previous = listing.href(before=page.prev_cursor, cursor=None)
    if page.next_cursor:
        listing.next = listing.href(cursor=page.next_cursor, before=None)
