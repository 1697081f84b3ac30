"""A plain aligned text table: greppable, pasteable, readable over any terminal."""

from __future__ import annotations

from collections.abc import Sequence

from syncdash.export.rows import ErrorRow
from syncdash.sanitize import safe_text, truncate

HEADERS = ("KIND", "DISPLAY NAME", "UPN OR MAIL", "PROPERTY", "CONFLICTING VALUE", "SINCE (UTC)", "FINDINGS")
#: Widest each column may grow before its values are cut with an ellipsis.
MAX_WIDTHS = (7, 30, 40, 34, 48, 16, 60)


def _cells(row: ErrorRow) -> tuple[str, ...]:
    since = row.since.strftime("%Y-%m-%d %H:%M") if row.since else "-"
    return (row.kind, row.display_name, row.identity, row.property, row.value, since, row.diagnosis)


def render_table(rows: Sequence[ErrorRow]) -> str:
    """The rows under a header, columns aligned, every cell sanitised and capped."""
    cells = [
        tuple(truncate(safe_text(cell), limit) for cell, limit in zip(_cells(row), MAX_WIDTHS))
        for row in rows
    ]
    widths = [
        max([len(header), *(len(line[column]) for line in cells)])
        for column, header in enumerate(HEADERS)
    ]
    lines = [HEADERS, *cells]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines
    )
