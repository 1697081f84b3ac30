"""Themes as TOML files: shipped ones in ``themes/``, the admin's own in the config dir.

Textual accepts a theme with a bad colour and crashes only when it is applied, so every
file is checked here by generating its colour system; a broken file is named and skipped.
"""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path

from textual.theme import Theme

DEFAULT_THEME = "syncdash-dark"
_FIELDS = {f.name for f in dataclasses.fields(Theme)}


def shipped_theme_dirs() -> list[Path]:
    """Inside the wheel (``syncdash/themes``), or the source tree's ``themes/`` in an
    editable install, where hatchling's force-include does not apply."""
    candidates = [Path(str(resources.files("syncdash") / "themes")), Path(__file__).resolve().parents[2] / "themes"]
    return [path for path in dict.fromkeys(candidates) if path.is_dir()]


def load_theme(path: Path) -> Theme:
    """One theme file, validated; ValueError names what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from None
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise ValueError("'name' is missing")
    if not isinstance(data.get("primary"), str):
        raise ValueError("'primary' colour is missing")
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
                problems.append(f"theme {path}: {exc}")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems
