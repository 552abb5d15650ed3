"""cli/credentials.py: tokens kept per API URL, readable by the user alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tenantree.cli import credentials


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_a_token_is_kept_per_url_in_a_file_only_the_user_reads() -> None:
    path = credentials.store_token("https://a.example/", "token-a")
    credentials.store_token("https://b.example", "token-b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.stored_token("https://a.example") == "token-a"
    assert credentials.stored_token("https://b.example/") == "token-b"


def test_forgetting_one_url_keeps_the_others() -> None:
    credentials.store_token("https://a.example", "token-a")
    credentials.store_token("https://b.example", "token-b")
    assert credentials.forget_token("https://a.example") is True
    assert credentials.forget_token("https://a.example") is False
    assert credentials.stored_token("https://a.example") is None
    assert credentials.stored_token("https://b.example") == "token-b"


def test_a_file_made_readable_by_others_is_tightened_on_the_next_write() -> None:
    path = credentials.store_token("https://a.example", "token-a")
    path.chmod(0o644)
    credentials.store_token("https://a.example", "token-b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
