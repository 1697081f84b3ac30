"""Every Graph operation syncdash has, through the real msgraph-sdk, against the emulator
(in-process and over loopback HTTP)."""

from __future__ import annotations


import pytest
from factories import conflict, contact, deleted, group, many_users, service_error, tenant, user

from syncdash.emulator.faults import Faults
from syncdash.pipeline import read_once
from syncdash.graph.index import DirectoryIndex
from syncdash.graph.lookup import holders_batched, resolve_object
from syncdash.graph.scan import scan_fast
from syncdash.graph.tenant import read_tenant
from syncdash.graph.tenant import tenant_status
from syncdash.graph.errors import (
    AuthenticationFailed,
    BadResponse,
    PermissionDenied,
    Throttled,
    TenantUnreachable,
)
from syncdash.graph.scan import full_scan
from syncdash.model import ConflictProperty, ObjectKind, ScanResult, Unknown

EXCHANGE_XML = (
    '<ServiceInstance Name="exchange/NAMPRD09-001-01"><ObjectErrors><ErrorRecord>'
    "<ErrorCode>ExA77C31</ErrorCode><ErrorDescription>The value \"smtp:x@contoso.com\" of "
    'property "EmailAddresses" is used by another recipient object.</ErrorDescription>'
    "</ErrorRecord></ObjectErrors></ServiceInstance>"
)



async def scan_all(client) -> ScanResult:  # type: ignore[no-untyped-def]
    """The complete scan as ``report`` runs it: every object in error, whether complete,
    and what could not be read."""
    view = await read_once(client)
    return ScanResult(view.in_error, view.complete, view.unavailable)


async def listed_in_error(client) -> list:  # type: ignore[no-untyped-def]
    """The objects in error of a complete listing alone (no tenant status read beside
    it): what the fault tests put under load."""
    return [obj async for progress in full_scan(client) for obj in progress.page if obj.has_errors]


async def holders_of_value(client, value: str) -> tuple:  # type: ignore[no-untyped-def]
    """Who holds ``value`` as the checklist finds them: the live kinds searched in one
    ``$batch``, the recycle bin read with the tenant and matched locally."""
    live = (await holders_batched(client, [value])).found[value]
    deleted = DirectoryIndex((await read_tenant(client)).recycle_bin).holders(value)
    return (*live, *deleted)

def _sample() -> dict:
    ann = user("Ann Lee", "ann1234@contoso.onmicrosoft.com",
               onPremisesUserPrincipalName="ann.lee@contoso.com",
               onPremisesProvisioningErrors=[conflict("UserPrincipalName", "ann.lee@contoso.com")])
    cloud_ann = user("Ann Lee (cloud)", "ann.lee@contoso.com", synced=None)
    sales_user = user("Sam Sales", "sam@contoso.com",
                      onPremisesProvisioningErrors=[conflict("ProxyAddresses", "smtp:sales@contoso.com")])
    sales_group = group("Sales", "sales@contoso.com")
    mailbox = user("Mia Box", "mia@contoso.com", serviceProvisioningErrors=[service_error(EXCHANGE_XML)])
    fixed = user("Fay Fixed", "fay@contoso.com", serviceProvisioningErrors=[service_error(EXCHANGE_XML, resolved=True)])
    partner = contact("Partner Desk", "desk@fabrikam.com",
                      onPremisesProvisioningErrors=[conflict("ProxyAddress", "SMTP:desk@fabrikam.com")])
    return tenant(users=[ann, cloud_ann, sales_user, mailbox, fixed], groups=[sales_group], contacts=[partner])


async def test_tenant_status_reads_organization_domains_and_sync_settings(connect):
    status = await tenant_status(connect(_sample()).client)
    assert status.name == "Contoso"
    assert status.sync_enabled is True
    assert status.last_sync.isoformat() == "2026-11-24T09:40:00+00:00"
    assert status.initial_domain == "contoso.onmicrosoft.com"
    assert "fabrikam.com" not in status.verified_domains
    assert status.sync_settings.features["blockSoftMatchEnabled"] is True
    assert status.sync_settings.deletion_threshold == 500


