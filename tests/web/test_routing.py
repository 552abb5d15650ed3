"""A gated router answers exactly as an ungated one, and asks no route of a path it refuses."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.convertors import IntegerConvertor, PathConvertor, UUIDConvertor

from tenantree.web.routing import GatedRouter, path_gate


def _routers(kind: type[APIRouter]) -> tuple[APIRouter, APIRouter]:
    orgs = kind(prefix="/api/v1/orgs")

    @orgs.get("/{org_id}")
    def get_org(org_id: str) -> dict[str, str]:
        return {"org": org_id}

    @orgs.post("/{org_id}/users")
    def add_user(org_id: str) -> dict[str, str]:
        return {"added_to": org_id}

    @orgs.get("/{org_id}/sub-orgs/")
    def sub_orgs(org_id: str) -> dict[str, str]:
        return {"parent": org_id}

    audit = kind(prefix="/api/v1/audit")

    @audit.get("")
    def audit_log() -> dict[str, str]:
        return {"audit": "all"}

    return orgs, audit


def _app(kind: type[APIRouter]) -> FastAPI:
    app = FastAPI()
    for router in _routers(kind):
        app.include_router(router)
    return app


_REQUESTS = [
    ("GET", "/api/v1/orgs/7"),
    ("POST", "/api/v1/orgs/7/users"),
    ("DELETE", "/api/v1/orgs/7"),  # 405: the path is served, not the method
    ("GET", "/api/v1/orgs/7/sub-orgs"),  # redirected to the trailing slash
    ("GET", "/api/v1/orgs/7/sub-orgs/"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit/"),  # redirected without the trailing slash
    ("GET", "/api/v1/nowhere"),
    ("GET", "/api/v1/orgs/7/users"),  # 405
]


@pytest.mark.parametrize(("method", "path"), _REQUESTS)
def test_a_gated_app_answers_as_an_ungated_one(method: str, path: str) -> None:
    gated = TestClient(_app(GatedRouter)).request(method, path, follow_redirects=False)
    plain = TestClient(_app(APIRouter)).request(method, path, follow_redirects=False)
    assert (gated.status_code, gated.headers.get("location"), gated.content) == (
        plain.status_code,
        plain.headers.get("location"),
        plain.content,
    )


# Ungated, each of the three routes is asked twice: for the path, then for
# it with a trailing slash (the redirect Starlette looks for).
@pytest.mark.parametrize(("kind", "asked"), [(GatedRouter, 0), (APIRouter, 6)])
def test_a_refused_path_asks_no_route(kind: type[APIRouter], asked: int) -> None:
    orgs, _ = _routers(kind)
    counted = {"n": 0}
    for route in orgs.routes:
        original = route.matches

        def counting(scope, original=original):  # type: ignore[no-untyped-def]
            counted["n"] += 1
            return original(scope)

        route.matches = counting  # type: ignore[method-assign]
    app = FastAPI()
    app.include_router(orgs)
    assert TestClient(app).get("/api/v1/audit").status_code == 404
    assert counted["n"] == asked


def test_a_router_holding_a_router_is_not_gated() -> None:
    outer = APIRouter(prefix="/scim")
    inner = APIRouter()

    @inner.get("/Users")
    def users() -> list[str]:
        return []

    outer.include_router(inner)
    assert path_gate(outer.routes) is None


def test_a_route_added_later_joins_the_gate() -> None:
    router = GatedRouter(prefix="/late")
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/late/one").status_code == 404

    @router.get("/one")
    def one() -> str:
        return "one"

    assert client.get("/late/one").json() == "one"


def test_every_served_route_passes_its_routers_gate(app: FastAPI) -> None:
    gated = 0
    for route in app.router.routes:
        router = getattr(route, "original_router", None)
        if not isinstance(router, GatedRouter):
            continue
        gated += 1
        gate = path_gate(router.routes)
        assert gate is not None
        for served in router.routes:
            path = _served_path(served)
            assert served.path_regex.match(path), served.path
            assert gate.match(path), served.path
    assert gated >= 40


_SAMPLES = {
    UUIDConvertor: "0b3c2a8e-6f1d-4c57-9a2e-3d4f5a6b7c8d",
    IntegerConvertor: "1",
    PathConvertor: "a/b",
}


def _served_path(route) -> str:  # type: ignore[no-untyped-def]
    """A path the route serves: its parameters filled with values their
    converters accept."""
    path = route.path_format
    for name, convertor in route.param_convertors.items():
        path = path.replace("{" + name + "}", _SAMPLES.get(type(convertor), "x"))
    return path
