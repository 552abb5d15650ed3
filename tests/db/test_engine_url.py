"""The `?pooling=transaction` flag of a database URL (PgBouncer in transaction mode)."""

from __future__ import annotations

import pytest

from tenantree.db.engine import connection_target


def test_the_pooling_flag_turns_prepared_statements_off_and_leaves_the_url() -> None:
    url, options = connection_target(
        "postgresql+psycopg://app@bouncer:6432/tenantree?pooling=transaction&sslmode=require"
    )
    assert options == {"prepare_threshold": None}
    assert "pooling" not in url.query
    assert url.query["sslmode"] == "require"


def test_a_url_without_the_flag_asks_for_nothing() -> None:
    _url, options = connection_target("postgresql+psycopg://app@db:5432/tenantree")
    assert options == {}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app@bouncer:6432/tenantree?pooling=session",
        "sqlite:///tenantree.db?pooling=transaction",
    ],
)
def test_an_unknown_pooling_mode_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="pooling=transaction"):
        connection_target(url)
