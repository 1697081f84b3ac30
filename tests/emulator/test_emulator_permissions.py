"""The emulated tenant answers per permission set, as the Graph docs say each API does:
a 403 for a kind the token may not read (per $batch item too), nulls on the organization
for User.Read alone. A client tested only with an all-powerful token never meets either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from factories import TENANT_ID, contact, deleted, group, tenant, user

from syncdash.emulator.permissions import PRESETS, Grants, grants_from_text
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantFileError, TenantStore
from syncdash.emulator.transport import EmulatorTransport

BASE = "https://graph.emulator.invalid/v1.0"

ENDPOINTS = {
    "users": "/users",
    "groups": "/groups",
    "contacts": "/contacts",
    "deleted users": "/directory/deletedItems/microsoft.graph.user",
    "deleted groups": "/directory/deletedItems/microsoft.graph.group",
    "organization": "/organization",
    "domains": "/domains",
    "sync settings": "/directory/onPremisesSynchronization",
}
#: What each preset may read: every endpoint above not listed here answers 200.
REFUSED = {
    "full": set(),
    "user-read": {"users", "groups", "contacts", "deleted users", "deleted groups", "domains", "sync settings"},
    "least-privilege": {"contacts", "sync settings"},
    "no-contacts": {"contacts", "sync settings"},
    "not-global-admin": {"sync settings"},
    "app-only": {"sync settings"},
}
#: Presets that read the organization with User.Read alone: its sync fields come back null.
ORGANIZATION_NULLED = {"user-read", "least-privilege"}


def _data() -> dict:
    return tenant(users=[user("Ann Lee", "ann@contoso.com")], groups=[group("Sales", "sales@contoso.com")],
                  contacts=[contact("Partner", "p@fabrikam.com")],
                  deletedItems=[deleted(user("Cy", "cy@contoso.com")), deleted(group("Old", None), "group")])


def _client(data: dict | None = None, grants: Grants | None = None, **knobs) -> httpx.AsyncClient:
    emulator = GraphEmulator(TenantStore(data if data is not None else _data()), grants=grants, **knobs)
    return httpx.AsyncClient(transport=EmulatorTransport(emulator), base_url=BASE)


def _is_denied(response: httpx.Response) -> bool:
    error = response.json()["error"]
    return (response.status_code, error["code"], error["message"]) == (
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def test_the_presets_are_the_documented_ones():
    assert set(PRESETS) == set(REFUSED)
    assert Grants.full() == PRESETS["full"]
    assert PRESETS["least-privilege"].scopes == {"User.Read", "User.Read.All", "Group.Read.All", "OrgContact.Read.All",
                                                 "Domain.Read.All"}
    assert not PRESETS["least-privilege"].roles and not PRESETS["least-privilege"].app_only
    assert PRESETS["no-contacts"].scopes == PRESETS["least-privilege"].scopes | {"Organization.Read.All"}
    assert PRESETS["app-only"].app_only and PRESETS["not-global-admin"].roles == {"Global Reader"}


@pytest.mark.parametrize("preset", list(REFUSED))
async def test_each_preset_reads_what_the_docs_allow_and_is_refused_the_rest(preset):
    async with _client(grants=PRESETS[preset]) as client:
        answers = {name: await client.get(url) for name, url in ENDPOINTS.items()}
    refused = {name for name, response in answers.items() if response.status_code != 200}
    assert refused == REFUSED[preset]
    assert all(_is_denied(answers[name]) for name in refused)
    assert all(answers[name].json()["value"] for name in set(ENDPOINTS) - refused)
    organization = answers["organization"].json()["value"][0]
    nulled = organization["onPremisesSyncEnabled"] is None and organization["onPremisesLastSyncDateTime"] is None
    assert nulled == (preset in ORGANIZATION_NULLED)
    assert (organization["id"], organization["displayName"]) == (TENANT_ID, "Contoso")
    assert organization["verifiedDomains"][0]["name"] == "contoso.com"


async def test_user_read_nulls_the_organization_even_when_the_fields_are_selected():
    url = "/organization?$select=id,displayName,onPremisesSyncEnabled,onPremisesLastSyncDateTime,verifiedDomains"
    async with _client(grants=Grants.parse("User.Read")) as client:
        limited = (await client.get(url)).json()["value"][0]
    async with _client(grants=Grants.parse("User.Read,Organization.Read.All")) as client:
        full = (await client.get(url)).json()["value"][0]
    assert limited["onPremisesSyncEnabled"] is None and limited["onPremisesLastSyncDateTime"] is None
    assert limited["displayName"] == "Contoso" and len(limited["verifiedDomains"]) == 2
    assert full["onPremisesSyncEnabled"] is True and full["onPremisesLastSyncDateTime"] == "2026-11-24T09:40:00Z"


@pytest.mark.parametrize("url", ["/contacts", "/contacts/$count", "/contacts/delta()", "/contacts?$select=id",
                                 "/contacts/{id}"])
async def test_a_refused_kind_is_refused_in_every_form(url):
    data = _data()
    url = url.format(id=data["contacts"][0]["id"])
    async with _client(data, PRESETS["least-privilege"]) as client:
        refused = await client.get(url, headers={"ConsistencyLevel": "eventual"})
        users = await client.get(f"/users/{data['users'][0]['id']}")
    assert _is_denied(refused)
    assert users.status_code == 200 and users.json()["displayName"] == "Ann Lee"


async def test_users_need_a_directory_scope_in_every_form():
    data = _data()
    async with _client(data, PRESETS["user-read"]) as client:
        answers = [await client.get(url, headers={"ConsistencyLevel": "eventual"}) for url in (
            "/users/$count", "/users/delta", f"/users/{data['users'][0]['id']}", "/groups/delta")]
    assert all(_is_denied(answer) for answer in answers)


@pytest.mark.parametrize(("role", "status"), [(None, 403), ("Directory Readers", 200), ("Global Reader", 200),
                                              ("User Administrator", 200), ("Global Administrator", 200),
                                              ("Helpdesk Administrator", 403)])
async def test_delegated_contacts_need_a_supported_role_of_the_signed_in_user(role, status):
    grants = Grants.parse("OrgContact.Read.All" + (f",role:{role}" if role else ""))
    async with _client(grants=grants) as client:
        assert (await client.get("/contacts")).status_code == status


async def test_app_only_contacts_need_no_role_but_the_organization_needs_its_scope():
    async with _client(grants=Grants.parse("app-only,OrgContact.Read.All,User.Read")) as client:
        contacts = await client.get("/contacts")
        organization = await client.get("/organization")
    assert contacts.status_code == 200 and _is_denied(organization)


@pytest.mark.parametrize("grants", [
    "OnPremDirectorySynchronization.Read.All",  # the scope, but not a Global Administrator
    "Directory.Read.All,role:Global Administrator",  # a Global Administrator without the scope
    "app-only,OnPremDirectorySynchronization.Read.All,Directory.Read.All",  # "Application: Not supported"
])
async def test_sync_settings_need_the_scope_and_a_global_administrator(grants):
    async with _client(grants=Grants.parse(grants)) as client:
        assert _is_denied(await client.get("/directory/onPremisesSynchronization"))
    allowed = Grants.parse("OnPremDirectorySynchronization.ReadWrite.All,role:Global Administrator")
    async with _client(grants=allowed) as client:
        assert (await client.get("/directory/onPremisesSynchronization")).status_code == 200


async def test_a_batch_refuses_each_item_on_its_own():
    requests = [{"id": "users", "method": "GET", "url": "/users?$select=id,displayName"},
                {"id": "contacts", "method": "GET", "url": "/contacts?$select=id"},
                {"id": "organization", "method": "GET", "url": "/organization"},
                {"id": "sync", "method": "GET", "url": "/directory/onPremisesSynchronization"}]
    async with _client(grants=PRESETS["least-privilege"]) as client:
        response = await client.post("/$batch", json={"requests": requests})
    by_id = {item["id"]: item for item in response.json()["responses"]}
    assert response.status_code == 200
    assert {key: item["status"] for key, item in by_id.items()} == {
        "users": 200, "contacts": 403, "organization": 200, "sync": 403}
    assert by_id["contacts"]["body"]["error"]["code"] == "Authorization_RequestDenied"
    assert by_id["users"]["body"]["value"][0]["displayName"] == "Ann Lee"
    assert by_id["organization"]["body"]["value"][0]["onPremisesSyncEnabled"] is None


async def test_grants_given_to_the_emulator_win_over_the_tenant_file_and_full_is_the_default():
    data = dict(_data(), grants="least-privilege")
    async with _client(data) as client:
        from_file = await client.get("/contacts")
    async with _client(data, PRESETS["full"]) as client:
        given = await client.get("/contacts")
    async with _client() as client:
        default = await client.get("/contacts")
    assert (from_file.status_code, given.status_code, default.status_code) == (403, 200, 200)


@pytest.mark.parametrize(("text", "expected"), [
    ("least-privilege", PRESETS["least-privilege"]),
    (" LEAST-PRIVILEGE ", PRESETS["least-privilege"]),
    ("User.Read.All, Group.Read.All", Grants(frozenset({"User.Read.All", "Group.Read.All"}))),
    ("OrgContact.Read.All,role:Directory Readers", Grants(frozenset({"OrgContact.Read.All"}),
                                                          roles=frozenset({"Directory Readers"}))),
    ("app-only,User.Read.All", Grants(frozenset({"User.Read.All"}), app_only=True)),
    ("app-only", PRESETS["app-only"]),
    (",".join([*sorted(PRESETS["no-contacts"].scopes), " "]), PRESETS["no-contacts"]),
])
def test_grants_parse_presets_scopes_roles_and_app_only(text, expected):
    assert Grants.parse(text) == expected == grants_from_text(text)


@pytest.mark.parametrize(("text", "words"), [
    ("", "no scopes given"), (" , ", "no scopes given"), ("bogus", "unknown preset or scope 'bogus'"),
    ("User.Read.All,rootkit", "unknown preset or scope 'rootkit'"), ("role:", "name the directory role"),
    ("app-only,User.Read.All,role:Global Reader", "no directory roles"),
    ("least-privilege,Organization.Read.All", "'least-privilege' is a preset"),
])
def test_grants_parse_refuses_what_it_cannot_read_in_one_line(text, words):
    with pytest.raises(ValueError, match=words) as caught:
        Grants.parse(text)
    assert "\n" not in str(caught.value)


def test_a_tenant_file_may_name_its_grants_and_a_new_file_changes_them(tmp_path: Path):
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(dict(_data(), grants={"scopes": ["User.Read.All"], "roles": ["Global Reader"],
                                                     "appOnly": False})))
    store = TenantStore(path=path)
    assert store.grants == Grants(frozenset({"User.Read.All"}), roles=frozenset({"Global Reader"}))
    path.write_text(json.dumps(dict(_data(), grants="app-only", users=[])))
    store.snapshot()
    assert store.grants == PRESETS["app-only"]
    assert TenantStore(_data()).grants is None


@pytest.mark.parametrize(("grants", "words"), [
    ("everything", "unknown preset 'everything'"),
    ({"scopes": ["User.Read.All"], "sudo": True}, "unknown key 'sudo'"),
    ({"scopes": "User.Read.All"}, "'scopes' must be a list"),
    ({"roles": [""]}, "'roles' must be a list"),
    ({"appOnly": "yes"}, "'appOnly' must be true or false"),
    ({"appOnly": True, "roles": ["Global Reader"]}, "no directory roles"),
    (["User.Read.All"], "preset name or an object"),
])
def test_bad_grants_in_a_tenant_file_are_named(tmp_path: Path, grants, words):
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(dict(_data(), grants=grants)))
    with pytest.raises(TenantFileError, match=words) as caught:
        TenantStore(path=path)
    assert str(path) in str(caught.value) and "'grants'" in str(caught.value)


@pytest.mark.parametrize("argv", [["--scopes", "bogus"], ["--demo", "--scopes", "bogus"],
                                  ["--scopes", "", "--demo"]])
def test_the_emulator_command_refuses_bad_scopes_with_one_line(argv):
    done = subprocess.run([sys.executable, "-m", "syncdash.emulator", *argv], check=False, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "--scopes" in done.stderr
