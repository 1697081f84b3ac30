"""The dashboard driven key by key (Textual's pilot) against the emulated tenant."""

from __future__ import annotations


from factories import conflict, tenant, user
from textual.command import CommandPalette
from textual.color import Color
from textual.content import Content
from textual.widgets import Input

from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS, build_demo_tenant
from syncdash.emulator.faults import Faults
from syncdash.ui.screens.help import HelpScreen
from syncdash.ui.screens.prompts import ExportScreen, LinkScreen, NoteScreen
from syncdash.ui.themes import status_colours
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.error_list import ErrorList
from syncdash.ui.widgets.key_bar import KeyBar

from conftest import FROZEN_NOW, checklist_lines
from conftest import settle as loaded


def names(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.cells[1] for row in app.query_one(ErrorList).rows]


def status_text(app) -> str:  # type: ignore[no-untyped-def]
    return app.query_one("StatusBar").shown.plain


def checklist_text(app) -> str:  # type: ignore[no-untyped-def]
    return checklist_lines(app)


async def cached_then_slow(dashboard, tmp_path, latency: float, **faults):  # type: ignore[no-untyped-def]
    """A dashboard whose cache holds the demo's list (one run filled it) and whose
    Graph answers every request ``latency`` seconds late (with ``faults`` besides)."""
    first = dashboard(store_dir=tmp_path / "cache")
    async with first.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
    first.store.close()
    return dashboard(store_dir=tmp_path / "cache", faults=Faults(latency=latency, **faults))


