"""Shipped themes load, stay readable on limited terminals, and broken ones are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.color import Color

from syncdash.ui.themes import load_theme, load_themes, shipped_theme_dirs

SHIPPED, PROBLEMS = load_themes(shipped_theme_dirs())
NAMES = sorted(theme.name for theme in SHIPPED)


def test_the_four_themes_ship_and_load_cleanly():
    assert {"syncdash-dark", "syncdash-light", "high-contrast", "ansi"} <= set(NAMES)
    assert PROBLEMS == []


def _downgraded(value: str, system: ColorSystem) -> RichColor:
    return Color.parse(value).rich_color.downgrade(system)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "ansi"])
@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.STANDARD])
def test_status_colours_stay_apart_in_256_and_16_colours(name, system):
    theme = next(t for t in SHIPPED if t.name == name)
    colours = [_downgraded(c, system) for c in (theme.error, theme.warning, theme.success)]
    assert len({c.get_truecolor() for c in colours}) == 3, colours


@pytest.mark.parametrize("name", [n for n in NAMES if n != "ansi"])
def test_background_surface_and_panel_stay_apart_in_256_colours(name):
    theme = next(t for t in SHIPPED if t.name == name)
    layers = [_downgraded(c, ColorSystem.EIGHT_BIT) for c in (theme.background, theme.surface, theme.panel)]
    assert len({c.number for c in layers}) == 3, layers


def test_the_ansi_theme_uses_the_terminals_own_colours():
    theme = next(t for t in SHIPPED if t.name == "ansi")
    assert theme.ansi and {theme.error, theme.warning, theme.success} == {"ansi_red", "ansi_yellow", "ansi_green"}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('name = "x"\nprimary = "not-a-colour"\n', "invalid value"),
        ('primary = "#112233"\n', "'name' is missing"),
        ('name = "x"\nprimary = "#112233"\nsparkle = true\n', "unknown key 'sparkle'"),
        ("name = \n", "not valid TOML"),
    ],
)
def test_a_broken_theme_file_is_named_and_skipped(tmp_path: Path, content, words):
    (tmp_path / "good.toml").write_text('name = "good"\nprimary = "#336699"\n')
    (tmp_path / "bad.toml").write_text(content)
    themes, problems = load_themes([tmp_path])
    assert [t.name for t in themes] == ["good"]
    assert len(problems) == 1 and "bad.toml" in problems[0] and words in problems[0]
    with pytest.raises(ValueError, match=words):
        load_theme(tmp_path / "bad.toml")
