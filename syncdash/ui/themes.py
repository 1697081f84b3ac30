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

from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.theme import Theme

from syncdash.toml_files import TomlError, read_toml
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


def start_with_theme(app: App[None], directories: list[Path], wanted: str | None) -> list[str]:
    """Registers the validated themes and picks one (``wanted``, else the default) before
    the stylesheet is first read: assigning ``App.theme`` to a running app parses every
    stylesheet again (about 20 ms of the start-up). Textual's own themes are withdrawn,
    so the switcher offers only themes whose status colours were checked. Returns the
    problems to show once the app runs."""
    themes, problems = load_themes(directories)
    if not themes:
        return [*problems, "no theme could be loaded: Textual's default is used"]
    for name in list(app.available_themes):
        app.unregister_theme(name)
    for theme in themes:
        app.register_theme(theme)
    fallback = DEFAULT_THEME if DEFAULT_THEME in app.available_themes else themes[0].name
    chosen = wanted or fallback
    if chosen not in app.available_themes:
        names = ", ".join(sorted(app.available_themes))
        problems.append(f"unknown theme {safe_text(chosen)!r}; using {fallback} (themes: {names})")
        chosen = fallback
    app.set_reactive(App.theme, chosen)
    dark = app.current_theme.dark
    app.set_class(dark, "-dark-mode", update=False)
    app.set_class(not dark, "-light-mode", update=False)
    app.add_class(f"-theme-{chosen}", update=False)
    app.stylesheet.set_variables(app.get_css_variables())  # App.__init__ read textual-dark's
    # What App._watch_theme does for a running app; an ``ansi`` theme needs it.
    app._refresh_truecolor_filter(app.ansi_theme)
    return problems


def status_colours(app: App[None]) -> dict[str, Style]:
    """The theme's warning, error and success colours as Rich styles (an ``ansi`` theme
    names terminal colours, which Rich spells differently)."""
    if app.no_color:
        # NO_COLOR makes every colour a grey, and at 16 colours the greys of text and
        # surface meet: the marks (✓ ✗ ?) and words carry the meaning, in the text's own colour
        return {name: Style(bold=True) for name in ("warning", "error", "success")}
    variables = app.theme_variables
    return {
        name: Style(color=Color.parse(variables.get(name, fallback)).rich_color)
        for name, fallback in (("warning", "yellow"), ("error", "red"), ("success", "green"))
    }
