"""A NUL in any query parameter of any GET route is a 4xx, never a 500.

PostgreSQL refuses NUL in text; a value that reached it once answered 500.
Generated from the served OpenAPI document, so a new route is covered.
"""

from __future__ import annotations

import re
import uuid

import pytest

from factories import build_world

NUL = "a\x00b"


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _query_parameters(app) -> dict[str, dict[str, str | None]]:  # type: ignore[no-untyped-def]
    """Each GET route's query parameters: each required one with a valid
    value (so that it does not answer first), the optional ones with None."""
    document = app.openapi()
    found = {
        path: {
            p["name"]: _valid(document, p["schema"]) if p.get("required") else None
            for p in operations["get"].get("parameters", [])
            if p["in"] == "query"
        }
        for path, operations in document["paths"].items()
        if "get" in operations
    }
    return {path: parameters for path, parameters in found.items() if parameters}


def _valid(document, schema) -> str:  # type: ignore[no-untyped-def]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return str(schema["enum"][0])
    return str(uuid.uuid4()) if schema.get("format") == "uuid" else "x"


def test_the_generated_list_has_the_free_text_filters(app):  # type: ignore[no-untyped-def]
    assert "action" in _query_parameters(app)["/api/v1/orgs/{org_id}/audit-events"]


def test_a_nul_in_any_query_parameter_is_a_4xx_naming_it(app, client, world):  # type: ignore[no-untyped-def]
    failures = []
    for template, parameters in _query_parameters(app).items():
        path = re.sub(r"\{org_id\}", str(world.P.id), template)
        path = re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path)
        required = {name: value for name, value in parameters.items() if value is not None}
        for name in parameters:
            params = {**required, name: NUL}
            response = client.get(path, params=params, headers=world.headers("OP"))
            if response.status_code not in (400, 422):
                failures.append(f"{template}?{name}: {response.status_code} {response.text}")
            elif response.json()["error"]["field"] != name:
                failures.append(f"{template}?{name}: names {response.json()['error']}")
    assert failures == []
