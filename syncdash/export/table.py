"""A plain aligned text table: greppable, pasteable, readable over any terminal."""

from __future__ import annotations

from collections.abc import Sequence

from syncdash.cells import clip, fit, width
from syncdash.export.rows import ErrorRow
from syncdash.sanitize import safe_text

HEADERS = ("KIND", "DISPLAY NAME", "UPN OR MAIL", "PROPERTY", "CONFLICTING VALUE", "SINCE (UTC)", "FINDINGS")
#: Widest each column may grow before its values are cut with an ellipsis.
MAX_WIDTHS = (7, 30, 40, 34, 48, 16, 60)


def _cells(row: ErrorRow) -> tuple[str, ...]:
    since = row.since.strftime("%Y-%m-%d %H:%M") if row.since else "-"
    return (row.kind, row.display_name, row.identity, row.property, row.value, since, row.diagnosis)


def render_table(rows: Sequence[ErrorRow]) -> str:
    """The rows under a header, columns aligned in terminal cells (as the dashboard's),
    every cell sanitised and capped."""
    cells = [
        tuple(clip(safe_text(cell), limit) for cell, limit in zip(_cells(row), MAX_WIDTHS))
        for row in rows
    ]
    widths = [
        max([width(header), *(width(line[column]) for line in cells)])
        for column, header in enumerate(HEADERS)
    ]
    lines = [HEADERS, *cells]
    return "\n".join(
        "  ".join(fit(cell, cells_wide) for cell, cells_wide in zip(line, widths)).rstrip() for line in lines
    )
