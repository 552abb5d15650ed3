"""Sign-in accounts: creating operators, finding people by email."""

from __future__ import annotations

import contextlib
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import idna
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import check_password_rules
from tenantree.identity.errors import EmailTaken, InvalidToken
from tenantree.identity.models import Account


def normalize_email(email: str) -> str:
    return email.strip().lower()


# Scripts that share a label in ordinary writing (Japanese mixes all three).
_SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK"}


def _script(char: str) -> str | None:
    """The script of a letter, from its Unicode name ('GREEK SMALL LETTER OMICRON');
    None for digits, punctuation and marks, which belong to any script."""
    if not unicodedata.category(char).startswith("L"):
        return None
    word = unicodedata.name(char, "UNKNOWN").split(" ")[0]
    return _SCRIPT_FAMILIES.get(word, word)


def mixes_scripts(part: str) -> bool:
    return len({s for s in map(_script, part) if s is not None}) > 1


def new_email(email: str, *, field: str = "email") -> str:
    """An address for a new person, normalised; refused if a part of it mixes scripts.

    "pаypal.example" with a Cyrillic а looks exactly like its Latin twin in
    every list, so a local part or domain label may use one script only
    (plain non-Latin addresses stay valid). Punycode labels are read decoded.
    """
    email = normalize_email(email)
    local, _, domain = email.rpartition("@")
    for part in [local, *domain.split(".")]:
        if part.startswith("xn--"):
            with contextlib.suppress(idna.IDNAError):
                part = idna.decode(part)
        if mixes_scripts(part):
            raise Invalid(
                f"{field}: mixed scripts in {part!r}; use one script per part of the address",
                code="mixed_scripts",
                field=field,
            )
    return email


@dataclass(frozen=True)
class AccountSummary:
    """What a request knows of its caller's account: plain values read with
    the bearer token, no entity (building the entity was most of the cost of
    authenticating a request: bench/ANALYSIS.md, round 6). A service that reads
    more or changes the account takes the entity (`signed_in_account`)."""

    id: uuid.UUID
    email: str
    display_name: str
    is_operator: bool
    email_confirmed_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> AccountSummary:
        return cls(
            account.id,
            account.email,
            account.display_name,
            account.is_operator,
            account.email_confirmed_at,
        )

    @classmethod
    def of_row(cls, row: Any) -> AccountSummary:
        """From a row holding `account_summary_columns`."""
        return cls(
            row.account_id, row.email, row.display_name, row.is_operator, row.email_confirmed_at
        )


def account_summary_columns(accounts: Any) -> tuple[Any, ...]:
    """The columns an AccountSummary is read from, of the accounts table (or an
    alias of it), for a token's query to read with the token (authn)."""
    return (
        accounts.c.id.label("account_id"),
        accounts.c.email,
        accounts.c.display_name,
        accounts.c.is_operator,
        accounts.c.email_confirmed_at,
    )


def signed_in_account(session: Session, summary: AccountSummary) -> Account:
    """The entity of an authenticated caller's account, in this unit of work."""
    account = session.get(Account, summary.id)
    if account is None:  # deleted since its token was read
        raise InvalidToken("the bearer token is not valid")
    return account


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalize_email(email)))


def create_operator(
    session: Session, trail: AuditTrail, config: IdentityConfig, *, email: str, password: str
) -> Account:
    check_password_rules(password)
    email = new_email(email)
    existing = find_account(session, email)
    if existing is not None:
        raise EmailTaken(f"an account for {email} already exists", field="email")
    account = Account(
        email=email,
        display_name=email.split("@")[0],
        password_hash=config.hasher.hash(password),
        is_operator=True,
    )
    session.add(account)
    session.flush()
    trail.record(
        AuditAction.OPERATOR_CREATED,
        org_id=None,
        target_type="account",
        target_id=account.id,
        email=email,
    )
    return account
