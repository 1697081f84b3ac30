"""The Connect server's files in ``check``, ``report``, ``import`` and ``collect-script``,
as a script or an admin runs them: findings marked ``"source": "server"``, objects only
the server knows, the files' age, and bad files refused in one line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from syncdash.cli import main
from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.emulator.scenarios.onprem_demo import demo_ldif
from syncdash.emulator.scenarios.server_demo import write_demo_server_files


@dataclass
class Demo:
    """The demo tenant as a tenant file, and its AD as an ldifde export: a source with no
    server files of its own, so only the files a test gives (or imports) can answer."""

    tenant: list[str]
    args: list[str]
    key: str


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    now = datetime.now(timezone.utc)
    tenant = build_demo_tenant(now)
    path, export = tmp_path / "contoso.json", tmp_path / "contoso.ldf"
    path.write_text(json.dumps(tenant), encoding="utf-8")
    export.write_text(demo_ldif(tenant, now), encoding="utf-8")
    return Demo(["--tenant-file", str(path)], ["--tenant-file", str(path), "--ad-export", str(export)],
                f"file:{path.resolve()}")


@pytest.fixture
def server_files(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir()
    now = datetime.now(timezone.utc)
    write_demo_server_files(build_demo_tenant(now), now, folder)
    return folder


def _run(capsys, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def, type-arg]
    code = main([*args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _server_findings(result: dict) -> list[dict]:  # type: ignore[type-arg]
    return [f for step in result["steps"] for f in step["findings"] if f["source"] == "server"]


def test_an_object_whose_first_export_failed_is_known_by_the_server_alone(capsys, server_files, demo):
    files = sorted(str(p) for p in server_files.iterdir())
    code, result = _run(capsys, "check", "CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com", *demo.args,
                        "--server-evidence", *files)
    assert code == 1
    assert result["object"]["id"] is None and result["object"]["inEntra"] is False
    assert result["object"]["distinguishedName"] == "CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com"
    export = next(f for f in _server_findings(result) if f["code"] == "export-error")
    assert export["errorType"] == "AttributeValueMustBeUnique" and export["value"] == "smtp:sales@contoso.com"
    [holder] = export["related"]
    assert holder["displayName"] == "Sales Team" and holder["id"]  # ObjectIdInConflict, as Graph knows it
    assert {"pending-export"} <= {f["code"] for f in _server_findings(result)}
    server = next(s for s in result["sources"] if s["name"] == "server")
    assert server["state"] == "read" and server["asOf"] and "2 h old" in server["read"]


def test_the_report_lists_server_only_objects_and_every_server_finding(capsys, server_files, demo):
    code, result = _run(capsys, "report", *demo.args, "--server-evidence", str(server_files))
    assert code == 1
    alone = {o["distinguishedName"]: o for o in result["objects"] if not o["inEntra"]}
    assert {"CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com", "CN=Ana Lima,OU=New Hires,DC=contoso,DC=com"} <= set(alone)
    assert all(o["id"] is None for o in alone.values())
    codes = {(f["code"], f["source"]) for o in result["objects"] for f in o["findings"]}
    assert {("export-error", "server"), ("import-error", "server"), ("existing-object-conflict", "server")} <= codes
    assert any(s["name"] == "server" and s["asOf"] for s in result["sources"])


def test_the_server_answers_why_an_ad_object_is_not_synchronizing(capsys, server_files, demo):
    code, result = _run(capsys, "check", "omar.haddad@contoso.com", *demo.args, "--server-evidence", str(server_files))
    codes = {f["code"] for f in _server_findings(result)}
    assert code == 1 and {"not-in-connector-space", "single-object-sync"} <= codes
    failed = next(f for f in _server_findings(result) if f["code"] == "single-object-sync")
    assert "Group filtering is enabled" in failed["message"] and failed["severity"] == "error"
    manual = {m["key"]: m for step in result["steps"] for m in step["manual"]}
    assert "not in the AD connector space" in manual["connector-space"]["answered"]
    assert "Failure" in manual["troubleshooter"]["answered"]
    assert "sync cycle enabled" in manual["scheduler"]["answered"]


def test_a_staging_server_and_a_disabled_cycle_are_said_for_every_object(capsys, tmp_path, demo):
    scheduler = tmp_path / "scheduler.json"
    scheduler.write_text(json.dumps({"SyncCycleEnabled": False, "StagingModeEnabled": True}))
    code, result = _run(capsys, "check", "daniel.kim@contoso.com", *demo.args, "--server-evidence", str(scheduler))
    codes = {f["code"] for f in _server_findings(result)}
    assert code == 1 and {"staging-mode", "sync-cycle-disabled"} <= codes
    manual = {m["key"]: m for step in result["steps"] for m in step["manual"]}
    assert manual["connector-space"]["answered"] is None  # no csexport: stays manual, saying why
    assert "no complete csexport of the AD connector" in manual["connector-space"]["text"]


def test_a_file_that_is_not_the_servers_is_one_line_and_exit_2(capsys, tmp_path, demo):
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing to see\n")
    assert main(["check", "daniel.kim@contoso.com", *demo.args, "--server-evidence", str(notes)]) == 2
    err = capsys.readouterr().err.strip()
    assert "notes.txt" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_imported_files_are_used_by_later_runs_listed_with_their_age_and_forgotten(capsys, server_files, demo):
    code, result = _run(capsys, "check", "CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com", *demo.tenant)
    assert result["object"] is None  # nothing but the server's files knows him
    assert main(["import", str(server_files), *demo.tenant]) == 0
    assert "imported scheduler.json (scheduler" in capsys.readouterr().out
    assert main(["import", "--list", *demo.tenant]) == 0
    listed = capsys.readouterr().out
    assert "csexport-contoso.com.xml\tcsexport" in listed and "2 h old" in listed
    code, result = _run(capsys, "check", "CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com", *demo.args)
    assert result["object"]["inEntra"] is False  # no --server-evidence: the imported files answer
    assert main(["import", "--forget", "scheduler.json", *demo.tenant]) == 0
    capsys.readouterr()
    assert main(["import", "--list", *demo.tenant]) == 0
    assert "scheduler.json" not in capsys.readouterr().out
    assert main(["import", "--forget", *demo.tenant]) == 0
    assert main(["import", "--forget", "gone.json", *demo.tenant]) == 2
    assert "not imported" in capsys.readouterr().err


def test_a_bad_file_in_an_import_copies_nothing(capsys, server_files, tmp_path, demo):
    (server_files / "zz-notes.txt").write_text("not evidence")
    assert main(["import", str(server_files), *demo.tenant]) == 2
    assert "zz-notes.txt" in capsys.readouterr().err
    assert main(["import", "--list", *demo.tenant]) == 0
    assert "no server files imported" in capsys.readouterr().out


def test_the_collect_script_reads_only_and_quotes_what_the_admin_gives(capsys, tmp_path):
    output = tmp_path / "collect.ps1"
    assert main(["collect-script", "--object", "CN=O'Brien\\, Pat,OU=Users,DC=contoso,DC=com",
                 "--output", str(output)]) == 0
    script = output.read_text(encoding="utf-8")
    assert script.startswith("\ufeff")  # Windows PowerShell 5.1 reads it as UTF-8
    assert "csexport.exe" in script and "Get-ADSyncScheduler" in script and "Export-ADSyncToolsAadDisconnectors" in script
    assert "'CN=O''Brien\\, Pat,OU=Users,DC=contoso,DC=com'" in script
    assert "Invoke-ADSyncSingleObjectSync -DistinguishedName $Dn -StagingMode" in script
    for write in ("Set-ADSync", "Remove-ADSync", "Start-ADSyncSyncCycle", "Set-AD"):
        assert write not in script
    assert main(["collect-script", "--object", "CN=x\n$(evil)"]) == 2


async def test_the_dashboard_shows_the_servers_view_of_the_chosen_object_and_the_files_age(dashboard):
    """The detail pane's Connect server section (connector-space DNs, join, pending export,
    the last export error, sync rules) and the files' age in the header."""
    from conftest import choose, settle
    from test_first_hour import rendered

    from syncdash.ui.widgets.detail_pane import DetailPane
    from syncdash.ui.widgets.status_bar import StatusBar

    app = dashboard(health=True, server=True).app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        header = app.query_one(StatusBar).shown.plain
        assert "Connect server files of 2026-" in header and "(2 h 00 min ago)" in header
        await choose(app, pilot, "proxy-conflict-user-user")
        pane = app.query_one(DetailPane)
        text = rendered(pane.shown, pane.content_region.width)
        assert "Connect server  (6 files" in text
        assert "AD connector space" in text and "CN=Isaiah Langer" in text
        assert "Entra connector space" in text and "CN={" in text and "joined, metaverse" in text
        assert "last export error" in text and "AttributeValueMustBeUnique" in text and "retried" in text
        assert "Out to AAD - User Join" in text  # the CS object's lineage
        assert "Export errors (Connect Health, the Connect server)" in text
        assert "(the Connect server, " in text and "retried 96 times; conflicting cloud" in text


