"""Field types and the base of request bodies, shared by the API and the console."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rfc3339(value: Any) -> Any:
    # Pydantic alone would also take numbers (as Unix times) and naive times;
    # the API's timestamps are RFC 3339 with an offset, and nothing else.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("give an RFC 3339 timestamp with an offset, e.g. 2025-01-31T00:00:00Z")
    return value


def _full_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _FULL_DATE.match(value):
        raise ValueError("give a date as YYYY-MM-DD")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
"""An RFC 3339 timestamp with an offset (what JSON Schema's `date-time` means)."""

Day = Annotated[date, BeforeValidator(_full_date)]
"""A calendar day, YYYY-MM-DD (what JSON Schema's `date` means)."""


class StrictBody(BaseModel):
    """Request bodies refuse unknown fields: nothing unexpected is ever obeyed."""

    model_config = ConfigDict(extra="forbid")


# Text kept as given may not hold NUL: PostgreSQL refuses it in text, so it
# is refused here, in the schema clients read, rather than by the database.
NO_NUL = r"^[^\x00]*$"
# One line, not blank, no control characters (names reach email subjects and
# audit lines).
ONE_LINE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
Name = Field(min_length=1, max_length=200, pattern=ONE_LINE)
