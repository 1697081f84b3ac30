"""An admin's first hour at the keyboard (issue 15): what a k9s or lazygit user expects
of the keys, and what the screen must never claim."""

from __future__ import annotations

from conftest import choose, settle

from syncdash.emulator.faults import Faults
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane
from syncdash.ui.widgets.error_list import ErrorList


def rendered(renderable, width: int) -> str:  # type: ignore[no-untyped-def]
    """What a pane draws at ``width`` cells, as plain text."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


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


def test_ticks_and_notes_travel_into_check_and_report(capsys, monkeypatch):
    import json
    from datetime import datetime, timezone

    from syncdash.cli import main
    from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS
    from syncdash.store import Store

    upn = DEMO_SCENARIOS["conflict-holder-deleted"]
    main(["--demo", "check", upn, "--format", "json"])
    object_id = json.loads(capsys.readouterr().out)["object"]["id"]
    store = Store(cache=False)
    when = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
    store.set_tick("demo", object_id, "1:m365-sync-status", True, at=when)
    store.set_note("demo", object_id, "INC-4711: asked the AD team to remove the alias")
    store.close()

    main(["--demo", "check", upn, "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    manual = {m["key"]: m for m in result["steps"][0]["manual"]}
    assert manual["m365-sync-status"]["done"] is True
    assert manual["m365-sync-status"]["doneAt"] == "2026-11-30T09:15:00Z"
    assert manual["connect-health"]["done"] is False and manual["connect-health"]["doneAt"] is None
    assert result["object"]["note"].startswith("INC-4711")

    main(["--demo", "check", upn])
    text = capsys.readouterr().out
    assert "note: INC-4711" in text and "[x] Microsoft 365 admin center" in text and "(done 2026-11-30 09:15 UTC)" in text

    main(["--demo", "report", "--format", "json"])
    megan = next(o for o in json.loads(capsys.readouterr().out)["objects"] if o["id"] == object_id)
    assert megan["note"].startswith("INC-4711") and megan["done"][0]["key"] == "m365-sync-status"
    main(["--demo", "report", "--format", "markdown"])
    assert "**note**: INC-4711" in capsys.readouterr().out
    main(["--demo", "report", "--format", "csv"])
    out = capsys.readouterr().out
    assert "INC-4711" in out and "m365-sync-status 2026-11-30T09:15:00Z" in out
    monkeypatch.delenv("COLUMNS", raising=False)
    main(["--demo", "report"])  # the table: a NOTE column (a line a row, to a pipe)
    out = capsys.readouterr().out
    assert "NOTE" in out and "INC-4711: asked the AD team" in out
    assert "DONE" in out and "1/" in out and "checks, last 2026-11-30 09:15" in out
    monkeypatch.setenv("COLUMNS", "80")
    main(["--demo", "report"])  # a narrow terminal: a note line under the object
    out = capsys.readouterr().out
    assert "    note: INC-4711" in out and "    done: 1/" in out


async def test_esc_asks_before_it_throws_away_a_typed_note(dashboard):
    from syncdash.ui.screens.prompts import NoteScreen

    made = dashboard()
    app = made.app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"half a ticket number", "escape")
        assert isinstance(app.screen, NoteScreen), "one Esc threw the typed note away"
        assert "Unsaved changes" in str(app.screen.query_one("#unsaved").render())
        await pilot.press("ctrl+s")
        assert made.store.note("test", app.state.selected.id) == "half a ticket number"
        await pilot.press("n", "escape")  # nothing typed: one Esc closes
        assert not isinstance(app.screen, NoteScreen)
        await pilot.press("n", *" more", "escape", "escape")  # asked, then discarded
        assert not isinstance(app.screen, NoteScreen)
        assert made.store.note("test", app.state.selected.id) == "half a ticket number"


def test_an_empty_check_is_a_usage_error_and_every_command_explains_itself(capsys):
    import pytest

    from syncdash.cli import main

    assert main(["--demo", "check", "  "]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "check needs an object" in err
    for command in ("report", "check"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        shown = capsys.readouterr().out
        assert "exit codes: 0" in shown and "--format" in shown and "default" in shown


async def test_another_object_opens_its_checklist_at_the_top(dashboard):
    app = dashboard().app
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "G")  # the checklist, scrolled to its last check
        checklist = app.query_one(ChecklistPane)
        await pilot.pause()
        assert checklist.scroll_y > 0
        await pilot.press("escape", "j")  # back to the list, the next object
        await settle(pilot)
        assert checklist.scroll_y == 0


async def test_one_arrow_meaning_and_a_key_per_column(dashboard):
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        pane = app.query_one("#list-pane")
        error_list = app.query_one(ErrorList)
        assert pane.border_subtitle == "sorted by SINCE UTC ↓ newest first"
        await pilot.press("N")  # display name, A to Z: low to high, so ↑
        names = [row.cells[1].casefold() for row in error_list.rows]
        assert names == sorted(names) and error_list.titles[1] == "↑DISPLAY NAME"
        assert pane.border_subtitle == "sorted by DISPLAY NAME ↑ low to high"
        await pilot.press("N")  # again: reversed
        names = [row.cells[1].casefold() for row in error_list.rows]
        assert names == sorted(names, reverse=True) and error_list.titles[1] == "↓DISPLAY NAME"
        await pilot.press("A")
        assert error_list.titles[5] == "↓SINCE UTC"


async def test_the_export_dialog_writes_after_a_format_is_chosen(dashboard, tmp_path):
    from textual.widgets import Input, Select

    from syncdash.ui.screens.prompts import ExportScreen

    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#path", Input).value = str(tmp_path / "out.md")
        await pilot.press("shift+tab")  # to the format list
        assert isinstance(app.focused, Select)
        await pilot.press("enter", "down", "enter")  # open it, take the next format
        await pilot.pause()
        assert isinstance(app.focused, Input), "Enter on the format list would open it again"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
    written = list(tmp_path.glob("out.*"))
    assert len(written) == 1 and written[0].suffix != ".md"


def test_an_export_goes_home_when_the_folder_is_not_writable(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    from syncdash.ui.exporting import export_folder

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    assert export_folder() == checkout
    # as the admin's account sees a read-only checkout (root's access() would say yes to anything)
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != checkout)
    assert export_folder() == Path.home()


async def test_copy_follows_the_focus_and_says_what_it_copied(dashboard):
    from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS

    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await choose(app, pilot, "proxy-conflict-user-user")
        await pilot.press("escape", "c")  # the list: the UPN
        assert app.clipboard == DEMO_SCENARIOS["proxy-conflict-user-user"]
        await pilot.press("tab", "c")  # the detail: the object id
        assert app.clipboard == app.state.selected.id
        await pilot.press("tab")  # the checklist, on its first manual check
        checklist = app.query_one(ChecklistPane)
        await pilot.press("c")
        assert app.clipboard.startswith("Microsoft 365 admin center")
        for _ in range(20):  # up to step 2's finding
            if (checklist.highlighted_option.id or "").startswith("finding:2:"):
                break
            await pilot.press("k")
        await pilot.press("c")
        assert app.clipboard.startswith("Set-ADUser -Identity") and "-Remove @{proxyAddresses=" in app.clipboard
        assert any("Copied the suggestion" in n.message for n in app._notifications)
        await pilot.press("space")  # a finding is not a check: nothing ticks
        assert not app.store.ticks("test", app.state.selected.id)


def test_the_report_fits_the_terminal_and_never_breaks_an_identifier(capsys, monkeypatch):
    import json

    from syncdash.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    main(["--demo", "report"])
    out = capsys.readouterr().out
    main(["--demo", "report", "--format", "json"])
    identities = {o["userPrincipalName"] or o["mail"] for o in json.loads(capsys.readouterr().out)["objects"]}
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert all(any(identity in line for line in lines) for identity in identities if len(identity) < 70)
    assert "held by Joni Sherman (Litware)" in out  # the other holder, named

    monkeypatch.delenv("COLUMNS")
    main(["--demo", "report"])  # to a pipe: a line a row, with the holder column
    header = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("KIND"))
    assert "HELD BY" in header and "…" not in header


def test_markdown_has_one_title_and_commands_as_they_must_be_typed(capsys):
    from syncdash.cli import main
    from syncdash.export.formats import code_span

    main(["--demo", "report", "--format", "markdown"])
    out = capsys.readouterr().out
    assert out.count("\n# ") + out.startswith("# ") == 1 and out.startswith("# Directory sync errors in Contoso")
    assert "suggestion (review before running): `Set-ADUser -Identity" in out
    assert code_span("Write-Host `$x") == "``Write-Host `$x``" and code_span("a") == "`a`"


async def test_at_120_columns_the_detail_keeps_every_identifier_whole(dashboard):

    app = dashboard().app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        obj = app.state.selected
        pane = app.query_one(DetailPane)
        lines = rendered(pane.shown, pane.content_region.width).splitlines()
        assert any(obj.id in line for line in lines), "the object id was broken across lines"
        for value in (obj.upn, obj.mail, obj.immutable_id, *obj.proxy_addresses):
            assert not value or any(value in line for line in lines), value


async def test_v_compares_the_object_and_its_holders_side_by_side_at_80_columns(dashboard):
    from syncdash.ui.screens.compare import CompareScreen

    app = dashboard().app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await choose(app, pilot, "proxy-conflict-user-contact")
        await pilot.press("v")
        assert isinstance(app.screen, CompareScreen)
        text = rendered(app.screen.shown, 78)
        assert "Conflicting value: smtp:jsherman@contoso.com" in text
        assert "this object" in text and "Joni Sherman (Litware)" in text
        assert "≠ kind" in text and "contact" in text  # a user against a contact: marked as differing
        assert "joni.sherman@contoso.com" in text and "joni.sherman@litwareinc.com" in text  # identifiers whole at 80 columns
        await pilot.press("escape")
        assert not isinstance(app.screen, CompareScreen)


def test_check_and_markdown_show_the_sides_as_a_table(capsys):
    from syncdash.cli import main
    from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS

    main(["--demo", "check", DEMO_SCENARIOS["proxy-conflict-user-contact"]])
    out = capsys.readouterr().out
    assert "side by side, 'smtp:jsherman@contoso.com':" in out and "≠ kind" in out
    main(["--demo", "report", "--format", "markdown"])
    out = capsys.readouterr().out
    assert "Side by side, `smtp:jsherman@contoso.com`" in out and "| ≠ kind | user | contact |" in out


def test_a_typo_gets_did_you_mean_with_ids(capsys):
    import json

    from syncdash.cli import main
    from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS

    main(["--demo", "check", DEMO_SCENARIOS["conflict-holder-deleted"], "--format", "json"])
    megan = json.loads(capsys.readouterr().out)["object"]
    assert main(["--demo", "check", "Megan Bowne"]) == 1
    err = capsys.readouterr().err
    assert "did you mean" in err and megan["id"] in err and "Megan Bowen" in err
    main(["--demo", "check", "Zz Nobody At All"])
    assert "did you mean" not in capsys.readouterr().err


async def test_notifications_sit_on_the_header_not_on_the_panes(dashboard):
    from textual.widgets._toast import Toast

    app = dashboard().app
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.notify("Ann Lee: UPN conflict resolved", markup=False)
        await pilot.pause(0.2)
        toasts = [w for w in app.screen.walk_children(with_self=False) if isinstance(w, Toast)]
        assert toasts, "no notification shown"
        toast = toasts[0]
        status = app.query_one("StatusBar").region
        assert toast.region.y < status.bottom and toast.region.height == 1


async def test_the_summary_opens_the_list_and_a_day_of_history_is_kept(dashboard):
    from datetime import timedelta

    from textual.widgets import Static

    made = dashboard()
    app = made.app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(100):  # the list is saved (with the day's count) in a worker
            if made.store.history("test"):
                break
            await pilot.pause(0.05)
        summary = str(app.query_one("#summary", Static).render())
        assert "proxy" in summary and "UPN" in summary and "users" in summary
    assert made.store.history("test") == [len(app.state.objects)]
    day = app.clock().date()
    made.store.record_count("test", (day - timedelta(days=1)).isoformat(), 40)
    made.store.record_count("test", day.isoformat(), 29)  # the same day again: replaced
    assert made.store.history("test") == [40, 29]


def test_the_report_opens_with_the_summary(capsys):
    from syncdash.cli import main

    main(["--demo", "report"])
    out = capsys.readouterr().out
    summary = next(line for line in out.splitlines() if "▇" in line)
    assert summary.startswith("proxy ") and "export" in summary and "30 users" in out  # wrapped where narrow
    main(["--demo", "report", "--format", "markdown"])
    assert "proxy 21 ▇" in capsys.readouterr().out


async def test_a_suggestion_on_screen_runs_as_it_reads_when_selected_and_pasted(dashboard):
    """At 120×40 the checklist is ~58 columns: the suggestion breaks only outside its
    strings, each line continued with a backtick, so pasting the lines runs the command."""
    import re

    app = dashboard().app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        checklist = app.query_one(ChecklistPane)
        long = [(option_id, f) for option_id, f in checklist._findings.items() if f.powershell]
        for row in app.query_one(ErrorList).rows:
            if any(len(f.powershell or "") > checklist.content_region.width for _, f in long):
                break
            app.jump_to(row.id)
            await settle(pilot)
            long = [(option_id, f) for option_id, f in checklist._findings.items() if f.powershell]
        option_id, finding = next((o, f) for o, f in long if len(f.powershell) > checklist.content_region.width)
        text = rendered(checklist.get_option(option_id).prompt, checklist.content_region.width)
        command = text[text.index("suggestion:") + len("suggestion:"):].strip().splitlines()
        assert len(command) > 1 and all(line.rstrip().endswith("`") for line in command[:-1])
        strings = re.findall(r"'(?:[^']|'')*'", finding.powershell)
        assert strings and all(any(string in line for line in command) for string in strings)  # never broken
        pasted = "".join(line.strip().removesuffix("`") for line in command)  # PowerShell: an escaped line end
        assert pasted.replace(" ", "") == finding.powershell.replace(" ", "")


async def test_the_checklist_never_breaks_a_dn_component_or_an_address(dashboard):
    """Findings name the other holder's DN and addresses: at 120×40 (a 46-column pane)
    they wrap between a DN's components, never inside one."""
    import re


    app = dashboard(health=True).app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(app, pilot, "proxy-conflict-user-user")
        checklist = app.query_one(ChecklistPane)
        named = [(option_id, r) for option_id, f in checklist._findings.items() for r in f.related
                 if r.distinguished_name and r.distinguished_name in f.message]
        assert named, "the demo's Connect Health names the existing object's DN"
        for option_id, related in named:
            lines = rendered(checklist.get_option(option_id).prompt, checklist.content_region.width).splitlines()
            for part in [*re.split(r"[ ,]", related.distinguished_name), related.identity]:
                assert any(part in line for line in lines), part


