"""cli/output.py: one record or many as a table, JSON or CSV."""

from __future__ import annotations

import json

import pytest

from tenantree.cli import output
from tenantree.cli.output import OutputFormat, render

ROWS = [
    {"id": "1", "name": "Acme, Inc.", "tags": ["a"], "note": None},
    {"id": "2", "name": "Globex", "tags": [], "note": "x"},
]


def test_json_keeps_every_field_of_the_records() -> None:
    assert json.loads(render(ROWS, ["id"], OutputFormat.JSON)) == ROWS


def test_csv_quotes_what_needs_it_and_leaves_none_empty() -> None:
    text = render(ROWS, ["id", "name", "note"], OutputFormat.CSV)
    assert text.splitlines() == ["id,name,note", '1,"Acme, Inc.",', "2,Globex,x"]


def test_table_aligns_the_columns_and_shows_lists_as_json() -> None:
    lines = render(ROWS[0], ["id", "tags"], OutputFormat.TABLE).splitlines()
    assert lines == ["id  tags", '1   ["a"]']


def test_the_default_is_a_table_on_a_terminal_and_json_when_piped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(output.sys.stdout, "isatty", lambda: True)
    assert output.chosen(None) is OutputFormat.TABLE
    monkeypatch.setattr(output.sys.stdout, "isatty", lambda: False)
    assert output.chosen(None) is OutputFormat.JSON
    assert output.chosen(OutputFormat.CSV) is OutputFormat.CSV


def test_collect_reads_every_item() -> None:
    assert output.collect(iter(ROWS), "rows") == ROWS
