"""A plain aligned text table: greppable, pasteable, readable over any terminal.

Nothing an admin must read is cut: on a terminal narrower than the table each row
becomes a block of labelled lines wrapped between tokens (a UPN, GUID or DN component
stays whole unless it alone is wider than the terminal); written to a pipe or a file,
every row is one line."""

from __future__ import annotations

from collections.abc import Sequence

from syncdash.cells import fit, width, wrap
from syncdash.export.rows import ErrorRow
from syncdash.sanitize import safe_text

HEADERS = ("KIND", "DISPLAY NAME", "UPN OR MAIL", "PROPERTY", "CONFLICTING VALUE", "HELD BY", "SINCE (UTC)",
           "FINDINGS", "DONE", "NOTE")
GAP = "  "
INDENT = "    "


def _cells(row: ErrorRow) -> tuple[str, ...]:
    since = row.since.strftime("%Y-%m-%d %H:%M") if row.since else "-"
    return (row.kind, row.display_name, row.identity, row.property, row.value, row.holder, since, row.diagnosis,
            row.done, row.note or "-")


def _widths(cells: list[tuple[str, ...]]) -> list[int]:
    return [max([width(header), *(width(line[column]) for line in cells)]) for column, header in enumerate(HEADERS)]


def render_table(rows: Sequence[ErrorRow], columns: int | None = None) -> str:
    """The rows under a header, columns aligned in terminal cells (as the dashboard's),
    every cell sanitised; one line a row. On a terminal narrower than that (``columns``),
    each row becomes a short block of labelled lines, wrapped between tokens: a table
    squeezed into 80 columns would break every UPN and GUID."""
    cells = [tuple(safe_text(cell) for cell in _cells(row)) for row in rows]
    widths = _widths(cells)
    if columns is not None and sum(widths) + len(GAP) * (len(HEADERS) - 1) > columns:
        return "\n".join(line for row in cells for line in _block(row, columns))
    return "\n".join(GAP.join(fit(cell, cells_wide) for cell, cells_wide in zip(line, widths)).rstrip()
                     for line in [HEADERS, *cells])


def _block(row: tuple[str, ...], columns: int) -> list[str]:
    kind, name, identity, prop, value, holder, since, findings, done, note = row
    held = f"held by {holder} · " if holder != "-" else ""
    parts = [(f"{kind} {name}  {identity}", ""), (f"{prop}: {value}", INDENT),
             (f"{held}since {since}", INDENT), (f"findings: {findings}", INDENT),
             *([(f"done: {done}", INDENT)] if done != "-" else []),
             *([(f"note: {note}", INDENT)] if note != "-" else [])]
    return [indent + line for text, indent in parts for line in wrap(text, columns - len(indent))] + [""]
