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
BREAKS = re.compile(r"(?<=[ ,;])")


def wrap(text: str, cells: int) -> list[str]:
    """``text`` in lines of at most ``cells`` cells, broken only between tokens; a token
    wider than a line is the one thing cut into pieces (nothing is lost)."""
    if cells <= 0:
        return [text]
    lines: list[str] = []
    line = ""
    for token in BREAKS.split(text):
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


#: The characters PowerShell reads as a single quote (diagnose.powershell's strings are
#: single-quoted, these doubled inside, so each string is an even run of them).
_QUOTES = "'\u2018\u2019\u201a\u201b"
#: Outside a string, a line may also break after these when no space follows (inside a
#: hashtable such as ``@{proxyAddresses='…'}``, wider than a narrow pane).
_OPENERS = "={("


def _command_tokens(command: str) -> list[tuple[str, str]]:
    """``command`` split where a line may break, each piece with what preceded it (a
    space or nothing): never inside a quoted string, whose value a break would change."""
    tokens: list[tuple[str, str]] = []
    token, before, quoted = "", "", False
    for char in command:
        if char in _QUOTES:
            quoted = not quoted
        if char == " " and not quoted:
            if token:
                tokens.append((before, token))
            token, before = "", " "
            continue
        token += char
        if char in _OPENERS and not quoted:
            tokens.append((before, token))
            token, before = "", ""
    return [*tokens, (before, token)] if token else tokens


def command_lines(command: str, cells: int, indent: int = 2) -> list[str]:
    """A PowerShell command in lines of at most ``cells`` cells that, selected in the
    terminal and pasted, run as the one command: broken only outside its strings, each
    line but the last ending in a backtick continuation (PowerShell reads the escaped
    line end as a space). A piece wider than a line is left whole, past the edge: cut,
    it would paste as another value or another command (``c`` copies it all)."""
    lines: list[str] = []
    for statement in command.split("\n"):
        line = ""
        for before, token in _command_tokens(statement):
            if line.strip() and width(f"{line}{before}{token} `") > cells:
                lines.append(f"{line}{before}`")
                line, before = " " * indent, ""
            line += (before if line.strip() else "") + token
        lines.append(line)
    return lines
