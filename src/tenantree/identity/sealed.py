"""Secrets the server must read back (not just compare), sealed at rest with
Fernet under a key derived (HKDF) from the settings' secret key and a purpose."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@lru_cache(maxsize=8)
def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"tenantree", info=purpose.encode()
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, purpose: str, value: str) -> str:
    return _fernet(secret_key, purpose).encrypt(value.encode()).decode("ascii")


def unseal(secret_key: str, purpose: str, sealed: str) -> str:
    return _fernet(secret_key, purpose).decrypt(sealed.encode("ascii")).decode()
