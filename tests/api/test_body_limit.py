"""Request bodies past TENANTREE_MAX_BODY_BYTES are refused with 413 before being parsed."""

import json


def test_a_declared_body_over_the_limit_is_a_413_in_the_error_shape(client):  # type: ignore[no-untyped-def]
    body = json.dumps({"email": "a@example.com", "password": "x" * (2 * 1024 * 1024)})
    response = client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_streamed_body_without_a_length_is_counted_and_refused(client):  # type: ignore[no-untyped-def]
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"email": "a@example.com", "password": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_body_under_the_limit_is_read_as_usual(client):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong password"}
    )
    assert response.status_code == 401
