"""Holder lookups in JSON $batch requests, through the SDK's adapter to the emulator."""

from __future__ import annotations

import math

import httpx
from factories import contact, many_users, tenant

from syncdash.emulator.faults import Faults
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.graph.lookup import holders_batched

BASE = "https://graph.emulator.invalid/v1.0"


def _tenant() -> dict:
    users = many_users(600)
    return tenant(users=users, contacts=[contact("Partner 7", "user00007@contoso.com")])


async def test_five_hundred_values_are_looked_up_in_batches_of_twenty(connect):
    connected = connect(_tenant())
    values = [f"user{i:05d}@contoso.com" for i in range(500)]
    found = (await holders_batched(connected.client, values)).found
    assert len(found) == 500 and all(len(found[v]) >= 1 for v in values)
    assert {h.kind.value for h in found["user00007@contoso.com"]} == {"user", "contact"}
    items = connected.emulator.batch_items
    assert items == 500 * 3  # one search per kind: UPN, mail and proxy address or-ed together
    assert connected.emulator.count("$batch") == math.ceil(items / 20)


async def test_throttled_items_are_sent_again_after_their_own_wait(connect):
    connected = connect(_tenant(), Faults(throttle_rate=0.03, retry_after="0.05", seed=4))
    values = [f"user{i:05d}@contoso.com" for i in range(60)]
    found = (await holders_batched(connected.client, values)).found
    assert all(found[v] for v in values)
    assert connected.emulator.early_requests == 0
    assert connected.emulator.batch_items > 60 * 3  # some items really were throttled and resent


async def test_the_emulator_batches_like_graph():
    emulator = GraphEmulator(TenantStore(_tenant()))
    async with httpx.AsyncClient(transport=EmulatorTransport(emulator), base_url=BASE) as client:
        too_many = await client.post("/$batch", json={"requests": [
            {"id": str(i), "method": "GET", "url": "/users?$top=1"} for i in range(21)]})
        mixed = (await client.post("/$batch", json={"requests": [
            {"id": "a", "method": "GET", "url": "/users?$top=1&$select=id"},
            {"id": "b", "method": "GET", "url": f"{BASE}/users?$top=1"},
            {"id": "c", "method": "PATCH", "url": "/users/x"},
        ]})).json()["responses"]
    assert too_many.status_code == 400
    assert [r["id"] for r in mixed] == ["c", "b", "a"]  # any order: match by id
    by_id = {r["id"]: r for r in mixed}
    assert by_id["a"]["status"] == 200 and len(by_id["a"]["body"]["value"]) == 1
    assert by_id["b"]["status"] == 400 and by_id["c"]["status"] == 403


async def test_batched_lookups_escape_url_and_odata_specials(connect):
    from factories import user

    specials = ["o'brien", 'say"hi', "50%off", "a&b", "hash#tag", "sl/ash", "plus+one", "ünï€ode"]
    holders = [user(f"Holder {i}", f"h{i}@contoso.com", proxyAddresses=[f"smtp:{s}@contoso.com"])
               for i, s in enumerate(specials)]
    connected = connect(tenant(users=holders))
    found = (await holders_batched(connected.client, [f"{s}@contoso.com" for s in specials])).found
    assert [[h.display_name for h in found[f"{s}@contoso.com"]] for s in specials] == [
        [f"Holder {i}"] for i in range(len(specials))]
