"""Delta queries answered as the Graph docs describe them ("user: delta", "orgContact:
delta", "Use delta query to track changes"): the id filter they accept and the filters
and options they refuse, "sync from now" where it is documented, and
``Prefer: return=minimal`` sending only what changed."""

from __future__ import annotations

import httpx
import pytest
from factories import contact, group, tenant, user

from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport

BASE = "https://graph.emulator.invalid/v1.0"
SELECT = "$select=displayName,mail,jobTitle"


def _setup(data: dict | None = None, **knobs) -> tuple[GraphEmulator, httpx.AsyncClient]:
    data = data if data is not None else tenant(
        users=[user(f"User {i}", f"u{i}@contoso.com") for i in range(4)],
        groups=[group("Sales", "sales@contoso.com")], contacts=[contact("Partner", "p@fabrikam.com")])
    emulator = GraphEmulator(TenantStore(data), **knobs)
    return emulator, httpx.AsyncClient(transport=EmulatorTransport(emulator), base_url=BASE)


async def _round(client: httpx.AsyncClient, url: str, headers: dict | None = None) -> tuple[list[dict], str, list]:
    """Every item of a delta round, its delta link, and each page's response."""
    items, responses = [], []
    while True:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        responses.append(response)
        body = response.json()
        items += body["value"]
        if "@odata.nextLink" in body:
            url = body["@odata.nextLink"]
        else:
            return items, body["@odata.deltaLink"], responses


async def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize(("query", "code"), [
    ("$top=10", "Request_UnsupportedQuery"),
    ("$orderby=displayName", "Request_UnsupportedQuery"),
    ("$expand=manager", "Request_UnsupportedQuery"),
    ("$filter=displayName eq 'User 1'", "Request_UnsupportedQuery"),
    ("$filter=id eq 'a' and id eq 'b'", "Request_UnsupportedQuery"),
    ("$filter=id ne 'a'", "Request_UnsupportedQuery"),
    ("$filter=" + " or ".join(f"id eq '{i}'" for i in range(51)), "Request_UnsupportedQuery"),
    ("$count=true", "Request_BadRequest"),
])
async def test_delta_refuses_what_graph_refuses(query, code):
    _, client = _setup()
    async with client:
        for kind in ("users", "groups", "contacts"):
            assert await _error(await client.get(f"/{kind}/delta?{query}")) == (400, code)


async def test_delta_tracks_only_the_ids_of_its_filter_round_after_round():
    emulator, client = _setup()
    users = emulator.store.snapshot()["users"]
    wanted = f"id eq '{users[1]['id'].upper()}' or id eq '{users[3]['id']}'"
    async with client:
        first, link, _ = await _round(client, f"/users/delta?$filter={wanted}&{SELECT}")
        assert "$filter=" in link
        for item in users:
            item["jobTitle"] = "Engineer"
        emulator.store.touch()
        changes, link, _ = await _round(client, link)
        gone = users.pop(3)["id"]
        emulator.store.touch()
        removals, _, _ = await _round(client, link)
    assert [item["displayName"] for item in first] == ["User 1", "User 3"]
    assert [(item["displayName"], item["jobTitle"]) for item in changes] == [("User 1", "Engineer"),
                                                                                ("User 3", "Engineer")]
    assert removals == [{"id": gone, "@removed": {"reason": "deleted"}}]


@pytest.mark.parametrize("kind", ["groups", "contacts"])
async def test_the_id_filter_works_on_groups_and_contacts_too(kind):
    emulator, client = _setup()
    wanted = emulator.store.snapshot()[kind][0]["id"]
    async with client:
        found, _, _ = await _round(client, f"/{kind}/delta?$filter=id eq '{wanted}'")
        none, _, _ = await _round(client, f"/{kind}/delta?$filter=id eq '00000000-0000-0000-0000-000000000000'")
    assert [item["id"] for item in found] == [wanted] and none == []


