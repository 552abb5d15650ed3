"""Printing a command's result as a table, JSON or CSV.

Table on a terminal, JSON when piped (so scripts get something parseable
without asking); `--output` chooses explicitly.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

import typer

from tenantree.cli.tables import table


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


OutputOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--output", "-o", help="table, json or csv (default: table on a terminal, json when piped)"
    ),
]

Columns = list[str]


def chosen(output: OutputFormat | None) -> OutputFormat:
    if output is not None:
        return output
    return OutputFormat.TABLE if sys.stdout.isatty() else OutputFormat.JSON


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return value


def render(data: dict[str, Any] | list[dict[str, Any]], columns: Columns, fmt: OutputFormat) -> str:
    """One record (dict) or a list of them, in the format; the table and CSV
    show `columns`, JSON everything the operation returned."""
    if fmt is OutputFormat.JSON:
        return json.dumps(data, indent=2, default=str)
    rows = data if isinstance(data, list) else [data]
    if fmt is OutputFormat.CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
        return out.getvalue().rstrip("\n")
    return table(
        [{c: _cell(row.get(c)) for c in columns} for row in rows], [(c, c) for c in columns]
    )


def emit(
    data: dict[str, Any] | list[dict[str, Any]], columns: Columns, output: OutputFormat | None
) -> None:
    typer.echo(render(data, columns, chosen(output)))


def collect(items: Iterable[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """Every item of a listing that may run to many pages, with a progress
    counter on stderr while it reads (shown on a terminal only)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    rows: list[dict[str, Any]] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}: {task.completed}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(f"reading {label}", total=None)
        for item in items:
            rows.append(item)
            progress.advance(task)
    return rows
