"""TOML files syncdash reads (the config, themes), parsed within limits: tomllib recurses
once per level of nesting, and a few thousand levels end in a RecursionError instead of a
message naming the file; a FIFO in a file's place must not hold start-up."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

#: Far beyond any real config or theme file, far below what hurts to parse.
MAX_TOML_BYTES = 1_000_000
#: Levels of tables and arrays (and parts of one dotted key): real files use three.
MAX_TOML_DEPTH = 32


class TomlError(ValueError):
    """A TOML file syncdash will not use: one line saying why (the caller names the file)."""


#: What can hide a bracket, a brace or a dot from the nesting scan (strings, comments),
#: then the characters that open, close or separate levels.
_TOML_TOKENS = re.compile(r'''"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|'[^'\n]*'|\#[^\n]*|[][{}=,\n.]''',
                          re.DOTALL)


def _nested_too_deeply(text: str, limit: int) -> bool:
    """Whether brackets and braces nest, or one dotted key has parts, beyond ``limit``:
    found by a flat scan, before tomllib recurses into them (or, for a long dotted key,
    spends quadratic time on it)."""
    depth = dots = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > limit:
                return True
        elif token == "]" or token == "}":
            depth = max(depth - 1, 0)
        if token == ".":
            dots += 1
            if dots >= limit:
                return True
        elif token in ("[", "]", "{", "}", "=", ",", "\n"):
            dots = 0
    return False


def _data_depth(data: object) -> int:
    """How deeply ``data`` nests, without recursion (table headers nest without brackets)."""
    deepest, pending = 0, [(data, 0)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return deepest


def read_toml(path: Path) -> tuple[dict[str, Any], os.stat_result]:
    """The TOML table in ``path`` and the file's status, within size and nesting limits.

    Raises FileNotFoundError, OSError or UnicodeDecodeError for a file that cannot be
    read, and TomlError for one that is not TOML or is too large or too deeply nested.
    """
    # non-blocking: a FIFO planted in the file's place would otherwise hold start-up
    # until someone writes to it
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise TomlError("not a regular file")
        raw = handle.read(MAX_TOML_BYTES + 1)
    if len(raw) > MAX_TOML_BYTES:
        raise TomlError(f"larger than {MAX_TOML_BYTES // 1_000_000} MB")
    text = raw.decode("utf-8")
    too_deep = f"nested too deeply (more than {MAX_TOML_DEPTH} levels)"
    if _nested_too_deeply(text, MAX_TOML_DEPTH):
        raise TomlError(too_deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"not valid TOML ({exc})") from None
    except RecursionError:  # the scan missed a way to nest: still one line, never a traceback
        raise TomlError(too_deep) from None
    if _data_depth(data) > MAX_TOML_DEPTH:
        raise TomlError(too_deep)
    return data, info
