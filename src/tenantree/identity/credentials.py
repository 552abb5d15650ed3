"""Passwords (argon2id) and opaque tokens (random, stored as a keyed hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tenantree.errors import Invalid

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


@lru_cache(maxsize=4)
def password_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def check_password_rules(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"a password has at least {MIN_PASSWORD_LENGTH} characters", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(f"a password has at most {MAX_PASSWORD_LENGTH} characters", field=field)


def verify_password(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    if stored is None:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(secret_key: str, token: str) -> str:
    """HMAC-SHA256 of a token: a database leak alone yields no usable token."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()
