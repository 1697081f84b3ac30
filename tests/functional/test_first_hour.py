"""An admin's first hour at the keyboard (issue 15): what a k9s or lazygit user expects
of the keys, and what the screen must never claim."""

from __future__ import annotations

from conftest import settle

from syncdash.emulator.faults import Faults
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane
from syncdash.ui.widgets.error_list import ErrorList


async def test_a_cold_start_never_reads_as_all_clear(dashboard):
    app = dashboard(faults=Faults(latency=0.5)).app  # the first page takes its time
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        error_list = app.query_one(ErrorList)
        assert not error_list.rows and "Reading the tenant" in error_list.empty_text
        await settle(pilot)
        assert error_list.rows and "No objects with sync errors" not in error_list.empty_text


async def test_arrows_and_h_l_move_between_panes_and_colon_opens_the_palette(dashboard):
    from textual.command import CommandPalette

    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        assert isinstance(app.focused, DetailPane)
        await pilot.press("right")
        assert isinstance(app.focused, ChecklistPane)
        await pilot.press("h", "left")
        assert isinstance(app.focused, ErrorList)
        await pilot.press("slash", *"hl")  # in the filter they are letters
        assert app.query_one("#filter").value == "hl"
        await pilot.press("escape", "colon")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)


async def test_the_palette_offers_no_developer_commands(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"s")
        await pilot.pause(0.5)
        options = app.screen.query_one("CommandList")
        shown = " ".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        await pilot.press("escape", "ctrl+p", *"keys")
        await pilot.pause(0.5)
        options = app.screen.query_one("CommandList")
        shown += " ".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        assert "Screenshot" not in shown and "Keys" not in shown and "Maximize" not in shown


async def test_a_failed_first_read_says_so_in_the_empty_list(dashboard):
    app = dashboard(faults=Faults(network="refused")).app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        error_list = app.query_one(ErrorList)
        assert not error_list.rows and "Graph could not be read" in error_list.empty_text