async def test_forbidden_sync_settings_leave_only_that_part_unknown(connect):
    faults = Faults(deny={"directory/onPremisesSynchronization": 403})
    status = await tenant_status(connect(_sample(), faults).client)
    assert isinstance(status.sync_settings, Unknown)
    assert "OnPremDirectorySynchronization.Read.All" in status.sync_settings.reason
    assert status.name == "Contoso" and status.sync_enabled is True
    assert status.initial_domain == "contoso.onmicrosoft.com"


async def test_unreadable_domains_fall_back_to_the_organizations_verified_domains(connect):
    status = await tenant_status(connect(_sample(), Faults(deny={"domains": 403})).client)
    assert status.verified_domains == ("contoso.com", "contoso.onmicrosoft.com")


async def test_fast_scan_uses_the_server_side_filter_and_says_it_is_partial(connect):
    connected = connect(_sample())
    result = await scan_fast(connected.client)
    names = {obj.display_name for obj in result.objects}
    assert names == {"Ann Lee", "Sam Sales", "Partner Desk"}  # service errors need the full scan
    assert result.complete is False
    assert connected.emulator.count() == 3
    filters = {record.query.get("$filter") for record in connected.emulator.requests}
    assert filters == {"onPremisesProvisioningErrors/any(o:o/category eq 'PropertyConflict')"}


async def test_full_scan_also_finds_unresolved_service_errors_and_is_complete(connect):
    result = await scan_all(connect(_sample()).client)
    names = {obj.display_name for obj in result.objects}
    assert names == {"Ann Lee", "Sam Sales", "Partner Desk", "Mia Box"}
    assert result.complete is True
    mia = next(obj for obj in result.objects if obj.display_name == "Mia Box")
    assert mia.service_errors[0].summary.startswith("ExA77C31: The value")
    assert mia.service_errors[0].created.tzinfo is not None


async def test_objects_are_parsed_into_the_model_with_normalised_properties(connect):
    result = await scan_all(connect(_sample()).client)
    by_name = {obj.display_name: obj for obj in result.objects}
    assert by_name["Sam Sales"].provisioning_errors[0].property is ConflictProperty.PROXY_ADDRESS
    assert by_name["Partner Desk"].provisioning_errors[0].property is ConflictProperty.PROXY_ADDRESS
    assert by_name["Partner Desk"].kind is ObjectKind.CONTACT
    ann = by_name["Ann Lee"]
    assert ann.on_premises_upn == "ann.lee@contoso.com"
    assert ann.provisioning_errors[0].occurred.isoformat() == "2026-11-20T08:01:31.634161+00:00"


async def test_refused_filter_falls_back_to_a_full_scan_of_that_kind(connect):
    connected = connect(_sample(), Faults(refuse_filters=("onPremisesProvisioningErrors",)))
    result = await scan_fast(connected.client)
    assert {obj.display_name for obj in result.objects} >= {"Ann Lee", "Mia Box", "Partner Desk"}
    assert result.complete is True  # every kind was scanned in full
    refused = [r for r in connected.emulator.requests if r.status == 400]
    assert len(refused) == 3


async def test_full_scan_pages_through_empty_middle_pages(connect):
    users = many_users(2500, errors_every=100)
    connected = connect(tenant(users=users), Faults(empty_pages=True))
    seen = []
    async for progress in full_scan(connected.client):
        if progress.kind is ObjectKind.USER and not progress.done:
            seen.append(progress.scanned)
    found = await listed_in_error(connected.client)
    assert len([o for o in found if o.kind is ObjectKind.USER]) == 25
    assert seen[-1] == 2500
    assert 0 in [b - a for a, b in zip(seen, seen[1:])]  # the empty pages were really there


