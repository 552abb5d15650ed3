"""The directory as CSV: what a spreadsheet would run as a formula stays text."""

from __future__ import annotations

from tenantree.identity.directory_export import spreadsheet_safe


def test_a_name_starting_like_a_formula_is_kept_as_text() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"


def test_an_ordinary_name_is_unchanged() -> None:
    assert spreadsheet_safe("Ada Lovelace") == "Ada Lovelace"
