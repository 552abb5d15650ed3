"""Machine tokens held in one org: creating, listing, revoking, looking up, stamping use.

API tokens and SCIM tokens keep their own table, audit actions and fields;
the mechanics (a prefixed secret stored only as its keyed hash, org-scoped
lookup, idempotent revocation, a throttled `last_used_at`) are written here once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.errors import Invalid, NotFound
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.orgs.models import Org
from tenantree.pagination import Page, contains, paginate

# The console's token list: at most this many, ordered by the database.
LISTED_AT_MOST = 100
# A token list's orders: never used sorts as the oldest use, never expiring as the latest expiry.
TOKEN_SORTS = ("name", "created", "last_used", "expires")

# last_used_at is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class StoredToken(Protocol):
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    token_hash: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


T = TypeVar("T", bound=StoredToken)


@dataclass(frozen=True)
class Issued(Generic[T]):
    token: T
    secret: str


@dataclass(frozen=True)
class TokenStore(Generic[T]):
    """The store of one kind of token: its model, secret prefix, audit actions and errors."""

    model: type[T]
    prefix: str
    target_type: str
    created: AuditAction
    revoked: AuditAction
    not_found: type[NotFound]
    not_found_message: str

    def create(
        self,
        session: Session,
        trail: AuditTrail,
        config: IdentityConfig,
        org: Org,
        *,
        name: str,
        expires_at: datetime | None,
        audit: dict[str, Any] | None = None,
        **columns: Any,
    ) -> Issued[T]:
        """Store a new token (its hash only) and audit it with the kind's own `audit` fields."""
        check_expiry(expires_at)
        secret = self.prefix + new_token()
        token = self.model(
            org_id=org.id,
            name=name.strip(),
            token_hash=token_digest(config.secret_key, secret),
            created_by_account_id=trail.actor_id,
            expires_at=expires_at,
            **columns,
        )
        session.add(token)
        session.flush()
        trail.record(
            self.created,
            org_id=org.id,
            target_type=self.target_type,
            target_id=token.id,
            name=token.name,
            **(audit or {}),
            expires_at=expires_at,
        )
        return Issued(token, secret)

    def list(self, session: Session, org: Org, *, limit: int | None, cursor: str | None) -> Page[T]:
        model: Any = self.model
        return paginate(
            session,
            select(model).where(model.org_id == org.id),
            sort_column=model.created_at,
            id_column=model.id,
            limit=limit,
            cursor=cursor,
        )

    def listed(
        self, session: Session, org: Org, *, q: str | None, sort: str, descending: bool
    ) -> list[T]:
        """The org's tokens (at most LISTED_AT_MOST) whose name contains `q`, in `sort` order."""
        if sort not in TOKEN_SORTS:
            raise Invalid(f"sort must be one of {', '.join(TOKEN_SORTS)}", field="sort")
        model: Any = self.model
        query = select(model).where(model.org_id == org.id)
        if q:
            query = query.where(contains(model.name, q))
        column = {
            "name": model.name,
            "created": model.created_at,
            "last_used": model.last_used_at,
            "expires": model.expires_at,
        }[sort]
        order = column.desc() if descending else column.asc()
        if sort == "last_used":
            order = order.nulls_last() if descending else order.nulls_first()
        elif sort == "expires":
            order = order.nulls_first() if descending else order.nulls_last()
        tie = model.id.desc() if descending else model.id.asc()
        return list(session.scalars(query.order_by(order, tie).limit(LISTED_AT_MOST)))

    def get(self, session: Session, org: Org, token_id: uuid.UUID) -> T:
        token = session.get(self.model, token_id)
        if token is None or token.org_id != org.id:
            raise self.not_found(self.not_found_message)
        return token

    def revoke(
        self,
        session: Session,
        trail: AuditTrail,
        org: Org,
        token_id: uuid.UUID,
        *,
        also: Callable[[Session, T], dict[str, Any]] | None = None,
    ) -> None:
        """Revoke a live token (a revoked one stays as it is); `also` undoes what the
        kind attached to the token and returns the audit fields that describe it."""
        token = self.get(session, org, token_id)
        if token.revoked_at is not None:
            return
        token.revoked_at = clock.utcnow()
        audit = also(session, token) if also is not None else {}
        session.flush()
        trail.record(
            self.revoked,
            org_id=org.id,
            target_type=self.target_type,
            target_id=token.id,
            name=token.name,
            **audit,
        )

    def find(self, session: Session, config: IdentityConfig, secret: str) -> T | None:
        """The token whose secret this is (any org, any status), or None."""
        if not secret.startswith(self.prefix):
            return None
        model: Any = self.model
        return session.scalar(  # type: ignore[no-any-return]
            select(model).where(model.token_hash == token_digest(config.secret_key, secret))
        )


def check_expiry(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= clock.utcnow():
        raise Invalid("expires_at must be in the future", field="expires_at")


def token_status(token: StoredToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def use_worth_noting(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at `now` is noted: at most once per LAST_USED_RESOLUTION."""
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


def stamp_last_used(session: Session, token: StoredToken, now: datetime) -> None:
    """Note that the token was used, at most once per LAST_USED_RESOLUTION."""
    if use_worth_noting(token.last_used_at, now):
        # Kept: the token was used even if the request it authenticates fails.
        keep(session, lambda: setattr(token, "last_used_at", now))
