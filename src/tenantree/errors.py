"""The error kinds every domain package raises; the API maps each to a status.

A domain error carries a stable machine `code`, a human `message` and, when the
error is about one input, the `field` it concerns.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, object] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        # Machine-readable facts added to the error object (e.g. what is left).
        self.extra = extra or {}


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        code: str | None = None,
        extra: dict[str, object] | None = None,
    ):
        super().__init__(message, code=code, extra=extra)
        self.retry_after = retry_after
