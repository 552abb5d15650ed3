"""Free-text query parameters refuse NUL and control characters with a 422 naming them.

PostgreSQL refuses NUL in text, so such a filter once reached the database
and answered 500.
"""

import pytest

from factories import build_world


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _queries(world):  # type: ignore[no-untyped-def]
    return [
        (f"/api/v1/orgs/{world.P.id}/audit-events", "action", "P-A"),
        ("/api/v1/audit-events", "action", "OP"),
        ("/api/v1/orgs", "q", "OP"),
        (f"/api/v1/orgs/{world.P.id}/users", "cursor", "P-A"),
        ("/api/v1/public/branding", "host", "anon"),
    ]


@pytest.mark.parametrize("text", ["user\x00.updated", "user\n.updated", "user\x7f"])
def test_a_control_character_in_a_free_text_query_parameter_is_a_422_naming_it(client, world, text):  # type: ignore[no-untyped-def]
    for path, parameter, actor in _queries(world):
        response = client.get(path, params={parameter: text}, headers=world.headers(actor))
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["field"] == parameter, path


def test_plain_free_text_is_still_accepted(client, world):  # type: ignore[no-untyped-def]
    for path, parameter, actor in _queries(world):
        if parameter == "cursor":
            continue
        response = client.get(
            path, params={parameter: "user.updated"}, headers=world.headers(actor)
        )
        assert response.status_code in (200, 304), (path, response.text)