async def test_throttling_storm_with_decimal_retry_after_is_waited_out(connect):
    faults = Faults(throttle_rate=0.3, retry_after="0.15", seed=7)
    connected = connect(tenant(users=many_users(3000, errors_every=10)), faults)
    found = await listed_in_error(connected.client)
    throttled = [r for r in connected.emulator.requests if r.status == 429]
    assert len(found) == 300
    assert throttled, "the storm never happened"
    assert connected.emulator.early_requests == 0  # no request went out before its wait had passed


async def test_a_dropped_connection_resumes_from_the_page_that_failed(connect):
    connected = connect(tenant(users=many_users(5000)), Faults(drop_rate=0.3, seed=3))
    await listed_in_error(connected.client)
    user_pages = [r for r in connected.emulator.requests if r.path.endswith("/users") and r.status == 200]
    assert len(user_pages) == 6  # ceil(5000 / 999): no page was fetched twice


async def test_malformed_answers_are_retried_then_reported(connect):
    connected = connect(_sample(), Faults(malformed_rate=1.0))
    with pytest.raises(BadResponse, match="not valid JSON"):
        await scan_all(connected.client)


async def test_a_sign_in_that_fails_is_an_actionable_error(connect):
    connected = connect(_sample(), Faults(deny={"users": 401}))
    with pytest.raises(AuthenticationFailed, match="sign in again"):
        await scan_all(connected.client)


@pytest.mark.parametrize("scan", [scan_all, scan_fast])
async def test_a_kind_the_app_may_not_read_is_left_out_with_the_permission_named(connect, scan):
    result = await scan(connect(_sample(), Faults(deny={"contacts": 403})).client)
    assert {o.kind for o in result.objects} == {ObjectKind.USER}
    assert result.complete is False
    assert len(result.unavailable) == 1 and "OrgContact.Read.All" in result.unavailable[0]


async def test_nothing_readable_at_all_is_a_failure(connect):
    faults = Faults(deny={"users": 403, "groups": 403, "contacts": 403})
    with pytest.raises(PermissionDenied, match="User.Read.All"):
        await scan_all(connect(_sample(), faults).client)


async def test_resolving_a_user_does_not_need_the_contacts_permission(connect):
    found = await resolve_object(connect(_sample(), Faults(deny={"contacts": 403})).client, "sam@contoso.com")
    assert [o.display_name for o in found] == ["Sam Sales"]


async def test_throttling_that_never_ends_says_when_to_come_back(connect):
    connected = connect(_sample(), Faults(throttle_rate=1.0, retry_after="0.01"))
    with pytest.raises(Throttled, match="try again in"):
        await scan_fast(connected.client)


async def test_an_unreachable_tenant_is_reported_as_such():
    from syncdash.graph.client import build_client

    client = build_client("http://127.0.0.1:9/v1.0")  # discard port: nothing listens
    with pytest.raises(TenantUnreachable, match="not reachable"):
        await scan_fast(client)


async def test_holders_of_a_value_with_a_quote_are_found(connect):
    obrien = user("Seán O'Brien", "sean.o'brien@contoso.com")
    clash = user("Sean OBrien", "sobrien@contoso.com",
                 onPremisesProvisioningErrors=[conflict("ProxyAddresses", "smtp:seán.o'brien@contoso.com")])
    obrien["proxyAddresses"] = ["SMTP:seán.o'brien@contoso.com"]
    connected = connect(tenant(users=[obrien, clash]))
    holders = await holders_of_value(connected.client, "smtp:SEÁN.O'BRIEN@contoso.com")
    assert [h.display_name for h in holders] == ["Seán O'Brien"]
    sent = [r.query["$filter"] for r in connected.emulator.batch_requests if "$filter" in r.query]
    assert any("proxyAddresses/any(p:p eq 'smtp:SEÁN.O''BRIEN@contoso.com')" in f for f in sent)


