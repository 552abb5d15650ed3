"""What the local backend's operations share: the command's unit of work, the
identity and branding configuration, refusals in the API's terms, and input
checked by the API's own body schemas (web.schemas), so a value the API
refuses is refused here with the same field and rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tenantree.access.policy import Actor
from tenantree.branding.config import BrandingConfig
from tenantree.cli.backend import Refused
from tenantree.cli.context import CliWork
from tenantree.errors import DomainError
from tenantree.identity.context import IdentityConfig
from tenantree.orgs.models import Org
from tenantree.pagination import Page

M = TypeVar("M", bound=BaseModel)

# The operator's view: every org is reachable (access.policy grants operators all).
OPERATOR = Actor(account_id=uuid.UUID(int=0), is_operator=True)


def refusal(exc: DomainError) -> Refused:
    return Refused(exc.code, exc.message, exc.field, exc.status)


def validated(schema: type[M], body: dict[str, Any]) -> M:
    """The body as the API would accept it, or the API's 422 (field and rule)."""
    try:
        return schema.model_validate({k: v for k, v in body.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or None
        raise Refused("invalid", error["msg"], field, 422) from exc


@contextmanager
def domain_refusals() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        raise refusal(exc) from exc


def every_item(fetch: Any) -> Iterator[Any]:
    """Every item of a paginated service, page after page."""
    cursor = None
    while True:
        page: Page[Any] = fetch(cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


class LocalBase:
    """The command's session and trail, as the platform operator on the server."""

    def __init__(self, work: CliWork, identity: IdentityConfig) -> None:
        self.work = work
        self.session = work.session
        self.trail = work.trail
        self.identity = identity
        self.brands = BrandingConfig.from_settings(work.settings)

    def _org(self, org_id: uuid.UUID) -> Org:
        org = self.session.get(Org, org_id)
        if org is None:
            raise Refused("org_not_found", f"no org has the id {org_id}", "org", 404)
        return org
