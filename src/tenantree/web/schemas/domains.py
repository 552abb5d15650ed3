"""Input of the email-domain forms and API, one schema for both."""

from __future__ import annotations

from pydantic import Field

from tenantree.web.schemas.common import StrictBody


class DomainClaimBody(StrictBody):
    domain: str = Field(
        min_length=1,
        max_length=253,
        description="An email domain your organization owns (internationalized names "
        "allowed); not a public suffix such as com or co.uk",
        examples=["example.com"],
    )