async def test_holders_span_users_groups_contacts_and_the_recycle_bin(connect):
    gone = user("Old Sales", "old@contoso.com", proxyAddresses=["SMTP:old@contoso.com", "smtp:sales@contoso.com"])
    data = tenant(
        users=[user("Sam Sales", "sam@contoso.com", proxyAddresses=["smtp:Sales@Contoso.com"])],
        groups=[group("Sales", "sales@contoso.com")],
        contacts=[contact("Sales Partner", "sales@contoso.com")],
        deletedItems=[deleted(gone)],
    )
    holders = await holders_of_value(connect(data).client, "sales@contoso.com")
    found = {(h.kind, h.display_name, h.is_deleted) for h in holders}
    assert found == {
        (ObjectKind.USER, "Sam Sales", False),
        (ObjectKind.GROUP, "Sales", False),
        (ObjectKind.CONTACT, "Sales Partner", False),
        (ObjectKind.USER, "Old Sales", True),
    }


async def test_a_deleted_users_renamed_upn_still_counts_as_holding_it(connect):
    gone = user("Ann Gone", "ann.lee@contoso.com", proxyAddresses=[])
    holders = await holders_of_value(connect(tenant(deletedItems=[deleted(gone)])).client, "ann.lee@contoso.com")
    assert [(h.display_name, h.is_deleted) for h in holders] == [("Ann Gone", True)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ANN.LEE@contoso.com", ["Ann Lee (cloud)"]),
        ("smtp:sales@contoso.com", ["Sales"]),
        ("Partner Desk", ["Partner Desk"]),
        ("Sam", ["Sam Sales"]),
        ("Ann Lee", ["Ann Lee"]),
        ("Ann", ["Ann Lee", "Ann Lee (cloud)"]),
        ("nobody@contoso.com", []),
    ],
)
async def test_resolving_what_an_admin_typed(connect, typed, expected):
    found = await resolve_object(connect(_sample()).client, typed)
    assert sorted(obj.display_name for obj in found) == expected


async def test_resolving_an_object_id(connect):
    data = _sample()
    wanted = data["groups"][0]["id"]
    found = await resolve_object(connect(data).client, wanted.upper())
    assert [(obj.kind, obj.id) for obj in found] == [(ObjectKind.GROUP, wanted)]


@pytest.mark.parametrize(
    ("status", "retry_after", "rate"),
    [(503, "0.05", 0.5), (504, "0.05", 0.5), (503, None, 0.2)],  # no Retry-After: the SDK's ~2 s backoff
)
async def test_service_unavailable_is_retried_by_the_sdk(connect, status, retry_after, rate):
    faults = Faults(server_error_rate=rate, server_error_status=status, retry_after=retry_after, seed=1)
    connected = connect(tenant(users=many_users(3000, errors_every=10)), faults)
    assert len(await listed_in_error(connected.client)) == 300
    assert any(r.status == status for r in connected.emulator.requests)


async def test_integer_retry_after_is_honoured_too(connect):
    connected = connect(_sample(), Faults(throttle_rate=0.5, retry_after="1", seed=2))
    result = await scan_fast(connected.client)
    assert {o.display_name for o in result.objects} == {"Ann Lee", "Sam Sales", "Partner Desk"}
    assert connected.emulator.early_requests == 0


@pytest.mark.parametrize("local", ["o'brien", 'say"hi', "back\\slash", "50%off", "a&b", "hash#tag", "sl/ash", "plus+one",
                                   "ünï€ode", "semi;colon"])
async def test_values_with_url_and_odata_specials_find_their_holder(connect, local):
    value = f"{local}@contoso.com"
    holder = user("Special", "special@contoso.com", proxyAddresses=[f"SMTP:{value}"], mail=value)
    connected = connect(tenant(users=[holder, user("Other", "other@contoso.com")]))
    found = await holders_of_value(connected.client, f"smtp:{value}")
    assert [h.display_name for h in found] == ["Special"]
    resolved = await resolve_object(connected.client, value)
    assert [h.display_name for h in resolved] == ["Special"]
