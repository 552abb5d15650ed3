"""What a request noted for later in its life, read back without a miss raising.

`request.state` builds a `State` on first use and answers a name never set
by raising AttributeError (which `getattr(..., default)` then catches): on
every authenticated request several such reads miss. The state is the
scope's own dict (`State` wraps `scope["state"]`), so reading that dict is
the same answer without either.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection


def noted(request: HTTPConnection, name: str, default: Any = None) -> Any:
    """`request.state.<name>` if the request noted it, else `default`."""
    state: dict[str, Any] | None = request.scope.get("state")
    if state is None:
        return default
    return state.get(name, default)
