"""Plain text tables for the CLI's `table` outputs."""

from __future__ import annotations

from typing import Any


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    """Rows as aligned columns under their titles; None as an empty cell."""
    cells = [[title for _, title in columns]] + [
        ["" if row[key] is None else str(row[key]) for key, _ in columns] for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )
