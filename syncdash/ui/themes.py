"""Themes as TOML files: shipped ones in ``themes/``, the admin's own in the config dir.

Textual accepts a theme with a bad colour and crashes only when it is applied, so every
file is checked here by generating its colour system; a broken file is named and skipped.
Its ``variables`` go into the stylesheet as CSS text, unchecked by that generation: a value
like ``red; } Screen { display: none`` would end the declaration and restyle (or stop) the
app, so names and values are held to what a colour or a text style can be.
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from pathlib import Path
from typing import Any

from textual.theme import Theme

from syncdash.config import TomlError, read_toml
from syncdash.sanitize import safe_text

DEFAULT_THEME = "syncdash-dark"
_FIELDS = {f.name for f in dataclasses.fields(Theme)}
#: A CSS variable's name, as Textual's own variables spell them.
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
#: A variable's value, before it is parsed: nothing that ends a declaration (``;``,
#: ``}``), opens a rule, a string or a comment, or refers to another variable.
_VARIABLE_VALUE = re.compile(r"[A-Za-z0-9_#.%(), -]{1,64}")
#: A colour with an optional opacity, as Textual's own variables write it: ``#112233 50%``.
_COLOUR_WITH_ALPHA = re.compile(r"(.+?)(?: (\d{1,3})%)?")


def shipped_theme_dirs() -> list[Path]:
    """Inside the wheel (``syncdash/themes``), or the source tree's ``themes/`` in an
    editable install, where hatchling's force-include does not apply."""
    candidates = [Path(str(resources.files("syncdash") / "themes")), Path(__file__).resolve().parents[2] / "themes"]
    return [path for path in dict.fromkeys(candidates) if path.is_dir()]


def _is_colour(value: str) -> bool:
    from textual.color import Color

    match = _COLOUR_WITH_ALPHA.fullmatch(value)
    if match is None or (match.group(2) is not None and int(match.group(2)) > 100):
        return False
    try:
        Color.parse(match.group(1))
    except Exception:  # Textual raises its own error types
        return False
    return True


def _check_variables(variables: Any) -> None:
    """ValueError unless every variable is a plain name set to what Textual will accept
    there: a text style for the ``*-style`` variables, a colour for all the others."""
    from textual.css.constants import VALID_STYLE_FLAGS

    if not isinstance(variables, dict):
        raise ValueError("[variables] maps names to colours, e.g. \"border\" = \"#336699\"")
    for name, value in variables.items():
        if not _VARIABLE_NAME.fullmatch(name):
            raise ValueError(f"variable name {name!r}: use letters, digits, '-' and '_'")
        style = "style" in name
        if not isinstance(value, str) or not _VARIABLE_VALUE.fullmatch(value):
            valid = False
        elif style:
            valid = bool(value.split()) and set(value.split()) <= VALID_STYLE_FLAGS
        else:
            valid = _is_colour(value)
        if not valid:
            raise ValueError(f"variable {name!r}: {value!r} is not a {'text style' if style else 'colour'}")


def load_theme(path: Path) -> Theme:
    """One theme file, validated; ValueError names what is wrong."""
    try:
        data, _ = read_toml(path)
    except TomlError as exc:
        raise ValueError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it ({exc})") from None
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise ValueError("'name' is missing")
    if not isinstance(data.get("primary"), str):
        raise ValueError("'primary' colour is missing")
    _check_variables(data.get("variables", {}))
    try:
        theme = Theme(**data)
        theme.to_color_system().generate()
    except Exception as exc:  # Textual raises several types for bad colours and values
        raise ValueError(f"invalid value ({exc})") from None
    return theme


def load_themes(directories: list[Path]) -> tuple[list[Theme], list[str]]:
    """Every valid theme in the directories (later ones win on a name clash), and one
    message per broken file."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in directories:
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = load_theme(path)
            except ValueError as exc:
                problems.append(safe_text(f"theme {path}: {exc}"))  # shown in a notification
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems
