from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from tenantree.web.schemas.common import NO_NUL, ONE_LINE, Day, Name, StrictBody, Timestamp

__all__ = [
    "NO_NUL",
    "ONE_LINE",
    "Day",
    "ErrorDetail",
    "ErrorResponse",
    "ListResponse",
    "Name",
    "StrictBody",
    "Timestamp",
]

T = TypeVar("T")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class ListResponse(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
