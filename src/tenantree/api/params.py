"""Query parameters every list endpoint shares (API.md: `limit` and `cursor`)."""

from typing import Annotated

from fastapi import Query

from tenantree.pagination import MAX_LIMIT

Limit = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=500, description="From `next_cursor`")]
