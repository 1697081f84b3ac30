"""What a live refresh costs the tenant: a quiet tenant one request a kind, at low
throttle priority; the status and recycle bin in one extra ``$batch`` only when due."""

from __future__ import annotations

from conftest import settle

from syncdash.ui.app import STATUS_EVERY


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
        app._snapshot_at -= STATUS_EVERY + 1
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