def test_disconnectors_on_either_side_are_named_with_where_they_are(capsys, server_files, demo):
    """Lab Admin is in the AD connector space but no inbound rule's scope; Patti Fernandez's
    cloud user (in the recycle bin) is an Entra connector object joined to nothing."""
    code, result = _run(capsys, "check", "labadmin@contoso.local", *demo.args, "--server-evidence", str(server_files))
    [ad_side] = [f for f in _server_findings(result) if f["code"] == "disconnector"]
    assert code == 1 and "CN=Lab Admin,OU=New Hires" in ad_side["message"] and "in the AD connector space" in ad_side["message"]
    code, result = _run(capsys, "check", "patti.fernandez@contoso.com", *demo.args, "--server-evidence", str(server_files))
    [entra_side] = [f for f in _server_findings(result) if f["code"] == "disconnector"]
    assert "Entra connector object CN={" in entra_side["message"] and "joined to no on-premises object" in entra_side["message"]


def test_a_file_named_like_the_manifest_is_imported_as_any_other(capsys, tmp_path, demo):
    scheduler = tmp_path / ".manifest.json"
    scheduler.write_text(json.dumps({"SyncCycleEnabled": True, "StagingModeEnabled": False}))
    assert main(["import", str(scheduler), *demo.tenant]) == 0
    capsys.readouterr()
    assert main(["import", "--list", *demo.tenant]) == 0
    assert "manifest.json\tscheduler" in capsys.readouterr().out


