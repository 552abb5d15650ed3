"""Encrypting SSO secrets at rest with Fernet, keyed from the settings' secret key."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"tenantree:sso:v1:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secret_key: str, value: str) -> str:
    return _fernet(secret_key).encrypt(value.encode()).decode()


def decrypt(secret_key: str, value: str) -> str:
    return _fernet(secret_key).decrypt(value.encode()).decode()
