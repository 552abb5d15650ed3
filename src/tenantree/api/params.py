"""Query parameters every list endpoint shares (API.md: `limit` and `cursor`), and the
rule for free text in a query string."""

from typing import Annotated

from fastapi import Query

from tenantree.pagination import MAX_LIMIT

# Free text in a query string: no NUL or other control characters. PostgreSQL
# refuses NUL in text (a 500 once), and a filter has no use for the others.
QUERY_TEXT = r"^[^\x00-\x1f\x7f]*$"

Limit = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[
    str | None, Query(max_length=500, pattern=QUERY_TEXT, description="From `next_cursor`")
]