@pytest.mark.parametrize("kind", ["users", "groups"])
async def test_users_and_groups_sync_from_now(kind):
    _, client = _setup()
    async with client:
        response = await client.get(f"/{kind}/delta?$deltatoken=latest&$select=id")
    assert response.status_code == 200
    assert response.json()["value"] == [] and "$deltatoken=" in response.json()["@odata.deltaLink"]


async def test_contacts_refuse_latest_unless_the_emulator_is_told_to_accept_it():
    _, refusing = _setup()
    emulator, accepting = _setup(contacts_delta_latest=True)
    async with refusing, accepting:
        refused = await refusing.get("/contacts/delta?$deltatoken=latest")
        accepted = await accepting.get("/contacts/delta?$deltatoken=latest&$select=displayName")
        emulator.store.snapshot()["contacts"][0]["displayName"] = "Partner Ltd"
        emulator.store.touch()
        changes, _, _ = await _round(accepting, accepted.json()["@odata.deltaLink"])
    assert await _error(refused) == (400, "Request_UnsupportedQuery")
    assert "$deltatoken=latest" in refused.json()["error"]["message"]
    assert accepted.status_code == 200 and accepted.json()["value"] == []
    assert [item["displayName"] for item in changes] == ["Partner Ltd"]


async def test_return_minimal_sends_only_the_properties_changed_since_the_token():
    emulator, client = _setup()
    users = emulator.store.snapshot()["users"]
    async with client:
        first, link, pages = await _round(client, f"/users/delta?{SELECT}", {"Prefer": "return=minimal"})
        users[0]["jobTitle"] = "Engineer"
        users[1]["mail"] = None
        emulator.store.touch()
        minimal, next_link, minimal_pages = await _round(
            client, link, {"Prefer": "odata.maxpagesize=50, Return=Minimal"})
        users[2]["displayName"] = "User Two"
        emulator.store.touch()
        whole, _, whole_pages = await _round(client, next_link)
    assert len(first) == 4 and all(set(item) == {"id", "displayName", "mail", "jobTitle"} for item in first)
    assert "preference-applied" not in pages[0].headers  # a first round has nothing to leave out
    assert minimal == [{"id": users[0]["id"], "jobTitle": "Engineer"}, {"id": users[1]["id"], "mail": None}]
    assert minimal_pages[0].headers["preference-applied"] == "return=minimal"
    assert whole == [{"id": users[2]["id"], "displayName": "User Two", "mail": "u2@contoso.com", "jobTitle": None}]
    assert "preference-applied" not in whole_pages[0].headers


async def test_return_minimal_sends_a_new_object_whole_and_skips_changes_outside_the_selection():
    emulator, client = _setup()
    data = emulator.store.snapshot()["users"]
    async with client:
        _, link, _ = await _round(client, f"/users/delta?{SELECT}")
        data[0]["department"] = "Sales"  # not selected: not a change this round reports
        data.append(user("New Hire", "new@contoso.com", jobTitle="Intern"))
        emulator.store.touch()
        minimal, _, _ = await _round(client, link, {"Prefer": "return=minimal"})
    assert minimal == [{"id": data[-1]["id"], "displayName": "New Hire", "mail": "new@contoso.com",
                        "jobTitle": "Intern"}]


async def test_a_change_reverted_within_a_round_still_counts_as_changed_since_the_token():
    emulator, client = _setup()
    data = emulator.store.snapshot()["users"]
    async with client:
        _, link, _ = await _round(client, f"/users/delta?{SELECT}")
        data[0]["mail"] = "other@contoso.com"
        emulator.store.touch()
        data[0]["mail"] = "u0@contoso.com"
        data[0]["jobTitle"] = "Lead"
        emulator.store.touch()
        minimal, _, _ = await _round(client, link, {"Prefer": "return=minimal"})
    assert minimal == [{"id": data[0]["id"], "mail": "u0@contoso.com", "jobTitle": "Lead"}]