NEW_ANCHOR = "AAECAwQFBgcICQoLDA0ODw=="


def _entra_only(folder: Path) -> Path:
    """An Entra connector csexport alone: a user whose first export Entra ID refused."""
    dn = "CN={" + NEW_ANCHOR.encode("ascii").hex().upper() + "}"
    path = folder / "entra.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><cs-objects><cs-object cs-dn="{dn}" id="{{9}}" object-type="user">'
        f'<unapplied-export><delta operation="add" dn="{dn}">'
        '<attr name="userPrincipalName" type="string" multivalued="false"><value>nia.okafor@contoso.com</value></attr>'
        '<attr name="displayName" type="string" multivalued="false"><value>Nia Okafor</value></attr>'
        '<attr name="onPremisesDistinguishedName" type="string" multivalued="false">'
        '<value>CN=Nia Okafor,OU=Staff,DC=contoso,DC=com</value></attr></delta></unapplied-export>'
        '<export-errordetail first-occurred="2026-11-29 08:00:00.000" date-occurred="2026-11-30 08:00:00.000" '
        'retry-count="48" error-type="cd-error"><export-status><cd-error><error-code>0x8023134a</error-code>'
        '<error-literal>InvalidSoftMatch</error-literal><server-error-detail>[UserPrincipalName '
        'daniel.kim@contoso.com;]</server-error-detail></cd-error></export-status></export-errordetail>'
        '<connector>1</connector></cs-object></cs-objects>', encoding="utf-8")
    return path


def test_an_entra_connector_export_alone_lists_the_object_entra_id_refused(capsys, tmp_path, demo):
    code, result = _run(capsys, "report", *demo.args, "--server-evidence", str(_entra_only(tmp_path)))
    [nia] = [o for o in result["objects"] if o["displayName"] == "Nia Okafor"]
    assert code == 1 and nia["id"] is None and nia["inEntra"] is False
    assert nia["distinguishedName"] == "CN=Nia Okafor,OU=Staff,DC=contoso,DC=com"
    [error] = [f for f in nia["findings"] if f["code"] == "export-error"]
    assert error["source"] == "server" and error["errorType"] == "InvalidSoftMatch"
    assert error["attribute"] == "userPrincipalName" and error["value"] == "daniel.kim@contoso.com"
    assert "retried 48 times" in error["message"]
    code, result = _run(capsys, "check", "nia.okafor@contoso.com", *demo.args, "--server-evidence",
                        str(_entra_only(tmp_path)))
    assert result["object"]["distinguishedName"] == "CN=Nia Okafor,OU=Staff,DC=contoso,DC=com"


