"""Directory text made safe to show: anyone who can set a display name writes it.

Control characters (including ESC, 8-bit CSI and DEL) could drive the terminal, and bidi
overrides could make one value look like another, so both are replaced by visible
stand-ins before any text reaches a screen.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline) / DEL / C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides, isolates
)
_LINE_BREAKS = re.compile("[\t\n]")
REPLACEMENT = "\ufffd"


def safe_text(value: str | None, *, single_line: bool = True) -> str:
    """``value`` with every control and bidi character replaced by U+FFFD."""
    if not value:
        return ""
    if value.isprintable():  # every character replaced below is unprintable: most text skips both passes
        return value
    cleaned = _UNSAFE.sub(REPLACEMENT, value)
    return _LINE_BREAKS.sub(" ", cleaned) if single_line else cleaned


def truncate(value: str, width: int) -> str:
    """At most ``width`` characters, an ellipsis marking the cut."""
    if width <= 0:
        return ""
    return value if len(value) <= width else value[: width - 1] + "…"