async def test_with_ad_read_the_detail_shows_the_object_as_ad_holds_it_and_compare_names_ad_holders(dashboard):
    """Issue 17 in the dashboard: the on-premises side of the chosen object (where AD was
    read, its OU, its anchor against Entra ID's), AD holders in the compare view, and the
    export named in the header."""
    from syncdash.ui.screens.compare import CompareScreen
    from syncdash.ui.widgets.status_bar import StatusBar

    app = dashboard(ad=True).app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await choose(app, pilot, "proxy-conflict-user-user")
        pane = app.query_one(DetailPane)
        text = rendered(pane.shown, pane.content_region.width)
        assert "On-premises AD  (contoso-onprem.ldf)" in text
        assert "(= Entra ID's immutableId)" in text and "its anchor" in text
        assert "also holds smtp:isaiah@contoso.com" in text and "CN=Isaiah Brooks,OU=Users,OU=Redmond" in text
        assert "AD contoso-onprem.ldf: " in app.query_one(StatusBar).shown.plain
        await pilot.press("v")
        assert isinstance(app.screen, CompareScreen)
        compared = rendered(app.screen.shown, 150)
        # the AD holder with Isaiah Brooks's anchor is his source: one column, read from both
        assert "Isaiah Brooks (AD)" not in compared and "Graph, On-premises AD" in compared


async def test_a_opens_the_on_premises_audit_filterable_like_the_list(dashboard):
    from syncdash.emulator.scenarios.onprem_demo import ONPREM_SCENARIOS
    from syncdash.ui.screens.audit import AuditList, AuditScreen

    app = dashboard(ad=True).app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        for _ in range(100):
            if isinstance(app.screen, AuditScreen):
                break
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        listing = screen.query_one(AuditList)
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert {code for code in ONPREM_SCENARIOS} <= {code for line in lines for code in ONPREM_SCENARIOS if code in line}
        await pilot.press("slash", *"priya")
        await pilot.pause()
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert shown and all("Priya" in line for line in shown) and len(shown) < len(lines)
        await pilot.press("enter", "c")
        assert app.clipboard.startswith("Set-ADUser -Identity 'CN=Priya Sh")
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, AuditScreen)


async def test_without_ad_the_audit_key_says_how_to_read_it(dashboard):
    app = dashboard().app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert any("--ad-export" in n.message for n in app._notifications)