def test_absence_proves_filtering_only_of_an_object_known_to_exist(capsys, server_files, demo):
    """A typo'd DN, or an object Connect Health says the server tried to export, is not
    "filtered out" for being absent from the AD connector's export."""
    for query in ("CN=Nobody Here,OU=Typo,DC=contoso,DC=com", "CN=Kenji Tanaka,OU=Users,OU=Contoso,DC=contoso,DC=com"):
        _, result = _run(capsys, "check", query, *demo.args, "--server-evidence", str(server_files))
        assert "not-in-connector-space" not in {f["code"] for f in _server_findings(result)}, query


def test_an_export_of_one_object_is_not_the_whole_connector_space(capsys, server_files, tmp_path, demo):
    whole = (server_files / "csexport-contoso.com.xml").read_text(encoding="utf-16")
    start = whole.index('<cs-object cs-dn="CN=Priya Shah')
    one = tmp_path / "one.xml"  # csexport "contoso.com" one.xml /f:d="CN=Priya Shah,…"
    one.write_text('<?xml version="1.0" encoding="UTF-8"?><cs-objects>'
                   + whole[start:whole.index("</cs-object>", start) + 12] + "</cs-objects>", encoding="utf-8")
    _, result = _run(capsys, "check", "omar.haddad@contoso.com", *demo.args, "--server-evidence", str(one))
    assert "not-in-connector-space" not in {f["code"] for f in _server_findings(result)}
    manual = {m["key"]: m for step in result["steps"] for m in step["manual"]}
    assert manual["connector-space"]["answered"] is None and "no complete csexport" in manual["connector-space"]["text"]


def test_the_operations_check_is_answered_only_from_files_that_show_errors(capsys, server_files, demo):
    ad_only = str(server_files / "csexport-contoso.com.xml")
    _, result = _run(capsys, "check", "CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com", *demo.args,
                     "--server-evidence", ad_only)
    manual = {m["key"]: m for m in result["steps"][0]["manual"]}
    assert manual["service-manager-operations"]["answered"] is None  # his error is on the Entra connector
    _, result = _run(capsys, "check", "isaiah.langer@contoso.com", *demo.args, "--server-evidence", str(server_files))
    answered = {m["key"]: m for m in result["steps"][0]["manual"]}["service-manager-operations"]["answered"]
    assert "Entra connector export error AttributeValueMustBeUnique" in answered


def test_a_repeated_flag_and_an_empty_folder(capsys, server_files, tmp_path, demo):
    scheduler, entra = server_files / "scheduler.json", server_files / "csexport-contoso.onmicrosoft.com_-_AAD.xml"
    code, result = _run(capsys, "check", "CN=Sam Rivera,OU=New Hires,DC=contoso,DC=com", *demo.args,
                        "--server-evidence", str(scheduler), "--server-evidence", str(entra))
    assert result["object"]["inEntra"] is False and "2 files" in next(
        s for s in result["sources"] if s["name"] == "server")["read"]
    (tmp_path / "empty").mkdir()
    assert main(["check", "x", *demo.args, "--server-evidence", str(tmp_path / "empty")]) == 2
    assert "names no file" in capsys.readouterr().err


def test_imports_never_collide_and_a_tampered_manifest_is_not_believed(capsys, tmp_path, server_files, demo):
    import os

    from syncdash.server.imported import MANIFEST, tenant_folder
    from syncdash.store import default_data_dir

    twins = tmp_path / "twins"
    twins.mkdir()
    for name in ("a.json", ".a.json"):
        (twins / name).write_text(json.dumps({"SyncCycleEnabled": True}))
    assert main(["import", str(twins / "a.json"), str(twins / ".a.json"), *demo.tenant]) == 2
    assert "would be stored as a.json" in capsys.readouterr().err
    assert main(["import", str(server_files / "scheduler.json"), *demo.tenant]) == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    manifest = tenant_folder(default_data_dir(), demo.key) / MANIFEST
    entries = json.loads(manifest.read_text())
    entries.append({**entries[0], "name": os.path.relpath(victim, manifest.parent), "kind": "\x1b[31mscheduler"})
    manifest.write_text(json.dumps(entries))
    capsys.readouterr()
    assert main(["import", "--list", *demo.tenant]) == 0
    listed = capsys.readouterr().out
    assert "victim" not in listed and "\x1b" not in listed and "scheduler.json" in listed
    assert main(["import", "--forget", *demo.tenant]) == 0
    assert victim.read_text() == "keep me"
