"""Text measured in terminal cells, one rule for the dashboard and the report: a wide
character (王, most emoji) takes two cells, so ``len()`` misaligns every column after a
name like 王小明. A cut is marked with one ellipsis."""

from __future__ import annotations

import re

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


#: Where a line may break: after a space, or after a separator between the parts of an
#: identifier's list (a DN's ", ", "; ") — never inside a UPN, GUID, address or component.
_BREAKS = re.compile(r"(?<=[ ,;])")


def wrap(text: str, cells: int) -> list[str]:
    """``text`` in lines of at most ``cells`` cells, broken only between tokens; a token
    wider than a line is the one thing cut into pieces (nothing is lost)."""
    if cells <= 0:
        return [text]
    lines: list[str] = []
    line = ""
    for token in _BREAKS.split(text):
        if line and cell_len(line + token.rstrip()) > cells:
            lines.append(line.rstrip())
            line = ""
        while cell_len(token) > cells:  # one token wider than the column: pieces of it
            piece = _fitting(token, cells)
            lines.append(piece)
            token = token[len(piece):]
        line += token
    if line or not lines:
        lines.append(line.rstrip())
    return lines


def _fitting(text: str, cells: int) -> str:
    """The longest start of ``text`` within ``cells`` cells (at least one character)."""
    used = 0
    for end, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:max(end, 1)]
    return text
