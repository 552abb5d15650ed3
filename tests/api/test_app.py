"""The order in which the app includes its routers (api.app.install_api) puts
the hottest first, so it must decide nothing else: no route is hidden by a
route of a router asked before it."""

from fastapi import FastAPI
from fastapi.routing import APIRoute

from web.test_routing import _served_path


def _routes_in_match_order(routes) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    found: list[APIRoute] = []
    for route in routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            found += _routes_in_match_order(router.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def test_no_route_is_hidden_by_one_asked_before_it(app: FastAPI) -> None:
    routes = _routes_in_match_order(app.router.routes)
    assert len(routes) > 100
    for i, route in enumerate(routes):
        path = _served_path(route)
        for earlier in routes[:i]:
            if earlier.path_regex.match(path):
                assert not (earlier.methods & route.methods), (
                    f"{sorted(route.methods)} {route.path} is answered by {earlier.path}"
                )
