"""docs/ACCESS.md, the repository's copy, agrees with the shared ../shared/ACCESS.md.

The copy may add actors and rows; every row of the shared file must be in it
with the same status for every actor the shared file names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from access.accessmatrix import ACCESS_MD, SHARED_ACCESS_MD, disagreements


@pytest.mark.skipif(
    not SHARED_ACCESS_MD.is_file(),
    reason=f"{SHARED_ACCESS_MD} is absent: the repository is not checked out beside it",
)
def test_every_shared_row_is_in_the_copy_with_the_same_statuses():
    assert disagreements(SHARED_ACCESS_MD, ACCESS_MD) == []


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    text = ACCESS_MD.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "ACCESS.md"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


VIEW_P = "| view P | ✓ | ✓ | ✓ | ✓ | ✓ | 404 | 404 | 404 | 401 |"


def test_a_changed_status_is_a_disagreement(tmp_path):
    copy = _copy(tmp_path, VIEW_P, VIEW_P.replace("| ✓ | 404 |", "| 403 | 404 |"))
    assert disagreements(ACCESS_MD, copy) == [
        "'Partner P' row 'view P', P-RO: shared '✓', copy '403'"
    ]


def test_a_missing_row_is_a_disagreement(tmp_path):
    copy = _copy(tmp_path, VIEW_P + "\n", "")
    assert disagreements(ACCESS_MD, copy) == ["'Partner P' row 'view P' is missing"]


def test_rows_the_copy_adds_are_not_disagreements(tmp_path):
    extra = "| view P's usage events | ✓ | ✓ | ✓ | 403 | 403 | 404 | 404 | 404 | 401 |"
    copy = _copy(tmp_path, VIEW_P, VIEW_P + "\n" + extra)
    assert disagreements(ACCESS_MD, copy) == []
