"""Where `tenantree login` keeps tokens: a JSON file in the user's config dir
(readable by the user alone, mode 0600), one token per API URL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

APP_NAME = "tenantree"


def credentials_file() -> Path:
    return Path(typer.get_app_dir(APP_NAME)) / "credentials.json"


def normalized_url(api_url: str) -> str:
    return api_url.rstrip("/")


def _read() -> dict[str, str]:
    path = credentials_file()
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write(tokens: dict[str, str]) -> None:
    path = credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created 0600 before the token is written, so it is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(tokens, out, indent=2)
    os.chmod(path, 0o600)


def stored_token(api_url: str) -> str | None:
    return _read().get(normalized_url(api_url))


def store_token(api_url: str, token: str) -> Path:
    tokens = _read()
    tokens[normalized_url(api_url)] = token
    _write(tokens)
    return credentials_file()


def forget_token(api_url: str) -> bool:
    tokens = _read()
    if tokens.pop(normalized_url(api_url), None) is None:
        return False
    _write(tokens)
    return True
