"""What the admin sees, pinned as SVG snapshots (tests/functional/__snapshots__/).

The clock is frozen and the demo tenant is built for that moment, so every run draws
the same screen. Update after an intended change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from textual.widgets import Input

from conftest import choose, settle


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    pilot.app.query_one("#filter", Input).cursor_blink = False
    await settle(pilot)


def test_main_screen_80x24(snap_compare, dashboard):
    assert snap_compare(dashboard().app, terminal_size=(80, 24), run_before=_settle)


def test_main_screen_160x48(snap_compare, dashboard):
    assert snap_compare(dashboard().app, terminal_size=(160, 48), run_before=_settle)


def test_help_screen(snap_compare, dashboard):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(dashboard().app, terminal_size=(120, 48), run_before=run_before)


def test_filter(snap_compare, dashboard):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("slash", *"contoso.onmicrosoft")
        await pilot.pause()

    assert snap_compare(dashboard().app, terminal_size=(160, 48), run_before=run_before)


def test_narrow_layout_shows_the_checklist_pane(snap_compare, dashboard):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("down", "tab", "tab")
        await pilot.pause()

    assert snap_compare(dashboard().app, terminal_size=(80, 24), run_before=run_before)


def test_ansi_theme(snap_compare, dashboard):
    assert snap_compare(dashboard(theme="ansi").app, terminal_size=(120, 36), run_before=_settle)


def test_compare_view_80x24(snap_compare, dashboard):
    """The two holders of a duplicate side by side at the smallest size an admin uses."""
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await choose(pilot.app, pilot, "proxy-conflict-user-contact")
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(dashboard().app, terminal_size=(80, 24), run_before=run_before)


def test_checklist_with_a_suggestion_120x40(snap_compare, dashboard):
    """A suggestion broken only where PowerShell allows, on lines of its own."""
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await choose(pilot.app, pilot, "proxy-conflict-user-user")
        await pilot.press("tab", "tab", "j", "j", "j")  # past step 1's checks to step 2's finding
        await pilot.pause()

    assert snap_compare(dashboard().app, terminal_size=(120, 40), run_before=run_before)


def test_connect_server_section_160x80(snap_compare, dashboard):
    """The server's view of the chosen object, and the files' age in the header."""
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await choose(pilot.app, pilot, "proxy-conflict-user-user")
        await pilot.press("tab", *["j"] * 17)  # the detail pane, scrolled to its Connect server section
        await pilot.pause()

    assert snap_compare(dashboard(server=True).app, terminal_size=(160, 80), run_before=run_before)
