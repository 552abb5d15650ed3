"""Form input checked by the API's own request schemas, so both refuse the same input."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError

from tenantree.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        message = str(first.get("msg", "invalid input"))
        raise Invalid(f"{field}: {message}" if field else message, field=field) from exc


def parse_uuid(value: str | None, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value or "")
    except ValueError as exc:
        raise Invalid(f"{field} is not a valid id", field=field) from exc


def done(path: str, what: str) -> RedirectResponse:
    """Back to a page after a change, which then says what was done."""
    return RedirectResponse(f"{path}?done={what}", 303)
