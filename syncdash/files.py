"""Writing a file so that it is either complete or untouched."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to a sibling file created with ``mode``, then rename it over ``path``.

    OSError propagates (with the partial file removed) for the caller to word.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
