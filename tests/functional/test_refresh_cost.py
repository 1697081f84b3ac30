"""What a live refresh costs the tenant: a quiet tenant one request a kind, at low
throttle priority; the status and recycle bin in one extra ``$batch`` only when due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import FROZEN_NOW, settle

from syncdash.pipeline import STATUS_EVERY


def _since(emulator, start: int):  # type: ignore[no-untyped-def]
    return emulator.requests[start:]


async def test_a_quiet_scheduled_refresh_costs_one_low_priority_delta_request_a_kind(dashboard):
    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        start = len(made.emulator.requests)
        app.refresh_tenant()  # what the timer calls
        await settle(pilot)
        sent = _since(made.emulator, start)
        assert sorted(r.path for r in sent) == ["/v1.0/contacts/delta()", "/v1.0/groups/delta()", "/v1.0/users/delta()"]
        assert all(r.headers.get("x-ms-throttle-priority") == "low" for r in sent)
        assert all(r.headers.get("prefer") == "return=minimal" for r in sent)
        assert len(app.query_one("ErrorList").rows) == 29

        # once STATUS_EVERY has passed, the status and the bin come back in one $batch
        app.session.reader._snapshot_at -= STATUS_EVERY + 1
        start = len(made.emulator.requests)
        app.refresh_tenant()
        await settle(pilot)
        sent = _since(made.emulator, start)
        assert len(sent) == 4 and [r.path for r in sent].count("/v1.0/$batch") == 1
        assert all(r.headers.get("x-ms-throttle-priority") == "low" for r in sent)


async def test_a_change_rereads_the_status_and_an_asked_refresh_is_not_low_priority(dashboard):
    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        data = made.emulator.store.snapshot()
        data["users"][0]["displayName"] = "Renamed On Premises"
        made.emulator.store.touch()
        start = len(made.emulator.requests)
        app.refresh_tenant()
        await settle(pilot)
        sent = _since(made.emulator, start)
        assert [r.path for r in sent].count("/v1.0/$batch") == 1 and len(sent) == 4

        start = len(made.emulator.requests)
        await pilot.press("r")  # the admin asked: full priority, status read at once
        await settle(pilot)
        sent = _since(made.emulator, start)
        assert "/v1.0/$batch" in [r.path for r in sent]
        assert not any("x-ms-throttle-priority" in r.headers for r in sent)


async def test_a_quiet_refresh_rebuilds_nothing_and_says_when_it_looked(dashboard):
    """At 100,000 objects in error a rebuild is a million new objects; a tenant the
    delta found unchanged keeps its list, cursor and index, and only the time moves."""
    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        index, rows, chosen = app.state.index, app.query_one("ErrorList").rows, app.state.selected
        later = FROZEN_NOW + timedelta(minutes=7)
        app.clock = lambda: later
        app.refresh_tenant()
        await settle(pilot)
        assert app.state.index is index and app.query_one("ErrorList").rows == rows and app.state.selected is chosen
        status = app.query_one("StatusBar").shown.plain
        assert f"{later:%H:%M}" in status and "complete" in status

        made.emulator.store.snapshot()["users"][0]["displayName"] = "Renamed On Premises"
        made.emulator.store.touch()
        app.refresh_tenant()
        await settle(pilot)
        assert app.state.index is not index  # a change still rebuilds


@pytest.mark.parametrize("connect", ["in-process"], indirect=True)
async def test_an_object_chosen_before_the_complete_scan_is_diagnosed_from_the_list_on_screen(connect):
    """The dashboard already holds the objects in error: the chosen object's lookups ask
    that list instead of listing every object in error again (at 100,000 objects in
    error, a hundred pages for every key press), and conclude the same."""
    from syncdash.diagnose.engine import diagnose
    from syncdash.emulator.scenarios.demo import build_demo_tenant
    from syncdash.graph.facts import gather_facts
    from syncdash.graph.index import DirectoryIndex
    from syncdash.graph.scan import scan_fast
    from syncdash.graph.tenant import read_tenant

    connected = connect(build_demo_tenant(FROZEN_NOW))
    client = connected.client
    tenant = await read_tenant(client)
    listed = (await scan_fast(client)).objects
    index = DirectoryIndex(listed)
    for obj in listed:
        start = len(connected.emulator.requests)
        from_list = await gather_facts(client, obj, query=obj.identity, tenant=tenant, now=FROZEN_NOW, listed=index)
        sent = connected.emulator.requests[start:]
        assert not any("$filter" in r.query and r.path.endswith(("/users", "/groups", "/contacts")) for r in sent)
        from_graph = await gather_facts(client, obj, query=obj.identity, tenant=tenant, now=FROZEN_NOW)
        assert diagnose(from_list) == diagnose(from_graph), obj.display_name
