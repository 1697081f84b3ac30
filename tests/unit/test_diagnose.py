"""The engine alone, on plain data: each code's scenario, and its absence when healthy."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from syncdash.diagnose.engine import diagnose
from syncdash.diagnose.catalog import CODES
from syncdash.diagnose.findings import Severity, Status
from syncdash.model import (
    ConflictProperty,
    DirectoryObject,
    Domain,
    ObjectFacts,
    ObjectKind,
    ProvisioningError,
    ServiceError,
    SyncSettings,
    TenantStatus,
    Unknown,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
TENANT = TenantStatus(
    tenant_id="t", name="Contoso", sync_enabled=True, last_sync=NOW - timedelta(minutes=20),
    domains=(Domain("contoso.com", True, False, True), Domain("contoso.onmicrosoft.com", True, True, False),
             Domain("fabrikam.com", False, False, False)),
    sync_settings=SyncSettings(features={"blockSoftMatchEnabled": True,
                                         "blockCloudObjectTakeoverThroughHardMatchEnabled": True}),
)
HEALTHY = DirectoryObject(
    id="1", kind=ObjectKind.USER, display_name="Ann Lee", user_principal_name="ann.lee@contoso.com",
    mail="ann.lee@contoso.com", mail_nickname="ann.lee", proxy_addresses=("SMTP:ann.lee@contoso.com",),
    sync_enabled=True, immutable_id="abc==", sam_account_name="alee", on_premises_upn="ann.lee@contoso.com",
)


def conflict(prop: str, value: str) -> ProvisioningError:
    return ProvisioningError("PropertyConflict", ConflictProperty.from_graph(prop), prop, value, NOW - timedelta(days=1))


def other(name: str, upn: str, *, synced: bool | None = None, deleted: bool = False, kind=ObjectKind.USER) -> DirectoryObject:
    return DirectoryObject(id=name, kind=kind, display_name=name, user_principal_name=upn, mail=upn,
                           sync_enabled=synced, deleted=NOW - timedelta(days=2) if deleted else None)


def facts(obj: DirectoryObject | None, *, query: str = "ann.lee@contoso.com", tenant: TenantStatus = TENANT,
          holders=None, recycle_bin=(), candidates=(), unavailable=()) -> ObjectFacts:
    return ObjectFacts(query=query, object=obj, tenant=tenant, holders=holders or {}, recycle_bin=tuple(recycle_bin),
                       soft_match_candidates=tuple(candidates), unavailable=tuple(unavailable), now=NOW)


def codes(diagnosis) -> set[str]:
    return {f.code for f in diagnosis.findings}


def test_a_healthy_synced_object_is_clear_on_every_step():
    diagnosis = diagnose(facts(HEALTHY))
    assert [s.status for s in diagnosis.steps] == [Status.CLEAR] * 3
    assert codes(diagnosis) == set() and diagnosis.all_clear
    assert all(step.manual for step in diagnosis.steps)


def test_a_upn_conflict_with_another_identity_names_the_holder_and_advises_a_rename():
    obj = replace(HEALTHY, user_principal_name="ann.lee1234@contoso.onmicrosoft.com",
                  provisioning_errors=(conflict("UserPrincipalName", "ann.lee@contoso.com"),))
    holder = other("Ann Other", "ann.lee@contoso.com", synced=True)  # synced from another forest: not her
    diagnosis = diagnose(facts(obj, holders={"ann.lee@contoso.com": (holder,)}))
    assert codes(diagnosis) == {"provisioning-error", "duplicate-upn", "upn-quarantined"}
    duplicate = next(f for f in diagnosis.findings if f.code == "duplicate-upn")
    assert duplicate.severity is Severity.ERROR and duplicate.attribute == "UserPrincipalName"
    assert duplicate.value == "ann.lee@contoso.com" and "Ann Other" in duplicate.message
    assert [(r.display_name, r.synced, r.deleted) for r in duplicate.related] == [("Ann Other", True, False)]
    assert duplicate.powershell == "Set-ADUser -Identity 'alee' -UserPrincipalName '<new UPN>'"
    assert diagnosis.steps[2].needed is False and diagnosis.steps[2].mark() == "–"


@pytest.mark.parametrize(("blocked", "expected"), [
    (True, "the tenant blocks soft match (blockSoftMatchEnabled), so hard-match"),
    (False, "soft match pairs them (the tenant allows it"),
])
def test_a_duplicate_held_by_the_same_identity_gets_the_merge_remedy_in_step_two(blocked, expected):
    obj = replace(HEALTHY, user_principal_name="ann.lee1234@contoso.onmicrosoft.com",
                  provisioning_errors=(conflict("UserPrincipalName", "ann.lee@contoso.com"),))
    cloud = other("Ann Lee", "ann.lee@contoso.com")  # cloud-only, made before sync: the same person
    tenant = replace(TENANT, sync_settings=SyncSettings(features={"blockSoftMatchEnabled": blocked}))
    diagnosis = diagnose(facts(obj, tenant=tenant, holders={"ann.lee@contoso.com": (cloud,)}, candidates=(cloud,)))
    duplicate = next(f for f in diagnosis.findings if f.code == "duplicate-upn")
    assert duplicate.powershell is None and "renaming one would leave two identities" in duplicate.fix
    merge = next(f for f in diagnosis.steps[1].findings if f.code == "same-identity")
    assert expected in merge.fix and "merge, do not rename" in merge.fix
    assert merge.powershell == "Update-MgUser -UserId 'Ann Lee' -OnPremisesImmutableId 'abc=='"
    assert [r.display_name for r in merge.related] == ["Ann Lee"]
    # the remedy is not repeated in a step marked "not needed"
    assert not {"soft-match-blocked", "soft-match-candidate"} & {f.code for f in diagnosis.steps[2].findings}
    assert diagnosis.steps[2].needed is False


def test_the_merge_remedy_says_when_the_tenant_settings_are_unreadable():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddresses", "SMTP:ann.lee@contoso.com"),))
    cloud = other("ann  lee", "ann.lee@contoso.com")  # names compare without case or extra spaces
    tenant = replace(TENANT, sync_settings=Unknown("Graph onPremisesSynchronization: access denied"))
    diagnosis = diagnose(facts(obj, tenant=tenant, holders={"SMTP:ann.lee@contoso.com": (cloud,)}))
    merge = next(f for f in diagnosis.findings if f.code == "same-identity")
    assert "settings could not be read (Graph onPremisesSynchronization: access denied)" in merge.fix


def test_a_cloud_only_holder_with_another_name_is_another_identity():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddresses", "SMTP:ann.lee@contoso.com"),))
    shared = other("Reception Desk", "ann.lee@contoso.com")
    diagnosis = diagnose(facts(obj, holders={"SMTP:ann.lee@contoso.com": (shared,)}))
    assert "same-identity" not in codes(diagnosis)
    duplicate = next(f for f in diagnosis.findings if f.code == "duplicate-proxy-address")
    assert duplicate.powershell == "Set-ADUser -Identity 'alee' -Remove @{proxyAddresses='SMTP:ann.lee@contoso.com'}"


def test_a_step_with_findings_is_never_marked_not_needed():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddress", "smtp:x@contoso.com"),))
    stale = replace(TENANT, last_sync=NOW - timedelta(hours=5))
    diagnosis = diagnose(facts(obj, tenant=stale, holders={"smtp:x@contoso.com": (other("X", "x@contoso.com", synced=True),)}))
    assert diagnosis.steps[1].status is Status.PROBLEM
    assert diagnosis.steps[2].needed is True and diagnosis.steps[2].mark() == "✗"


@pytest.mark.parametrize("kind", [ObjectKind.USER, ObjectKind.GROUP])
def test_a_cloud_only_object_in_a_tenant_blocking_soft_match_is_told_to_hard_match(kind):
    cloud = DirectoryObject(id="c1", kind=kind, display_name="Lidia", user_principal_name="lidia@contoso.com"
                            if kind is ObjectKind.USER else None, mail="lidia@contoso.com", sync_enabled=None)
    diagnosis = diagnose(facts(cloud))  # no on-premises object visible in the cloud
    blocked = next(f for f in diagnosis.steps[2].findings if f.code == "soft-match-blocked")
    assert "lidia@contoso.com" in blocked.message and "hard-match" in blocked.fix
    assert (blocked.powershell is not None) is (kind is ObjectKind.USER)
    assert diagnosis.steps[2].status is Status.PROBLEM


def test_a_cloud_only_object_where_soft_match_is_allowed_or_unknown():
    cloud = replace(HEALTHY, id="c1", sync_enabled=None, immutable_id=None, on_premises_upn=None)
    allowed = replace(TENANT, sync_settings=SyncSettings(features={"blockSoftMatchEnabled": False}))
    assert "soft-match-blocked" not in codes(diagnose(facts(cloud, tenant=allowed)))
    unread = replace(TENANT, sync_settings=Unknown("403"))
    step3 = diagnose(facts(cloud, tenant=unread)).steps[2]
    assert step3.status is Status.UNKNOWN and any("soft-match setting" in r for r in step3.unknown)


def test_a_proxy_conflict_with_a_contact_suggests_removing_the_address():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddresses", "smtp:o'brien@contoso.com"),))
    holder = other("Partner", "o'brien@contoso.com", synced=True, kind=ObjectKind.CONTACT)
    diagnosis = diagnose(facts(obj, holders={"smtp:o'brien@contoso.com": (holder,)}))
    finding = next(f for f in diagnosis.findings if f.code == "duplicate-proxy-address")
    assert finding.related[0].kind is ObjectKind.CONTACT
    assert finding.powershell == "Set-ADUser -Identity 'alee' -Remove @{proxyAddresses='smtp:o''brien@contoso.com'}"


def test_a_deleted_holder_is_a_warning_of_its_own():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddress", "smtp:x@contoso.com"),))
    diagnosis = diagnose(facts(obj, holders={"smtp:x@contoso.com": (other("Gone", "x@contoso.com", deleted=True),)}))
    assert {"duplicate-proxy-address", "conflict-holder-deleted"} <= codes(diagnosis)
    assert next(f for f in diagnosis.findings if f.code == "conflict-holder-deleted").severity is Severity.WARNING


def test_a_conflict_nobody_holds_any_more_is_only_information():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddress", "smtp:x@contoso.com"),))
    diagnosis = diagnose(facts(obj))
    assert codes(diagnosis) == {"provisioning-error", "conflict-cleared"}
    assert diagnosis.steps[1].status is Status.CLEAR  # info only


def test_unresolved_service_errors_are_step_one_problems_and_resolved_ones_are_not():
    xml_error = ServiceError("exchange/NAMPRD09", NOW, False, "<x/>", "ExA77C31: in use", ("EmailAddresses",))
    fixed = replace(xml_error, resolved=True)
    assert codes(diagnose(facts(replace(HEALTHY, service_errors=(xml_error,))))) == {"service-error"}
    assert codes(diagnose(facts(replace(HEALTHY, service_errors=(fixed,))))) == set()
    message = diagnose(facts(replace(HEALTHY, service_errors=(xml_error,)))).findings[0].message
    assert "Exchange Online (NAMPRD09)" in message and "ExA77C31" in message
    assert diagnose(facts(replace(HEALTHY, service_errors=(xml_error,)))).findings[0].attribute == "EmailAddresses"


def test_an_object_not_in_entra_leaves_steps_one_and_two_unknown():
    gone = other("Ann Deleted", "ann.lee@contoso.com", synced=True, deleted=True)
    diagnosis = diagnose(facts(None, recycle_bin=[gone]))
    assert [s.status for s in diagnosis.steps] == [Status.UNKNOWN, Status.UNKNOWN, Status.PROBLEM]
    assert codes(diagnosis) == {"not-in-entra", "in-recycle-bin"}
    assert diagnosis.steps[2].needed is True


@pytest.mark.parametrize(
    ("tenant", "code", "severity"),
    [
        (replace(TENANT, sync_enabled=False), "tenant-sync-disabled", Severity.ERROR),
        (replace(TENANT, sync_enabled=None), "tenant-sync-disabled", Severity.ERROR),
        (replace(TENANT, last_sync=NOW - timedelta(hours=3)), "tenant-sync-stale", Severity.WARNING),
        (replace(TENANT, last_sync=NOW - timedelta(hours=30)), "tenant-sync-stale", Severity.ERROR),
    ],
)
def test_tenant_level_sync_trouble(tenant, code, severity):
    found = [f for f in diagnose(facts(HEALTHY, tenant=tenant)).findings if f.code == code]
    assert [f.severity for f in found] == [severity]


def test_just_under_two_hours_is_not_stale():
    assert codes(diagnose(facts(HEALTHY, tenant=replace(TENANT, last_sync=NOW - timedelta(minutes=119))))) == set()


def test_cloud_only_is_information_not_a_problem_where_soft_match_is_allowed():
    allowed = replace(TENANT, sync_settings=SyncSettings(features={"blockSoftMatchEnabled": False}))
    diagnosis = diagnose(facts(replace(HEALTHY, sync_enabled=None, on_premises_upn=None, immutable_id=None),
                               tenant=allowed))
    assert codes(diagnosis) == {"cloud-only"} and diagnosis.steps[2].status is Status.CLEAR


def test_stopped_sync_with_an_anchor_under_blocked_hard_match():
    diagnosis = diagnose(facts(replace(HEALTHY, sync_enabled=False)))
    assert codes(diagnosis) == {"sync-stopped-for-object", "hard-match-blocked"}
    allowed = replace(TENANT, sync_settings=SyncSettings(features={"blockCloudObjectTakeoverThroughHardMatchEnabled": False}))
    assert codes(diagnose(facts(replace(HEALTHY, sync_enabled=False), tenant=allowed))) == {"sync-stopped-for-object"}


def test_unreadable_sync_settings_make_only_the_settings_check_unknown():
    hidden = replace(TENANT, sync_settings=Unknown("403: needs OnPremDirectorySynchronization.Read.All"))
    assert diagnose(facts(HEALTHY, tenant=hidden)).steps[2].status is Status.CLEAR
    stopped = diagnose(facts(replace(HEALTHY, sync_enabled=False), tenant=hidden)).steps[2]
    assert stopped.status is Status.PROBLEM  # sync-stopped is still known
    assert any("OnPremDirectorySynchronization" in reason for reason in stopped.unknown)


def test_soft_match_candidates_are_flagged_from_either_side():
    cloud = other("Ann Cloud", "ann.lee@contoso.com")
    assert "soft-match-blocked" in codes(diagnose(facts(HEALTHY, candidates=[cloud])))
    synced = other("Ann Synced", "ann.lee1234@contoso.onmicrosoft.com", synced=True)
    cloud_side = diagnose(facts(replace(HEALTHY, sync_enabled=None), candidates=[synced]))
    message = next(f.message for f in cloud_side.findings if f.code == "soft-match-blocked")
    assert message.startswith("this cloud-only object holds") and "blocks soft match" in message


def test_an_unverified_upn_suffix():
    obj = replace(HEALTHY, on_premises_upn="ann.lee@fabrikam.com", user_principal_name="ann.lee@contoso.onmicrosoft.com")
    assert codes(diagnose(facts(obj))) == {"unverified-upn-domain"}
    assert codes(diagnose(facts(replace(obj, on_premises_upn="ann@sub.contoso.com")))) == set()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"on_premises_upn": "ann lee@contoso.com"}, "invalid-characters"),
        ({"on_premises_upn": "anne.müller@contoso.com"}, "invalid-characters"),
        ({"proxy_addresses": ("SMTP:ann,lee@contoso.com",)}, "invalid-characters"),
        ({"sam_account_name": "a|lee"}, "invalid-characters"),
        ({"mail_nickname": "x" * 65}, "value-too-long"),
        ({"proxy_addresses": ("smtp:" + "a" * 250 + "@contoso.com",)}, "value-too-long"),
        ({"on_premises_upn": "a" * 110 + "@contoso.com"}, "value-too-long"),
        ({"proxy_addresses": ("smtp:a:b@contoso.com",)}, "invalid-format"),
        ({"proxy_addresses": ("ann@contoso.com",)}, "invalid-format"),
        ({"mail": "ann@@contoso.com"}, "invalid-format"),
        ({"mail_nickname": ".ann"}, "invalid-format"),
        ({"on_premises_upn": "ann@contoso"}, "invalid-format"),
        ({"proxy_addresses": tuple(f"smtp:a{i}@contoso.com" for i in range(301))}, "too-many-proxy-addresses"),
    ],
)
def test_values_entra_rejects(change, code):
    assert code in codes(diagnose(facts(replace(HEALTHY, **change))))


def test_an_apostrophe_in_a_upn_is_allowed():
    obj = replace(HEALTHY, on_premises_upn="sean.o'brien@contoso.com", user_principal_name="sean.o'brien@contoso.com")
    assert codes(diagnose(facts(obj))) == set()


def test_failed_lookups_make_steps_two_and_three_unknown_never_cleared():
    obj = replace(HEALTHY, provisioning_errors=(conflict("ProxyAddress", "smtp:x@contoso.com"),))
    denied = "Graph contacts: access denied; the app needs OrgContact.Read.All"
    diagnosis = diagnose(facts(obj, unavailable=[denied]))
    assert diagnosis.steps[1].status is Status.UNKNOWN
    assert "conflict-cleared" not in codes(diagnosis)  # the unreadable contacts may hold it
    assert diagnosis.steps[2].status is Status.UNKNOWN and denied in diagnosis.steps[2].unknown
    assert "conflict-cleared" in codes(diagnose(facts(obj)))  # everything read, nobody holds it


def test_soft_match_is_blocked_only_when_the_tenant_blocks_it():
    cloud = other("Ann Cloud", "ann.lee@contoso.com")
    blocked = diagnose(facts(HEALTHY, candidates=[cloud]))
    assert "soft-match-blocked" in codes(blocked) and blocked.steps[2].status is Status.PROBLEM
    allowing = replace(TENANT, sync_settings=SyncSettings(features={"blockSoftMatchEnabled": False}))
    allowed = diagnose(facts(HEALTHY, tenant=allowing, candidates=[cloud]))
    assert codes(allowed) == {"soft-match-candidate"} and allowed.steps[2].status is Status.CLEAR
    finding = allowed.findings[0]
    assert finding.severity is Severity.INFO and "merges them" in finding.message
    assert (finding.attribute, finding.value) == ("userPrincipalName", "ann.lee@contoso.com")
    hidden = replace(TENANT, sync_settings=Unknown("403: needs OnPremDirectorySynchronization.Read.All"))
    unread = diagnose(facts(HEALTHY, tenant=hidden, candidates=[cloud])).steps[2]
    assert unread.status is Status.UNKNOWN and any("soft-match setting" in reason for reason in unread.unknown)


def test_soft_match_on_the_primary_smtp_names_that_address():
    obj = replace(HEALTHY, on_premises_upn="alee@contoso.com")
    cloud = other("Ann Cloud", "ann.lee@contoso.com")
    finding = next(f for f in diagnose(facts(obj, candidates=[cloud])).findings if f.code == "soft-match-blocked")
    assert (finding.attribute, finding.value) == ("proxyAddresses", "ann.lee@contoso.com")


def test_a_upn_with_four_digits_is_a_placeholder_only_when_it_keeps_the_on_premises_prefix():
    other_prefix = replace(HEALTHY, user_principal_name="bob1234@contoso.onmicrosoft.com")
    assert "upn-quarantined" not in codes(diagnose(facts(other_prefix)))
    placeholder = replace(HEALTHY, user_principal_name="Ann.Lee1234@contoso.onmicrosoft.com")
    assert "upn-quarantined" in codes(diagnose(facts(placeholder)))


def test_every_code_in_the_catalog_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in readme]
    assert not missing, f"README lacks {missing}"


@pytest.mark.parametrize(
    ("upn", "code", "problem"),
    [
        ("ann.@contoso.com", "invalid-format", "right before the @"),
        ("josé.garcia@contoso.com", "invalid-characters", "'é'"),
        ("a" * 65 + "@contoso.com", "value-too-long", "65 characters before the @"),
        ("ann@" + "d" * 45 + ".com", "value-too-long", "49 characters after the @"),
    ],
)
def test_entra_ids_own_upn_rules(upn, code, problem):
    obj = replace(HEALTHY, on_premises_upn=upn, user_principal_name=upn)
    found = [f for f in diagnose(facts(obj)).findings if f.code == code]
    assert found and problem in found[0].message, [f.message for f in diagnose(facts(obj)).findings]


def test_a_blank_display_name_is_flagged():
    found = diagnose(facts(replace(HEALTHY, display_name="  "))).findings
    assert [(f.code, f.attribute) for f in found] == [("invalid-format", "displayName")]

