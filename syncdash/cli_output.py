"""Where a command's output goes: stdout (fitted to a terminal's encoding when it is
text for eyes) or a file replaced whole once complete; and the admin's bad input."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path


class UsageError(Exception):
    """Bad input from the admin: one line on stderr, exit 2."""


def write_output(text: str | Iterable[str], output: Path | None, *, readable: bool = False) -> None:
    """To stdout, or to a file that is replaced whole only once the text is complete; a
    report comes as chunks, written as they come. ``readable`` output (text, table) on a
    terminal is fitted to its encoding."""
    from syncdash.export.formats import for_terminal
    from syncdash.files import write_atomically

    if output is None:
        last = ""
        for chunk in [text] if isinstance(text, str) else text:
            sys.stdout.write(for_terminal(chunk, sys.stdout.encoding or "ascii") if readable else chunk)
            last = chunk or last
        if not last.endswith("\n"):
            sys.stdout.write("\n")
        return
    try:
        write_atomically(output, text)
    except OSError as exc:
        raise UsageError(f"syncdash: cannot write {output}: {exc.strerror or exc}") from None
