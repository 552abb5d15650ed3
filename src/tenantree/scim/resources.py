"""What SCIM Users and Groups share: validating payloads, versions, result limits."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    InvalidValueException,
    PreconditionFailedException,
    SCIMException,
    User,
)

MAX_RESULTS = 200


def scim_validation_error(exc: ValidationError) -> SCIMException:
    """A pydantic error from scim2-models, as the SCIM exception it stands for."""
    first = exc.errors()[0] if exc.errors() else {}
    kind = str(first.get("type", ""))
    where = ".".join(str(p) for p in first.get("loc", ()))
    detail = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
    scim_type = kind[len("scim_") :] if kind.startswith("scim_") else "invalidValue"
    error = InvalidValueException(detail=detail)
    error.scim_type = scim_type
    return error


def validate(model: Any, payload: Any, ctx: Context) -> Any:
    if not isinstance(payload, dict):
        raise InvalidValueException(detail="the body must be a JSON object")
    try:
        return model.model_validate(payload, scim_ctx=ctx)
    except ValidationError as exc:
        raise scim_validation_error(exc) from exc


def etag_of(content: str) -> str:
    return 'W/"' + hashlib.sha256(content.encode()).hexdigest()[:20] + '"'


def check_version(user: User, if_match: str | None) -> None:
    if if_match is None or if_match.strip() == "*":
        return
    wanted = {tag.strip() for tag in if_match.split(",")}
    version = user.meta.version if user.meta else None
    if version not in wanted and (version or "").removeprefix("W/") not in wanted:
        raise PreconditionFailedException(detail="the User changed since that version")
