"""The terminal at its worst: Ctrl+C on every screen, a 20×5 window and back."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from conftest import settle
from syncdash.ui.screens.help import HelpScreen
from syncdash.ui.screens.prompts import ExportScreen, LinkScreen, NoteScreen
from syncdash.ui.widgets.error_list import ErrorList

SCREENS = {
    "main": ((), None),
    "filter": (("slash", "w"), Input),
    "help": (("question_mark",), HelpScreen),
    "note": (("n",), NoteScreen),
    "export": (("e",), ExportScreen),
    "link": (("o",), LinkScreen),
    "palette": (("ctrl+p",), None),
}


@pytest.mark.parametrize("where", SCREENS)
async def test_ctrl_c_quits_cleanly_from_every_screen(dashboard, where):
    keys, expected = SCREENS[where]
    app = dashboard().app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        if expected is Input:
            assert isinstance(app.focused, Input)
        elif expected is not None:
            assert isinstance(app.screen, expected)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running, f"Ctrl+C did not end the dashboard from the {where} screen"
    assert app.return_code == 0


async def test_ctrl_c_while_typing_a_note_keeps_the_draft(dashboard, tmp_path):
    made = dashboard(store_dir=tmp_path / "notes")
    async with made.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        chosen = made.app.state.selected.id
        await pilot.press("n", *"half-typed ticket", "ctrl+c")
        await pilot.pause()
    assert made.store.note("test", chosen) == "half-typed ticket"


async def test_a_20x5_window_and_back_loses_nothing(dashboard):
    app = dashboard().app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        chosen = app.state.selected.id
        await pilot.resize_terminal(20, 5)
        await pilot.pause()
        await pilot.press("down", "up", "tab", "question_mark", "escape", "shift+tab", "shift+tab")
        await pilot.pause()
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert len(app.query_one(ErrorList).rows) == 29 and app.state.selected.id == chosen
        assert app.is_running
