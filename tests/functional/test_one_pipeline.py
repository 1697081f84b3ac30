"""Every front end concludes the same: the dashboard, ``report``, ``check`` and the
dashboard's export, for every object of the demo tenant."""

from __future__ import annotations

from conftest import FROZEN_NOW, settle
from textual.widgets import Input, Select

from syncdash.diagnose.findings import Diagnosis
from syncdash.emulator.transport import EmulatorTransport
from syncdash.export import formats
from syncdash.graph.client import build_client
from syncdash.pipeline import check_object, read_once
from syncdash.ui.screens.prompts import ExportScreen


def _read(diagnosis: Diagnosis | None) -> tuple[object, ...]:
    """What an admin reads of a diagnosis: each step's mark, its findings, what it could
    not check."""
    assert diagnosis is not None
    return tuple((step.status, tuple(f.code for f in step.findings), step.unknown) for step in diagnosis.steps)


async def test_dashboard_report_check_and_export_conclude_the_same_for_every_demo_object(dashboard, tmp_path):
    made = dashboard()
    client = build_client("https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(made.emulator))
    view = await read_once(client)
    reported = {d.object.id: _read(d) for d in view.diagnoses(FROZEN_NOW) if d.object is not None}
    assert len(reported) == len(view.in_error) > 20

    checked = {}
    for obj in view.in_error:
        outcome = await check_object(client, obj.id, FROZEN_NOW)
        checked[obj.id] = _read(outcome.diagnosis)
    assert checked == reported

    app = made.app
    target = tmp_path / "export.json"
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        on_screen = {}
        for obj in view.in_error:
            app.jump_to(obj.id)
            await pilot.pause()
            on_screen[obj.id] = _read(app.state.diagnosis)
        assert on_screen == reported

        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#format", Select).value = "json"
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(target)
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    expected = formats.render_report("json", view.status, view.complete, list(view.diagnoses(FROZEN_NOW)))
    assert target.read_text(encoding="utf-8") == expected
