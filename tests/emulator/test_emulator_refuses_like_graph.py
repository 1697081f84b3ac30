"""The emulator answers like Graph, refusals included: a client that leans on leniency
would pass here and fail on a real tenant, so every refusal is pinned down."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from factories import conflict, deleted, tenant, user

from syncdash.emulator.faults import Faults
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantFileError, TenantStore
from syncdash.emulator.transport import EmulatorTransport

BASE = "https://graph.emulator.invalid/v1.0"


def _client(data: dict, faults: Faults | None = None) -> httpx.AsyncClient:
    emulator = GraphEmulator(TenantStore(data), faults)
    return httpx.AsyncClient(transport=EmulatorTransport(emulator), base_url=BASE)


def _sample() -> dict:
    ann = user("Ann Lee", "ann@contoso.com", onPremisesProvisioningErrors=[conflict("UserPrincipalName", "ann@contoso.com")],
               extensionAttributeFromFile="kept")
    return tenant(users=[ann, user("Bo Ng", "bo@contoso.com")], deletedItems=[deleted(user("Cy", "cy@contoso.com"))])


async def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("/users?$filter=serviceProvisioningErrors/any(s:s/isResolved eq false)", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$filter=onPremisesProvisioningErrors/$count ne 0", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$filter=displayName ne 'Ann Lee'", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$filter=endswith(mail,'contoso.com')", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$filter=favouriteColour eq 'blue'", {}, (400, "Request_BadRequest")),
        # onPremisesSamAccountName filters only as an advanced query (user resource, advanced queries)
        ("/users?$filter=onPremisesSamAccountName eq 'ann'", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$filter=onPremisesSamAccountName eq 'ann'&$count=true", {}, (400, "Request_BadRequest")),
        # onPremisesImmutableId: eq, ne, not, ge, le, in — never startsWith
        ("/users?$filter=startswith(onPremisesImmutableId,'q1w2')", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$filter=startswith(onPremisesImmutableId,'q1w2')&$count=true", {"ConsistencyLevel": "eventual"},
         (400, "Request_UnsupportedQuery")),
        ("/users?$filter=displayName eq 'unterminated", {}, (400, "Request_BadRequest")),
        ("/users?$count=true", {}, (400, "Request_BadRequest")),
        ("/users?$top=1000", {}, (400, "Request_BadRequest")),
        ("/users?$top=0", {}, (400, "Request_BadRequest")),
        ("/users?$select=id,favouriteColour", {}, (400, "Request_BadRequest")),
        ("/users?$orderby=mail", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$orderby=displayName&$filter=accountEnabled eq true", {}, (400, "Request_UnsupportedQuery")),
        ("/users?$orderby=displayName sideways", {}, (400, "Request_BadRequest")),
        ("/users/$count", {}, (400, "Request_BadRequest")),
        ("/users?$skiptoken=forged", {}, (400, "Request_BadRequest")),
        ("/directory/deletedItems", {}, (400, "Request_BadRequest")),
        ("/directory/deletedItems/microsoft.graph.contact", {}, (400, "Request_BadRequest")),
        ("/users/00000000-0000-0000-0000-000000000000", {}, (404, "Request_ResourceNotFound")),
        ("/widgets", {}, (400, "Request_BadRequest")),
    ],
)
async def test_refusals(url, headers, expected):
    async with _client(_sample()) as client:
        assert await _error(await client.get(url, headers=headers)) == expected


async def test_advanced_queries_work_only_with_consistency_level_and_count():
    url = "/users?$filter=onPremisesProvisioningErrors/$count ne 0&$count=true"
    async with _client(_sample()) as client:
        response = await client.get(url, headers={"ConsistencyLevel": "eventual"})
    body = response.json()
    assert response.status_code == 200
    assert body["@odata.count"] == 1 and body["value"][0]["displayName"] == "Ann Lee"


async def test_what_graph_accepts_by_default_the_emulator_answers_too():
    data = tenant(users=[user("Bo Ng", "bo@contoso.com", proxyAddresses=["SMTP:bo@contoso.com", "x500:/o=Bo"]),
                         user("Ann Lee", "ann@contoso.com")])
    async with _client(data) as client:
        ordered = (await client.get("/users?$orderby=displayName")).json()["value"]
        backwards = (await client.get("/users?$orderby=userPrincipalName desc")).json()["value"]
        x500 = (await client.get("/users", params={"$filter": "proxyAddresses/any(p:startswith(p,'X500:'))"})).json()
        count = await client.get("/users/$count", headers={"ConsistencyLevel": "eventual"})
    assert [u["displayName"] for u in ordered] == ["Ann Lee", "Bo Ng"]
    assert [u["displayName"] for u in backwards] == ["Bo Ng", "Ann Lee"]
    assert [u["displayName"] for u in x500["value"]] == ["Bo Ng"]
    assert (count.status_code, count.text) == (200, "2")


async def test_on_premises_lookups_answer_where_graph_allows_them():
    eventual = {"ConsistencyLevel": "eventual"}
    async with _client(_sample()) as client:
        sam = await client.get("/users?$filter=onPremisesSamAccountName eq 'ANN'&$count=true", headers=eventual)
        immutable = await client.get("/users?$filter=onPremisesImmutableId eq 'q1w2e3r4t5y6u7i8o9p0Aa=='&$select=id")
    assert [u["displayName"] for u in sam.json()["value"]] == ["Ann Lee"]
    assert immutable.status_code == 200 and len(immutable.json()["value"]) == 2


async def test_a_batch_item_without_a_method_is_refused_alone():
    async with _client(_sample()) as client:
        response = await client.post("/$batch", json={"requests": [
            {"id": "1", "url": "/users?$select=id"},
            {"id": "2", "method": "", "url": "/users?$select=id"},
            {"id": "3", "method": "GET", "url": "/users?$select=id"}]})
    by_id = {r["id"]: r for r in response.json()["responses"]}
    assert response.status_code == 200
    assert [(by_id[i]["status"], (by_id[i]["body"].get("error") or {}).get("code")) for i in "123"] == [
        (400, "BadRequest"), (400, "BadRequest"), (200, None)]


async def test_request_headers_are_recorded_without_credentials():
    emulator = GraphEmulator(TenantStore(_sample()), token="secret-token")
    sent = {"Authorization": "Bearer secret-token", "Prefer": "return=minimal", "X-Ms-Throttle-Priority": "low",
            "ConsistencyLevel": "eventual"}
    async with httpx.AsyncClient(transport=EmulatorTransport(emulator), base_url=BASE) as client:
        await client.get("/users/$count", headers=sent)
        await client.post("/$batch", headers={"Authorization": "Bearer secret-token", "x-ms-throttle-priority": "low"},
                          json={"requests": [{"id": "1", "method": "GET", "url": "/users/$count",
                                              "headers": {"ConsistencyLevel": "eventual"}}]})
    plain, batch = emulator.requests
    item, = emulator.batch_requests
    assert (plain.status, plain.headers["prefer"], plain.headers["x-ms-throttle-priority"]) == (200, "return=minimal", "low")
    assert plain.headers["consistencylevel"] == "eventual" and batch.path.endswith("/$batch")
    assert (item.method, item.path, item.status) == ("GET", "/v1.0/users/$count", 200)
    # a step sees its own headers only: the batch's priority header does not carry over
    assert item.headers["consistencylevel"] == "eventual" and "x-ms-throttle-priority" not in item.headers
    assert all("authorization" not in r.headers and "secret-token" not in str(r) for r in (plain, batch, item))


async def test_writes_are_refused():
    async with _client(_sample()) as client:
        response = await client.patch("/users/x", json={"displayName": "x"})
    assert await _error(response) == (403, "Authorization_RequestDenied")


async def test_users_without_select_lack_on_premises_fields_but_keep_unknown_ones():
    async with _client(_sample()) as client:
        ann = (await client.get("/users")).json()["value"][0]
    assert "onPremisesProvisioningErrors" not in ann and "onPremisesSyncEnabled" not in ann
    assert ann["userPrincipalName"] == "ann@contoso.com"
    assert ann["extensionAttributeFromFile"] == "kept"


async def test_select_returns_exactly_the_selected_fields_with_nulls_for_missing_ones():
    async with _client(_sample()) as client:
        bo = (await client.get("/users?$select=displayName,onPremisesDomainName,proxyAddresses")).json()["value"][1]
    assert bo == {"displayName": "Bo Ng", "onPremisesDomainName": None, "proxyAddresses": ["SMTP:bo@contoso.com"]}


async def test_string_filters_compare_case_insensitively_and_unescape_quotes():
    data = tenant(users=[user("Seán O'Brien", "sean.o'brien@contoso.com")])
    async with _client(data) as client:
        found = (await client.get("/users", params={"$filter": "userPrincipalName eq 'SEAN.O''BRIEN@CONTOSO.COM'"})).json()
        proxies = (await client.get("/users", params={"$filter": "proxyAddresses/any(p:p eq 'smtp:sean.o''brien@contoso.com')"})).json()
    assert [u["displayName"] for u in found["value"]] == ["Seán O'Brien"]
    assert [u["displayName"] for u in proxies["value"]] == ["Seán O'Brien"]


async def test_paging_uses_opaque_skiptokens_bound_to_their_query():
    data = tenant(users=[user(f"U{i}", f"u{i}@contoso.com") for i in range(5)])
    async with _client(data) as client:
        first = (await client.get("/users?$top=2&$select=id")).json()
        link = first["@odata.nextLink"]
        assert "$skiptoken=" in link and "$top=2" in link
        second = (await client.get(link)).json()
        reused = await client.get(link.replace("$top=2", "$top=3"))
    assert len(second["value"]) == 2 and second["value"][0] != first["value"][0]
    assert await _error(reused) == (400, "Request_BadRequest")


async def test_deleted_items_accept_the_sdks_short_cast_alias():
    async with _client(_sample()) as client:
        long = (await client.get("/directory/deletedItems/microsoft.graph.user")).json()
        short = (await client.get("/directory/deletedItems/graph.user")).json()
    assert long["value"] == short["value"] and short["value"][0]["displayName"] == "Cy"


async def test_empty_pages_fault_inserts_empty_pages_with_next_links():
    data = tenant(users=[user(f"U{i}", f"u{i}@contoso.com") for i in range(4)])
    async with _client(data, Faults(empty_pages=True)) as client:
        sizes, url = [], "/users?$top=2"
        while url:
            body = (await client.get(url)).json()
            sizes.append(len(body["value"]))
            url = body.get("@odata.nextLink")
    assert sizes == [2, 0, 2]


async def test_throttling_fault_counts_requests_sent_before_the_wait_passed():
    emulator = GraphEmulator(TenantStore(_sample()), Faults(throttle_rate=1.0, retry_after="0.2"))
    async with httpx.AsyncClient(transport=EmulatorTransport(emulator), base_url=BASE) as client:
        first = await client.get("/users")
        emulator.faults.throttle_rate = 0.0
        impatient = await client.get("/users")
        time.sleep(0.25)
        patient = await client.get("/users")
    assert first.headers["retry-after"] == "0.2"
    assert impatient.status_code == 429 and patient.status_code == 200
    assert emulator.early_requests == 1


def test_tenant_file_is_reread_when_it_changes(tmp_path: Path):
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant(users=[user("Ann", "ann@contoso.com")])))
    store = TenantStore(path=path)
    assert [u["displayName"] for u in store.snapshot()["users"]] == ["Ann"]
    path.write_text(json.dumps(tenant(users=[user("Ann", "ann@contoso.com"), user("Bo", "bo@contoso.com")])))
    assert [u["displayName"] for u in store.snapshot()["users"]] == ["Ann", "Bo"]
    path.write_text('{"users": [')  # a save in progress
    assert [u["displayName"] for u in store.snapshot()["users"]] == ["Ann", "Bo"]


@pytest.mark.parametrize(
    ("content", "words"),
    [("[]", "expected a JSON object"), ('{"users": {}}', "'users' must be a list"),
     ('{"robots": []}', "unknown key 'robots'"), ("{", "not valid JSON")],
)
def test_bad_tenant_files_are_named_with_what_is_wrong(tmp_path: Path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(TenantFileError, match=words) as caught:
        TenantStore(path=path)
    assert str(path) in str(caught.value)
