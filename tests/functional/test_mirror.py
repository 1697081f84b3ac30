"""The delta-synced mirror, through the real SDK against the emulator's delta queries."""

from __future__ import annotations

import time

import pytest
from factories import conflict, contact, group, many_users, tenant, user

from syncdash.emulator.faults import Faults
from syncdash.graph.errors import PermissionDenied
from syncdash.graph.mirror import DELTA_LIFETIME, KindMirror, Mirror, _apply, refresh
from syncdash.model import ObjectKind


def _data(users: int = 2500) -> dict:
    return tenant(users=many_users(users), groups=[group("Sales", "sales@contoso.com")],
                  contacts=[contact("Partner", "p@fabrikam.com")])


def _delta_requests(emulator) -> list:  # type: ignore[no-untyped-def]
    return [r for r in emulator.requests if "/delta" in r.path]


async def test_the_first_refresh_takes_a_latest_link_then_lists_with_big_pages(connect):
    connected = connect(_data())
    mirror = Mirror()
    update = await refresh(connected.client, mirror)
    assert len(list(mirror.objects())) == 2502
    assert set(update.resynced) == set(ObjectKind)
    delta = _delta_requests(connected.emulator)
    latest = sorted((r.path.split("/")[2], r.status) for r in delta if r.query.get("$deltatoken") == "latest")
    # "latest" is documented for users and groups only: contacts refuse it and take a full delta round
    assert latest == [("contacts", 400), ("groups", 200), ("users", 200)]
    assert [r.path.split("/")[2] for r in delta if "$deltatoken" not in r.query] == ["contacts"]
    listings = [r for r in connected.emulator.requests if "/delta" not in r.path]
    assert len(listings) == 3 + 1  # users: ceil(2500 / 999) pages, groups 1


async def test_a_refresh_with_twenty_changes_costs_one_request_per_kind(connect):
    data = _data()
    connected = connect(data)
    mirror = Mirror()
    await refresh(connected.client, mirror)
    for item in data["users"][:18]:
        item["onPremisesProvisioningErrors"] = [conflict("ProxyAddress", f"smtp:{item['id']}@x.com")]
    removed = data["users"].pop(100)["id"]
    data["users"].append(user("New Hire", "new@contoso.com"))
    connected.emulator.store.touch()
    before = connected.emulator.count()
    update = await refresh(connected.client, mirror)
    assert connected.emulator.count() - before == 3
    assert update.removed == {removed} and len(update.changed) == 19 and update.resynced == ()
    by_name = {o.display_name: o for o in mirror.objects()}
    assert "New Hire" in by_name and sum(o.has_errors for o in mirror.objects()) == 18


async def test_delta_pages_are_followed_through_empty_pages(connect):
    data = _data(500)
    connected = connect(data, Faults(empty_pages=True))
    mirror = Mirror()
    await refresh(connected.client, mirror)
    for item in data["users"]:
        item["displayName"] += " (moved)"
    connected.emulator.store.touch()
    update = await refresh(connected.client, mirror)
    assert len(update.changed) == 500
    assert all(o.display_name.endswith("(moved)") for o in mirror.objects() if o.kind is ObjectKind.USER)
    assert any(r.path.endswith("delta()") and "$skiptoken" in r.query for r in connected.emulator.requests)


async def test_a_410_triggers_a_clean_resync(connect):
    data = _data(300)
    connected = connect(data)
    mirror = Mirror()
    await refresh(connected.client, mirror)
    data["users"].pop(0)
    connected.emulator.store.touch()
    connected.emulator.faults.delta_gone = True
    update = await refresh(connected.client, mirror)
    assert set(update.resynced) == set(ObjectKind)
    assert len([o for o in mirror.objects() if o.kind is ObjectKind.USER]) == 299
    assert any(r.status == 410 for r in connected.emulator.requests)


async def test_a_delta_link_older_than_seven_days_is_not_even_tried(connect):
    connected = connect(_data(300))
    mirror = Mirror()
    await refresh(connected.client, mirror)
    for kind in mirror.kinds.values():
        kind.linked_at -= DELTA_LIFETIME + 60
    before = len(connected.emulator.requests)
    update = await refresh(connected.client, mirror)
    assert set(update.resynced) == set(ObjectKind)
    tried = [r for r in connected.emulator.requests[before:] if "$deltatoken" in r.query
             and r.query["$deltatoken"] != "latest"]
    assert tried == []


async def test_graph_expiring_the_token_itself_resyncs_too(connect):
    connected = connect(_data(300))
    mirror = Mirror()
    await refresh(connected.client, mirror)
    connected.emulator.clock = lambda: time.time() + DELTA_LIFETIME + 3600
    update = await refresh(connected.client, mirror)
    assert set(update.resynced) == set(ObjectKind)
    assert any(r.status == 400 for r in connected.emulator.requests)


async def test_a_dropped_connection_mid_round_resumes_from_that_page(connect):
    data = _data(600)
    connected = connect(data, Faults(drop_rate=0.3, seed=11))
    mirror = Mirror()
    await refresh(connected.client, mirror)
    for item in data["users"]:
        item["mail"] = "changed-" + item["mail"]
    connected.emulator.store.touch()
    await refresh(connected.client, mirror)
    assert all(o.mail.startswith("changed-") for o in mirror.objects() if o.kind is ObjectKind.USER)
    ok_delta = [r for r in _delta_requests(connected.emulator) if r.status == 200 and r.query.get("$deltatoken") != "latest"]
    assert len([r for r in ok_delta if "/users/" in r.path]) == 3  # 600 changes / 200 a page, none twice


async def test_a_kind_without_permission_is_left_out_with_the_reason(connect):
    connected = connect(_data(100), Faults(deny={"contacts": 403}))
    mirror = Mirror()
    update = await refresh(connected.client, mirror)
    assert ObjectKind.CONTACT not in mirror.kinds and "OrgContact.Read.All" in update.denied[0]
    connected.emulator.faults.deny = {"users": 403, "groups": 403, "contacts": 403}
    with pytest.raises(PermissionDenied):
        await refresh(connected.client, Mirror())


def test_changes_are_merged_and_a_change_seen_twice_is_harmless():
    mirror = KindMirror(ObjectKind.USER, {"1": {"id": "1", "displayName": "Ann", "mail": "ann@x.com"}}, "link", 0.0)
    partial = [{"id": "1", "displayName": "Ann Lee"}, {"id": "2", "displayName": "Bo"}, {"id": "3", "@removed": {}}]
    for _ in range(2):
        _apply(mirror, partial)
        assert mirror.parsed["1"].display_name == "Ann Lee" and mirror.parsed["1"].mail == "ann@x.com"
        assert set(mirror.parsed) == {"1", "2"}
    _apply(mirror, [{"id": "2", "@removed": {"reason": "deleted"}}])
    assert set(mirror.parsed) == {"1"}
