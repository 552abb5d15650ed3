"""Every API route is accounted for in the authorization tests.

Org-scoped routes are either exercised by the isolation matrix (CALLS in
test_isolation_matrix.py, generated from ACCESS.md) or listed below with the
test module that checks who may and may not call them. A new route fails
this test until someone decides which.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from api.test_isolation_matrix import CALLS

# Org-scoped routes outside ACCESS.md's rows, and where their authorization
# (sibling, refused customer, plain member, anonymous) is tested.
COVERED_ELSEWHERE: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/orgs/{org_id}/branding/smtp-relay"): "branding/test_permissions.py",
    ("PUT", "/api/v1/orgs/{org_id}/branding/smtp-relay"): "branding/test_permissions.py",
    ("DELETE", "/api/v1/orgs/{org_id}/branding/smtp-relay"): "branding/test_permissions.py",
    ("PUT", "/api/v1/orgs/{org_id}/branding/logo"): "branding/test_permissions.py",
    ("DELETE", "/api/v1/orgs/{org_id}/branding/logo"): "branding/test_permissions.py",
    ("PUT", "/api/v1/orgs/{org_id}/branding/favicon"): "branding/test_permissions.py",
    ("DELETE", "/api/v1/orgs/{org_id}/branding/favicon"): "branding/test_permissions.py",
    ("POST", "/api/v1/orgs/{org_id}/branding/domain/verify"): "branding/test_permissions.py",
    ("GET", "/api/v1/orgs/{org_id}/access-check"): "api/test_access_check.py",
    ("POST", "/api/v1/orgs/{org_id}/domains/{domain_id}/verify"): "domains/test_permissions.py",
    **{
        (method, f"/api/v1/orgs/{{org_id}}{path}"): "integrations/test_integration_permissions.py"
        for method, path in (
            ("POST", "/api-tokens"),
            ("GET", "/api-tokens"),
            ("DELETE", "/api-tokens/{token_id}"),
            ("POST", "/scim-tokens"),
            ("GET", "/scim-tokens"),
            ("DELETE", "/scim-tokens/{token_id}"),
            ("PUT", "/sso"),
            ("GET", "/sso"),
            ("DELETE", "/sso"),
        )
    },
    ("POST", "/api/v1/orgs/{org_id}/sso/test"): "integrations/test_sso_without_lock_out.py",
}

_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def _matrix_templates() -> set[tuple[str, str]]:
    """The (method, path template) of every request the matrix sends."""
    ctx = SimpleNamespace(
        org=lambda name: f"/api/v1/orgs/{_PLACEHOLDER}",
        member=lambda actor: _PLACEHOLDER,
        made={
            "license": _PLACEHOLDER,
            "invitation": _PLACEHOLDER,
            "domain": _PLACEHOLDER,
            "webhook": _PLACEHOLDER,
            "alert": _PLACEHOLDER,
        },
    )
    return {(call.method, call.path(ctx)) for calls in CALLS.values() for call in calls}


def _org_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    # The OpenAPI document is the public list of routes (included routers nest
    # theirs, so app.routes alone does not show them).
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/orgs/{org_id}")
        for method in operations
    }


def test_the_route_list_is_not_empty(app):
    assert ("GET", "/api/v1/orgs/{org_id}/users") in _org_routes(app)


def _matches(template: str, concrete: str) -> bool:
    pattern = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)) + "$"
    return re.match(pattern, concrete) is not None


def test_every_org_scoped_route_is_in_the_matrix_or_named_here(app):
    sent = _matrix_templates()
    uncovered = sorted(
        (method, path)
        for method, path in _org_routes(app)
        if (method, path) not in COVERED_ELSEWHERE
        and not any(m == method and _matches(path, concrete) for m, concrete in sent)
    )
    assert uncovered == [], (
        "add these routes to the isolation matrix (a row of ACCESS.md) or to "
        f"COVERED_ELSEWHERE with the test that checks their authorization: {uncovered}"
    )


def test_routes_named_here_still_exist(app):
    assert set(COVERED_ELSEWHERE) <= _org_routes(app)
