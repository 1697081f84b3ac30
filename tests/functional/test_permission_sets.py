"""What syncdash says under each permission set an administrator can really hold, through
the real msgraph-sdk against an emulator that answers as Graph documents for that set:
nulls where Graph sends nulls, a 403 per kind where Graph refuses one.

The demo tenant's scenarios are diagnosed under: everything (a Global Administrator with
Directory.Read.All), the least privilege syncdash used to ask for (no
Organization.Read.All, no directory role: contacts refused, sync fields null), that plus
Organization.Read.All, a Global Reader (sync settings refused) and an app-only sign-in.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FROZEN_NOW, settle

from syncdash.pipeline import check_object, read_once
from syncdash.cli import main
from syncdash.diagnose.findings import Diagnosis, Status
from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS, build_demo_tenant
from syncdash.model import Unknown

SETS = ("full", "least-privilege", "no-contacts", "not-global-admin", "app-only")
#: What each set can read: organization sync fields, contacts, the sync settings.
READS: dict[str, tuple[bool, bool, bool]] = {
    "full": (True, True, True),
    "least-privilege": (False, False, False),
    "no-contacts": (True, False, False),
    "not-global-admin": (True, True, False),
    "app-only": (True, True, False),
}


def _tenant(grants: str | dict[str, Any]) -> dict[str, Any]:
    return {**build_demo_tenant(FROZEN_NOW), "grants": grants}


async def _check(connect, grants: str, scenario: str) -> Diagnosis:  # type: ignore[no-untyped-def]
    outcome = await check_object(connect(_tenant(grants)).client, DEMO_SCENARIOS[scenario], FROZEN_NOW)
    assert outcome.diagnosis is not None
    return outcome.diagnosis


def _codes(diagnosis: Diagnosis) -> set[str]:
    return {f.code for f in diagnosis.findings}


@pytest.mark.parametrize("grants", SETS)
async def test_the_tenant_status_is_known_only_where_it_was_readable(connect, grants):
    org, _, settings = READS[grants]
    outcome = await check_object(connect(_tenant(grants)).client, DEMO_SCENARIOS["healthy"], FROZEN_NOW)
    assert isinstance(outcome.tenant.sync_enabled, Unknown) is not org
    assert (outcome.tenant.sync_enabled is True) is org
    assert isinstance(outcome.tenant.sync_settings, Unknown) is not settings
    assert outcome.tenant.name == "Contoso"  # readable under every set
    step3 = outcome.diagnosis.steps[2]
    assert "tenant-sync-disabled" not in _codes(outcome.diagnosis)  # unknown is never "off"
    if not org:
        assert step3.status is Status.UNKNOWN and any("Organization.Read.All" in r for r in step3.unknown)


@pytest.mark.parametrize("grants", SETS)
async def test_a_users_duplicate_is_named_whether_or_not_contacts_can_be_read(connect, grants):
    diagnosis = await _check(connect, grants, "proxy-conflict-user-user")
    step2 = diagnosis.steps[1]
    duplicate = next(f for f in step2.findings if f.code == "duplicate-proxy-address")
    assert [r.kind.value for r in duplicate.related] == ["user"]
    assert step2.status is Status.PROBLEM
    contacts = READS[grants][1]
    assert any("contacts" in reason for reason in step2.unknown) is not contacts


@pytest.mark.parametrize("grants", SETS)
async def test_a_contact_holder_unreadable_is_unknown_never_cleared(connect, grants):
    diagnosis = await _check(connect, grants, "proxy-conflict-user-contact")
    step2 = diagnosis.steps[1]
    if READS[grants][1]:
        duplicate = next(f for f in step2.findings if f.code == "duplicate-proxy-address")
        assert {r.kind.value for r in duplicate.related} == {"contact"}
    else:
        assert "conflict-cleared" not in _codes(diagnosis) and step2.status is Status.UNKNOWN
        assert any("contacts: access denied" in reason for reason in step2.unknown)


@pytest.mark.parametrize("grants", SETS)
async def test_the_same_identity_gets_the_merge_in_step_two_under_every_set(connect, grants):
    diagnosis = await _check(connect, grants, "upn-conflict-user-user")
    duplicate = next(f for f in diagnosis.steps[1].findings if f.code == "duplicate-upn")
    merge = next(f for f in diagnosis.steps[1].findings if f.code == "same-identity")
    assert duplicate.powershell is None and merge.powershell.startswith("Update-MgUser -UserId '")
    settings = READS[grants][2]
    assert ("blocks soft match (blockSoftMatchEnabled)" in merge.fix) is settings
    assert ("settings could not be read" in merge.fix) is not settings
    assert not diagnosis.steps[2].findings and diagnosis.steps[2].needed is False


@pytest.mark.parametrize("grants", SETS)
async def test_a_cloud_only_user_in_a_tenant_blocking_soft_match(connect, grants):
    diagnosis = await _check(connect, grants, "cloud-only")
    step3 = diagnosis.steps[2]
    if READS[grants][2]:
        blocked = next(f for f in step3.findings if f.code == "soft-match-blocked")
        assert "hard-match" in blocked.fix and blocked.powershell.startswith("Update-MgUser")
        assert step3.status is Status.PROBLEM
    else:
        assert "soft-match-blocked" not in _codes(diagnosis)
        assert step3.status is not Status.CLEAR and any("soft-match setting" in r for r in step3.unknown)


async def test_deleted_users_are_found_when_deleted_groups_are_refused(connect):
    data = {**build_demo_tenant(FROZEN_NOW),
            "grants": {"scopes": ["User.Read", "User.Read.All", "Organization.Read.All", "OrgContact.Read.All"],
                       "roles": ["Directory Readers"]}}
    outcome = await check_object(connect(data).client, DEMO_SCENARIOS["conflict-holder-deleted"], FROZEN_NOW)
    assert "conflict-holder-deleted" in _codes(outcome.diagnosis)  # the deleted user is still named
    assert any("recycle bin (groups)" in r for r in outcome.diagnosis.steps[1].unknown)


@pytest.mark.parametrize("grants", SETS)
async def test_a_report_under_each_set_diagnoses_every_readable_object(connect, grants):
    outcome = await read_once(connect(_tenant(grants)).client)
    kinds = {d.object.kind.value for d in outcome.diagnoses(FROZEN_NOW) if d.object}
    assert ("contact" in kinds) is READS[grants][1] and {"user", "group"} <= kinds
    assert outcome.complete is READS[grants][1]
    assert not any("tenant-sync-disabled" in _codes(d) for d in outcome.diagnoses(FROZEN_NOW))


def test_user_read_alone_cannot_list_users_and_says_which_permission(capsys):
    assert main(["--demo", "--permissions", "user-read", "report"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "User.Read.All" in err[0]


def test_check_json_says_unknown_sync_status_as_null_with_its_reason(capsys):
    code = main(["--demo", "--permissions", "least-privilege", "check", DEMO_SCENARIOS["healthy"], "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1  # an unknown step is not all clear
    assert result["tenant"]["syncEnabled"] is None and result["tenant"]["lastSync"] is None
    assert "Organization.Read.All" in result["tenant"]["unknown"]["syncStatus"]
    assert result["steps"][2]["status"] == "unknown"


def test_the_text_report_says_the_sync_status_is_unknown_not_off(capsys):
    main(["--demo", "--permissions", "least-privilege", "report"])
    out = capsys.readouterr().out
    assert out.startswith("Contoso: sync status unknown") and "dirsync OFF" not in out


def test_bad_permissions_are_one_line_and_exit_two(capsys):
    assert main(["--demo", "--permissions", "Everything.Please", "report"]) == 2
    assert main(["--permissions", "full", "report"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("syncdash: ") for line in err)


async def test_the_dashboard_header_says_dirsync_unknown_and_why(dashboard):
    made = dashboard(tenant=_tenant("least-privilege"))
    async with made.app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        status = made.app.query_one("StatusBar").shown.plain
        assert "dirsync ?" in status and "Organization.Read.All" in status and "dirsync OFF" not in status
        assert made.app.query_one("ErrorList").rows and "partial" in status  # contacts unread: never "complete"