def notices(app, about: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """The notifications shown so far (those mentioning ``about``)."""
    return [n.message for n in app._notifications if about in n.message]


def ann_gets_a_conflict(data, **when: str) -> None:  # type: ignore[no-untyped-def]
    """A healthy demo user gets a proxy address conflict (at ``when``, if given)."""
    newcomer = next(u for u in data["users"] if u["displayName"] == "Ann Lee")
    newcomer["onPremisesProvisioningErrors"] = [conflict("ProxyAddress", "smtp:x@contoso.com", **when)]


def detail_text(app, width: int = 200) -> str:  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(app.query_one("#detail").shown)
    return console.export_text()


async def test_all_three_panes_fill_from_the_tenant(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        assert len(names(app)) == 29
        first = app.query_one(ErrorList).highlighted
        assert first is not None and first.cells[1] in detail_text(app)
        text = checklist_text(app)
        assert "Step 1: Check for synchronization errors" in text and "Step 3:" in text
        status = status_text(app)
        assert "Contoso" in status and "dirsync on" in status and "last sync 23 min ago" in status
        assert "complete" in status and "live 12:00:00 UTC" in status
        assert "users" in status and "groups" in status and "contacts" in status


async def test_cursor_keys_move_through_the_list(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        error_list = app.query_one(ErrorList)
        await pilot.press("down", "j", "j")
        assert error_list.cursor == 3
        await pilot.press("k", "up")
        assert error_list.cursor == 1
        await pilot.press("G")
        assert error_list.cursor == 28
        await pilot.press("g")
        assert error_list.cursor == 0
        await pilot.press("end")
        assert error_list.cursor == 28
        await pilot.press("home", "pagedown")
        assert error_list.cursor > 5
        await pilot.press("pageup")
        assert error_list.cursor == 0


async def test_moving_the_cursor_shows_that_object_in_detail_and_checklist(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("down", "down")
        chosen = app.query_one(ErrorList).highlighted
        assert app.state.selected is not None and app.state.selected.id == chosen.id
        assert chosen.cells[1] in detail_text(app)


async def test_enter_opens_the_detail_and_tab_cycles_panes(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        assert app.focused.id == "detail"
        await pilot.press("tab")
        assert isinstance(app.focused, ChecklistPane)
        await pilot.press("tab")
        assert isinstance(app.focused, ErrorList)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ChecklistPane)


async def test_narrow_screens_show_one_pane_at_a_time(dashboard):
    app = dashboard().app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.screen.has_class("-narrow")
        visible = [pane.id for pane in app.query(".pane") if pane.display and pane.region.height > 0]
        assert visible == ["list-pane"]
        await pilot.press("tab")
        visible = [pane.id for pane in app.query(".pane") if pane.region.height > 0]
        assert visible == ["detail-pane"]


async def test_filter_as_you_type_inverts_and_clears(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"wilber")
        assert names(app) == ["Alex Wilber", "Alex Wilber"]
        assert isinstance(app.focused, Input)
        await pilot.press("home", "exclamation_mark")
        assert len(names(app)) == 27 and "Alex Wilber" not in names(app)
        await pilot.press("escape")
        assert len(names(app)) == 29 and isinstance(app.focused, ErrorList)


async def test_keys_typed_in_one_burst_after_slash_all_reach_the_filter(dashboard):
    """Over SSH a fast typist's keys arrive together: the filter must already hold focus
    when the key after ``/`` is dispatched, or ``e`` of "wilber" opens the export prompt."""
    from textual import events

    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        for key, character in [("slash", "/"), *((c, c) for c in "wilber")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.query_one("#filter", Input).value == "wilber"
        assert names(app) == ["Alex Wilber", "Alex Wilber"]
        assert not isinstance(app.screen, ExportScreen)
        app.post_message(events.Key("escape", None))
        app.post_message(events.Key("e", "e"))
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen), "the key after Esc went to the filter, not the list"


async def test_filter_matches_conflicting_values_too(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"smtp:sales@", "enter")
        assert names(app) == ["Pradeep Gupta"] and isinstance(app.focused, ErrorList)


async def test_number_keys_pick_a_kind(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        kinds = lambda: {row.kind.value for row in app.query_one(ErrorList).rows}  # noqa: E731
        await pilot.press("2")
        assert kinds() == {"user"}
        await pilot.press("3")
        assert kinds() == {"group"}
        await pilot.press("4")
        assert kinds() == {"contact"}
        await pilot.press("1")
        assert kinds() == {"user", "group", "contact"}


async def test_esc_then_a_key_in_one_burst_is_taken_as_both_keys(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("tab")  # the detail pane
        assert app.focused.id == "detail"
        await pilot.press("alt+j")  # what Textual makes of Esc followed at once by j
        await pilot.pause()
        assert app.focused.id == "list" and app.query_one(ErrorList).cursor == 1
        await pilot.press("slash", *"wil", "alt+shift+g")  # typing in the filter, then Esc and G at once
        await pilot.pause()
        assert app.query_one("#filter", Input).value == "" and app.focused.id == "list"
        assert app.query_one(ErrorList).cursor == len(names(app)) - 1 == 28  # G: the last row


async def test_sort_cycles_columns_and_reverses(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("s")  # KIND
        await pilot.press("s")  # DISPLAY NAME
        shown = names(app)
        assert shown == sorted(shown, key=str.casefold)
        assert "sorted by DISPLAY NAME" in app.query_one("#list-pane").border_subtitle
        header = app.query_one(ErrorList).render_line(0).text  # the column titles as drawn
        assert "↑DISPLAY NAME" in header and header.count("↑") == 1  # A to Z: low to high
        await pilot.press("S")
        assert names(app) == sorted(shown, key=str.casefold, reverse=True)
        assert "↓DISPLAY NAME" in app.query_one(ErrorList).render_line(0).text


async def test_space_ticks_a_manual_check_and_it_survives_a_restart(dashboard, tmp_path):
    first = dashboard(store_dir=tmp_path / "one")
    async with first.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("tab", "tab", "space")
        assert "[x] Microsoft 365 admin center → Health" in checklist_text(first.app)
        chosen = first.app.state.selected.id
    first.store.close()
    second = dashboard(store_dir=tmp_path / "one")
    async with second.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        assert second.app.state.selected.id == chosen
        assert "[x] Microsoft 365 admin center → Health" in checklist_text(second.app)
        await pilot.press("tab", "tab", "space")
        assert "[ ] Microsoft 365 admin center → Health" in checklist_text(second.app)


async def test_n_edits_a_note_that_is_kept(dashboard, tmp_path):
    made = dashboard(store_dir=tmp_path / "notes")
    async with made.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        assert isinstance(made.app.screen, NoteScreen)
        await pilot.press(*"ticket 4711", "ctrl+s")
        assert "ticket 4711" in detail_text(made.app)
        assert made.store.note("test", made.app.state.selected.id) == "ticket 4711"
        await pilot.press("n", "escape")
        assert made.store.note("test", made.app.state.selected.id) == "ticket 4711"


async def test_r_refreshes_now_and_the_list_lives(dashboard):
    data = build_demo_tenant(FROZEN_NOW)
    made = dashboard(tenant=data)
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        requests = made.emulator.count()
        lynne = next(u for u in data["users"] if u["displayName"] == "Lynne Robbins")
        lynne["onPremisesProvisioningErrors"] = []
        ann_gets_a_conflict(data)
        made.emulator.store.touch()
        await pilot.press("r")
        await loaded(pilot)
        assert made.emulator.count() > requests
        assert "Lynne Robbins" not in names(app) and "Ann Lee" in names(app)
        messages = notices(app)
        assert "Lynne Robbins: proxy address conflict resolved" in messages
        new = {row.id for row in app.query_one(ErrorList).rows if row.cells[1] == "Ann Lee"}
        assert new <= app.query_one(ErrorList).new_ids


async def test_graph_trouble_keeps_the_last_data_marked_stale(dashboard):
    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        made.emulator.faults.deny = {"organization": 401, "users": 401, "groups": 401, "contacts": 401}
        await pilot.press("r")
        await loaded(pilot)
        assert len(names(app)) == 29
        status = status_text(app)
        assert "stale" in status and "sign in again" in status
        assert notices(app, "sign in again")


async def test_at_80_columns_the_header_breaks_between_its_parts_and_keeps_the_reason(dashboard):
    made = dashboard()
    app = made.app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        made.emulator.faults.deny = {"organization": 401, "users": 401, "groups": 401, "contacts": 401}
        await pilot.press("r")
        await loaded(pilot)
        lines = status_text(app).splitlines()
        assert 2 <= len(lines) <= 3 and all(len(line) <= 78 for line in lines), lines
        assert not any(line.startswith(("│", " ")) for line in lines), lines  # never a dangling separator
        assert lines[0].startswith("Contoso") and "23 users · 4 groups · 2 contacts" in status_text(app)
        assert "stale" in status_text(app) and "sign in again" in lines[-1]
        assert app.query_one("StatusBar").size.height == len(lines)  # every line on screen


async def test_start_shows_the_cached_list_before_graph_answers(dashboard, tmp_path):
    slow = await cached_then_slow(dashboard, tmp_path, latency=0.5)
    async with slow.app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert len(names(slow.app)) == 29
        assert "cached" in status_text(slow.app)
        await loaded(pilot)
        assert "live" in status_text(slow.app)


async def test_each_step_spins_until_the_diagnosis_arrives_then_shows_its_mark(dashboard, tmp_path):
    from syncdash.ui.widgets.checklist_pane import SPINNER

    slow = await cached_then_slow(dashboard, tmp_path, latency=1.0)
    async with slow.app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()  # the cached list's first object is looked up in Graph: slow
        steps = checklist_text(slow.app).splitlines()
        assert [line[2:9] for line in steps] == ["Step 1:", "Step 2:", "Step 3:"]
        assert all(line[0] in SPINNER and line.endswith("checking…") for line in steps), steps
        for _ in range(40):  # it turns (every 0.1 s, later on a busy machine)
            await pilot.pause(0.02)
            if checklist_text(slow.app).splitlines()[0][0] != steps[0][0]:
                break
        assert checklist_text(slow.app).splitlines()[0][0] in set(SPINNER) - {steps[0][0]}
        await loaded(pilot)
        done = checklist_text(slow.app)
        assert "checking…" not in done and "✗ Step 1:" in done
        assert "– Step 3:" in done and "not needed: an earlier step found the cause" in done


async def test_what_changed_while_syncdash_was_closed_is_announced_at_the_next_start(dashboard, tmp_path):
    data = build_demo_tenant(FROZEN_NOW)
    first = dashboard(tenant=data, store_dir=tmp_path / "cache")
    async with first.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
    first.store.close()
    next(u for u in data["users"] if u["displayName"] == "Lynne Robbins")["onPremisesProvisioningErrors"] = []
    ann_gets_a_conflict(data)
    first.emulator.store.touch()
    again = dashboard(store_dir=tmp_path / "cache", emulator=first.emulator)
    async with again.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        assert "Lynne Robbins: proxy address conflict resolved" in notices(again.app)
        assert {row.id for row in again.app.query_one(ErrorList).rows if row.cells[1] == "Ann Lee"} \
            == again.app.query_one(ErrorList).new_ids


async def test_many_resolved_at_once_make_one_notification(dashboard):
    data = build_demo_tenant(FROZEN_NOW)
    made = dashboard(tenant=data)
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        fixed = [u for u in data["users"] if u.get("onPremisesProvisioningErrors")][:8]
        for obj in fixed:
            obj["onPremisesProvisioningErrors"] = []
        made.emulator.store.touch()
        await pilot.press("r")
        await loaded(pilot)
        resolved = notices(app, "resolved")
        assert len(resolved) == 1 and resolved[0].startswith("8 objects' errors resolved: "), resolved


async def test_a_kind_refused_since_the_last_scan_is_not_announced_and_one_always_refused_is_no_bar(dashboard):
    data = build_demo_tenant(FROZEN_NOW)
    made = dashboard(tenant=data)
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        made.emulator.faults.deny = {"contacts": 403}  # refused from now on
        await pilot.press("r")
        await loaded(pilot)
        assert not notices(app, "resolved")  # not the contacts
        next(u for u in data["users"] if u["displayName"] == "Lynne Robbins")["onPremisesProvisioningErrors"] = []
        made.emulator.store.touch()
        await pilot.press("r")  # contacts still refused: this scan is compared with the last
        await loaded(pilot)
        resolved = notices(app, "resolved")
        assert resolved == ["Lynne Robbins: proxy address conflict resolved"]


async def test_the_filter_finds_what_the_value_column_shows_of_a_service_error(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"ex5e1c")  # the error code at the start of Emeka's VALUE cell
        await pilot.pause()
        assert names(app) == ["Emeka Murphy"]


async def test_an_export_of_the_whole_list_says_complete_and_one_missing_a_kind_says_partial(dashboard, tmp_path):
    for faults, scope in ((None, "complete scan"), (Faults(deny={"contacts": 403}), "partial list")):
        app = dashboard(faults=faults).app
        target = tmp_path / f"{scope}.md"
        async with app.run_test(size=(160, 48)) as pilot:
            await loaded(pilot)
            await pilot.press("e")
            app.screen.query_one("#path", Input).value = str(target)
            await pilot.press("enter")
            await pilot.pause()
        assert scope in target.read_text(encoding="utf-8").split("\n## ")[0]


async def test_a_last_sync_over_two_hours_ago_is_drawn_in_the_warning_colour(dashboard):
    from datetime import timedelta

    for hours, warned in ((1, False), (5, True)):
        data = build_demo_tenant(FROZEN_NOW)
        then = FROZEN_NOW - timedelta(hours=hours)
        data["organization"][0]["onPremisesLastSyncDateTime"] = then.strftime("%Y-%m-%dT%H:%M:%SZ")
        app = dashboard(tenant=data).app
        async with app.run_test(size=(160, 48)) as pilot:
            await loaded(pilot)
            shown = app.query_one("StatusBar").shown
            start = shown.plain.index("last sync")
            styles = [span.style for span in shown.spans if span.start <= start < span.end]
            assert (status_colours(app)["warning"] in styles) is warned, (hours, styles)


async def test_a_refresh_keeps_the_cursor_on_its_object_and_the_scroll_where_it_was(dashboard):
    data = build_demo_tenant(FROZEN_NOW)
    made = dashboard(tenant=data)
    app = made.app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press(*["j"] * 20, *["k"] * 5)  # scrolled down, the cursor mid-screen
        error_list = app.query_one(ErrorList)
        chosen, top = error_list.highlighted.id, error_list.scroll_y
        assert top > 0
        ann_gets_a_conflict(data, when="2026-11-24T11:59:00Z")  # the newest: on top
        made.emulator.store.touch()
        await pilot.press("r")
        await loaded(pilot)
        assert "Ann Lee" in names(app)
        assert error_list.highlighted.id == chosen and error_list.scroll_y == top


async def test_a_filter_that_leaves_nothing_stops_the_checklist_waiting(dashboard, tmp_path):
    slow = await cached_then_slow(dashboard, tmp_path, latency=1.0)
    async with slow.app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert slow.app.query_one(ChecklistPane).running  # the first object's lookup under way
        await pilot.press("slash", *"no such object")
        await pilot.pause()
        assert not slow.app.query_one(ChecklistPane).running
        assert "Select an object" in checklist_text(slow.app)


async def test_c_copies_and_o_shows_the_admin_center_link(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        assert app.clipboard == app.state.selected.upn
        await pilot.press("o")
        assert isinstance(app.screen, LinkScreen)
        assert app.clipboard.startswith("https://entra.microsoft.com/") and app.state.selected.id in app.clipboard
        await pilot.press("escape")
        assert not isinstance(app.screen, LinkScreen)


async def test_e_exports_the_current_view(dashboard, tmp_path):
    app = dashboard().app
    target = tmp_path / "export.md"
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("2", "e")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")  # the file name has the focus: Enter writes
        await pilot.pause()
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Directory sync errors in Contoso")
    assert "partial list" in text.split("\n## ")[0]  # users only: not the complete scan
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings and all("(user," in line for line in headings)


async def test_help_lists_every_key_with_its_id(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {binding_id for _, _, binding_id in app.screen.rows}
        from syncdash.ui.bindings import binding_ids

        assert binding_ids() <= ids  # every remappable key, the dialogs' too
        assert {"app.palette", "checklist.down", "detail.page_up", "note.save"} <= ids
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_the_checklist_moves_with_the_lists_keys_and_the_palette_can_be_remapped(dashboard):
    app = dashboard(keymap={"app.palette": "ctrl+o"}).app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("tab", "tab")  # the checklist: its first manual check
        checklist = app.query_one(ChecklistPane)
        first = checklist.highlighted
        await pilot.press("j")
        assert checklist.highlighted > first
        await pilot.press("G")
        last = checklist.highlighted
        assert last == max(i for i, option in enumerate(checklist.options) if not option.disabled)
        await pilot.press("k", "g")  # the top: step 1's first finding (findings can be copied)
        assert checklist.highlighted == min(i for i, option in enumerate(checklist.options) if not option.disabled)
        assert checklist.highlighted < first
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_keys_can_be_remapped_by_binding_id(dashboard):
    app = dashboard(keymap={"app.refresh": "ctrl+r", "list.down": "down,ctrl+n"}).app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+n")
        assert app.query_one(ErrorList).cursor == 1
        await pilot.press("question_mark")  # help shows the keys as remapped
        keys = {binding_id: shown for shown, _, binding_id in app.screen.rows}
        assert keys["app.refresh"] == "^r" and "^n" in keys["list.down"], keys


def test_an_unknown_binding_id_in_the_config_is_one_line_and_exit_two(capsys, tmp_path):
    from syncdash.cli import main

    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"app.nosuch" = "ctrl+q"\n', encoding="utf-8")
    assert main(["--config", str(config), "--demo"]) == 2
    assert "[keys] 'app.nosuch' is not a binding id" in capsys.readouterr().err


async def test_palette_jumps_to_an_object(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"Pradeep")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(ErrorList).highlighted.cells[1] == "Pradeep Gupta"


async def test_the_empty_palette_offers_the_top_objects_and_to_matches_by_name_only(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        options = app.screen.query_one("CommandList")
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [line.split("\n")[0] for line in shown if line.startswith("Jump to ")][:2] == [
            "Jump to Lynne Robbins  lynne.robbins@contoso.com", "Jump to Joni Sherman  joni.sherman@contoso.com"]
        await pilot.press(*"to")
        await pilot.pause(0.5)
        jumps = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert 0 < sum(line.startswith("Jump to") for line in jumps) < len(names(app))  # not every row


async def test_q_quits(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("q")
    assert app.return_code == 0


async def test_hostile_directory_text_is_shown_literally_and_harms_nothing(dashboard):
    hostile = [
        "[/x] broken markup",
        "[@click=app.quit]click me[/]",
        "\x1b[31mred\x1b]8;;http://evil\x07link\x1b]8;;\x07 \x9b2J",
        "\u202egnp.exe\u202c admin",
        "A" * 10000,
    ]
    users = [
        user(name, f"hostile{i}@contoso.com",
             onPremisesProvisioningErrors=[conflict("ProxyAddress", f"smtp:{name[:50]}@contoso.com")])
        for i, name in enumerate(hostile)
    ]
    app = dashboard(tenant=tenant(users=users)).app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        error_list = app.query_one(ErrorList)
        lines = [error_list.render_line(y).text for y in range(1, 7)]
        screen = "\n".join(lines)
        assert "[@click=app.quit]click me[/]" in screen and "[/x] broken markup" in screen
        assert all(ch not in screen for ch in ("\x1b", "\x9b", "\u202e", "\x07"))
        assert max(len(line) for line in lines) <= 160
        for _ in hostile:
            await pilot.press("down", "enter", "tab", "tab")
            await pilot.pause()
        detail = detail_text(app)
        assert "\x1b" not in detail and "\u202e" not in detail
        assert app.is_running
        huge = next(row for row in error_list.rows if row.cells[1].startswith("AAAA"))
        error_list.show(error_list.rows, keep=huge.id)
        await pilot.pause()
        assert "A" * 5000 in detail_text(app).replace("\n", "").replace(" ", "")  # whole in the detail
        assert app.is_running
        await pilot.press("slash", *"[/x]")  # typed or pasted into the filter, shown in the list's title
        await pilot.pause()
        title = Content.from_markup(app.query_one("#list-pane").border_title).plain  # as drawn
        assert "filter '[/x]'" in title and app.is_running
        await pilot.press("escape", "ctrl+p", *"click")  # the palette lists names and values as they are
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one("CommandList")
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("[@click=app.quit]click me[/]" in line for line in shown), shown
        await pilot.press("escape", "ctrl+p", *"broken")
        await pilot.pause(0.3)
        assert app.is_running


async def test_every_shipped_theme_runs_the_dashboard(dashboard):
    from syncdash.ui.themes import load_themes, shipped_theme_dirs

    for theme in load_themes(shipped_theme_dirs())[0]:
        app = dashboard(theme=theme.name).app
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded(pilot)
            assert app.theme == theme.name
            assert "Contoso" in status_text(app) and len(names(app)) == 29
            if not theme.ansi:  # drawn in the theme's own colours, not in those of Textual's default
                assert app.query_one("StatusBar").styles.background == Color.parse(theme.panel)


async def test_an_unknown_theme_falls_back_with_a_warning_and_the_choice_persists(dashboard, tmp_path):
    made = dashboard(theme="no-such-theme", store_dir=tmp_path / "prefs")
    async with made.app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert made.app.theme == "syncdash-dark"
        warned = notices(made.app, "no-such-theme")
        assert warned and "(themes: ansi, high-contrast, syncdash-dark, syncdash-light)" in warned[0]
        made.app.theme = "high-contrast"
        await pilot.pause()
    made.store.close()
    again = dashboard(store_dir=tmp_path / "prefs")
    async with again.app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert again.app.theme == "high-contrast"


async def test_the_key_bar_names_the_focused_panes_keys_each_whole_at_80_columns(dashboard):
    app = dashboard(keymap={"app.raw_xml": "X"}).app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        bar = app.query_one(KeyBar)
        seen = {}
        for pane in ("list", "detail", "checklist"):
            seen[pane] = bar.shown.plain
            assert len(seen[pane]) <= 78 and seen[pane].endswith("q Quit  ? Help"), seen[pane]
            assert "tab Pane" in seen[pane]  # the only way to the other panes below 100 columns
            await pilot.press("tab")
            await pilot.pause()
        assert "⏎ Open" in seen["list"] and "1–4 Kind" in seen["list"] and "Tick" not in seen["list"]
        assert "↓/↑ Scroll" in seen["detail"] and "X Raw XML" in seen["detail"]  # as remapped
        assert "space Tick" in seen["checklist"] and "n Note" in seen["checklist"]
        await pilot.press("slash")
        await pilot.pause()
        assert bar.shown.plain == "⏎ Done  esc Clear  tab Pane"  # q, r, e, ? type letters here
        await pilot.press("escape", "escape", "n")  # the note editor: its own keys only
        await pilot.pause()
        assert bar.shown.plain == "^s Save note  esc Cancel"
        await pilot.press("escape")
        await pilot.pause()
        assert bar.shown.plain.endswith("q Quit  ? Help")


async def test_a_theme_chosen_at_start_persists_and_only_checked_themes_are_offered(dashboard, tmp_path):
    from syncdash.ui.themes import load_themes, shipped_theme_dirs

    made = dashboard(theme="ansi", store_dir=tmp_path / "prefs")
    async with made.app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        # Textual's own themes (nord, gruvbox…) were never checked for readable status colours
        assert set(made.app.available_themes) == {t.name for t in load_themes(shipped_theme_dirs())[0]}
        assert made.app.has_class("-theme-ansi") and made.app.native_ansi_color  # terminal colours, unconverted
    made.store.close()
    again = dashboard(store_dir=tmp_path / "prefs")
    async with again.app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert again.app.theme == "ansi"


async def test_the_first_frame_is_announced_once_with_the_panes_laid_out(dashboard):
    calls: list[int] = []
    made = dashboard(on_first_frame=lambda: calls.append(made.app.query_one(ErrorList).size.height))
    async with made.app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("r")
        await loaded(pilot)
    assert len(calls) == 1 and calls[0] > 0


async def test_throttling_shows_in_the_header_while_it_lasts(dashboard):
    made = dashboard(faults=Faults(throttle_rate=1.0, retry_after="0.4"))
    app = made.app
    async with app.run_test(size=(80, 24)) as pilot:  # narrow, and scanning: the reason must still fit
        for _ in range(100):  # every request is refused until the fault is lifted
            if "throttled" in status_text(app):
                break
            await pilot.pause(0.05)
        assert "throttled, retrying in 0.4 s" in status_text(app)
        assert app.query_one("StatusBar").size.height == len(status_text(app).splitlines()) <= 3
        await pilot.pause(1.0)  # a few more refused retries
        made.emulator.faults.throttle_rate = 0.0
        await loaded(pilot)
        assert "throttled" not in status_text(app) and len(names(app)) == 29
        assert made.emulator.early_requests == 0
        told = notices(app, "throttling")
        assert told == ["Graph is throttling syncdash: retrying in 0.4 s; the list on screen stays."]


async def test_x_shows_the_raw_xml_of_service_errors(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *DEMO_SCENARIOS["service-error"], "enter")
        assert "<ErrorRecord>" not in detail_text(app) and "(x: raw XML)" in detail_text(app)
        narrow = detail_text(app, width=74).splitlines()  # the detail's width at 80 columns
        heading = next(i for i, line in enumerate(narrow) if line.startswith("exchange/"))
        assert narrow[heading + 1].startswith("  Ex") and len(narrow[heading + 1].rstrip()) > 40  # not squeezed
        await pilot.press("x")
        assert "<ErrorRecord>" in detail_text(app)


async def test_a_kind_the_app_may_not_read_is_named_in_the_header(dashboard):
    app = dashboard(faults=Faults(deny={"contacts": 403, "directory/deletedItems": 403})).app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        status = status_text(app)
        assert "partial" in status and "OrgContact.Read.All" in status
        assert {row.kind.value for row in app.query_one(ErrorList).rows} == {"user", "group"}


async def test_the_palette_switches_profile_without_restarting(dashboard):
    from syncdash.emulator.service import GraphEmulator
    from syncdash.emulator.tenant import TenantStore
    from syncdash.emulator.transport import EmulatorTransport
    from syncdash.graph.client import build_client
    from syncdash.config import Settings
    from syncdash.sources import Source

    other = GraphEmulator(TenantStore(tenant(users=[
        user("Fabrikam Fay", "fay@fabrikam.com", onPremisesProvisioningErrors=[conflict("ProxyAddress", "smtp:f@x.com")])])))

    def fabrikam() -> tuple[Source, Settings]:
        from syncdash.config import Config, Profile, resolve_settings

        profile = Profile(name="fabrikam", refresh=120, theme="syncdash-light")
        return Source("profile:fabrikam", lambda hooks: build_client(
            "https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(other)),
            profile=profile), resolve_settings(Config(), profile, environ={})

    made = dashboard(profiles={"fabrikam": fabrikam})
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("tab", "tab", "space")  # a tick on Contoso's first object
        contoso_ticks = made.store.ticks("test", app.state.selected.id)
        await pilot.press("ctrl+p", *"profile fabrikam")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await loaded(pilot)
        assert names(app) == ["Fabrikam Fay"] and app.tenant_key == "profile:fabrikam"
        assert made.store.ticks("profile:fabrikam", app.state.selected.id) == frozenset()
        assert contoso_ticks and "1 user · 0 groups · 0 contacts" in status_text(app)
        assert (app.refresh_interval, app.theme, app.permissions) == (120, "syncdash-light", None)  # the profile's own


async def test_refreshes_follow_delta_links_and_restarts_reuse_the_mirror(dashboard, tmp_path):
    data = build_demo_tenant(FROZEN_NOW)
    first = dashboard(tenant=data, store_dir=tmp_path / "mirror")
    async with first.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        before = len(first.emulator.requests)
        await pilot.press("r")
        await loaded(pilot)
        again = first.emulator.requests[before:]
        full_reads = [r for r in again if r.path.endswith(("/users", "/groups", "/contacts"))]
        assert full_reads == [] and len([r for r in again if "/delta" in r.path]) == 3
    first.store.close()
    second = dashboard(tenant=data, store_dir=tmp_path / "mirror")
    async with second.app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        assert len(names(second.app)) == 29
        full_reads = [r for r in second.emulator.requests
                      if r.path.endswith(("/users", "/groups", "/contacts")) and "$filter" not in r.query]
        assert full_reads == []  # the saved mirror's delta links, not a full read


async def test_esc_backs_out_of_a_pane_and_another_object_opens_at_its_top(dashboard):
    from syncdash.ui.widgets.detail_pane import DetailPane

    app = dashboard().app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")  # narrow: the detail pane alone
        detail = app.query_one(DetailPane)
        assert app.focused is detail
        await pilot.press("j", "j", "j", "j")
        await pilot.pause()
        assert detail.scroll_y > 0
        await pilot.press("escape")
        assert isinstance(app.focused, ErrorList) and app.query_one("#list-pane").has_class("-active")
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.focused is detail and detail.scroll_y == 0
        await pilot.press("tab", "escape")  # from the checklist too
        assert isinstance(app.focused, ErrorList)


async def test_an_unexpected_failure_is_shown_and_the_refresh_goes_on(tmp_path):
    from syncdash.store import Store
    from syncdash.ui.app import SyncdashApp

    attempts = []

    def broken(_hooks):  # type: ignore[no-untyped-def]
        attempts.append(1)
        raise RuntimeError("a library's surprise")

    store = Store(tmp_path / "c", tmp_path / "d")
    app = SyncdashApp(broken, tenant_key="t", store=store, refresh=1, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(2.5)
        assert "unexpected error: RuntimeError: a library's surprise" in status_text(app)
        assert len(attempts) >= 2 and app.is_running  # the next refresh was scheduled
    store.close()


async def test_a_lookup_that_fails_says_so_in_the_checklist_and_r_retries(dashboard, tmp_path):
    """The cached list's object is looked up before Graph has answered anything; when
    that lookup fails, its checklist says why instead of spinning on."""
    slow = await cached_then_slow(dashboard, tmp_path, latency=0.05, deny={"$batch": 403})
    async with slow.app.run_test(size=(160, 48)) as pilot:
        for _ in range(400):
            if "could not run" in checklist_text(slow.app):
                break
            await pilot.pause(0.05)
        text = checklist_text(slow.app)
        assert "The three steps could not run" in text and "r retries" in text, text
        assert not slow.app.query_one(ChecklistPane).running
