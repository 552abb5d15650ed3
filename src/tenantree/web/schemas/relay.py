"""Input of the SMTP relay form and API, one schema for both."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tenantree.web.schemas.common import ONE_LINE, StrictBody


class SmtpRelayBody(StrictBody):
    """The org's own relay. `password` left out keeps the stored one; null removes it."""

    host: Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[^\s/?#@\\]+$")]
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = Field(default=True, description="Required when credentials are given")
    username: Annotated[str, Field(min_length=1, max_length=320, pattern=ONE_LINE)] | None = None
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = Field(
        default=None, json_schema_extra={"writeOnly": True}
    )
