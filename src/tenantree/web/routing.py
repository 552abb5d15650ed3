"""A router that refuses, with one regular expression, a path none of its routes serves.

The app includes about forty routers. For every request FastAPI asks each in
turn, and each asks every one of its routes (a scope entry set and restored
around every route's own match): most of a request's routing is spent
hearing "no" from routers that could never serve its path. A `GatedRouter`
first matches the path against the union of its routes' own path patterns
and answers "no" at once when none could match; otherwise it matches as an
`APIRouter` does, so the answers (405, the trailing-slash redirect) stay the
framework's own.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

# A route's pattern names its path parameters; the union only asks "could any
# match", so its groups need no names (and the same name may repeat).
_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")


def path_gate(routes: list[Any]) -> re.Pattern[str] | None:
    """The union of the routes' path patterns; None when a route has none
    (an included router, say), so nothing may be refused before it is asked."""
    patterns = []
    for route in routes:
        path_regex = getattr(route, "path_regex", None)
        if path_regex is None:
            return None
        patterns.append(_NAMED_GROUP.sub("(?:", path_regex.pattern))
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


class GatedRouter(APIRouter):
    """An `APIRouter` that refuses a path none of its routes could match
    before asking them one by one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate: re.Pattern[str] | None = None
        self._gated_routes = -1

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in ("http", "websocket"):
            # Routes are added at start-up (and by tests later): the gate is
            # rebuilt when their number changes, the one way they change.
            if self._gated_routes != len(self.routes):
                self._gate = path_gate(self.routes)
                self._gated_routes = len(self.routes)
            if self._gate is not None and self._gate.match(get_route_path(scope)) is None:
                return Match.NONE, {}
        return super().matches(scope)
