"""Text measured in terminal cells, one rule for the dashboard and the report: a wide
character (王, most emoji) takes two cells, so ``len()`` misaligns every column after a
name like 王小明. A cut is marked with one ellipsis."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

ELLIPSIS = "…"


def width(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    return cell_len(text)


def clip(text: str, cells: int) -> str:
    """At most ``cells`` cells: ``text`` itself, or cut with an ellipsis."""
    if cells <= 0:
        return ""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, cells - 1) + ELLIPSIS


def fit(text: str, cells: int) -> str:
    """Exactly ``cells`` cells: ``text`` clipped, then padded."""
    return set_cell_size(clip(text, cells), max(cells, 0))
