"""Directory text made safe to show: anyone who can set a display name writes it.

Control characters (including ESC, 8-bit CSI and DEL) could drive the terminal, and bidi
overrides could make one value look like another, so both are replaced by visible
stand-ins before any text reaches a screen.

Graph's own answers count as outside text too: an error's code and message, a header, a
nextLink, a token's claims. Whoever answers at the Graph URL (a proxy, a hostile server on
a loopback port) writes them, so they pass through here before any message is built.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline) / DEL / C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides, isolates
)
#: Tab, newline and the Unicode line and paragraph separators (which Python's
#: splitlines and many renderers also break at).
_LINE_BREAKS = re.compile("[\t\n\u2028\u2029]")
REPLACEMENT = "\ufffd"


def safe_text(value: str | None, *, single_line: bool = True) -> str:
    """``value`` with every control and bidi character replaced by U+FFFD."""
    if not value:
        return ""
    if value.isprintable():  # every character replaced below is unprintable: most text skips both passes
        return value
    cleaned = _UNSAFE.sub(REPLACEMENT, value)
    return _LINE_BREAKS.sub(" ", cleaned) if single_line else cleaned


def safe_line(value: object, limit: int = 300) -> str:
    """Outside text as one bounded line for a message: a multi-megabyte error message
    would otherwise push the admin's own context off the screen."""
    return truncate(safe_text("" if value is None else str(value)), limit)


#: What json.dumps(ensure_ascii=False) leaves raw but a terminal would act on or
#: reorder: DEL, the C1 controls (8-bit CSI among them) and the bidi characters.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text with those characters as ``\\uXXXX`` escapes: still the same JSON value
    (they occur only inside strings), but inert on a terminal."""
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def truncate(value: str, width: int) -> str:
    """At most ``width`` characters, an ellipsis marking the cut."""
    if width <= 0:
        return ""
    return value if len(value) <= width else value[: width - 1] + "…"
