"""`syncdash check` and `syncdash report` end to end: CLI → SDK → emulated tenant."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from factories import DEMO_GRAPH_IN_ERROR, DEMO_IN_ERROR, DEMO_SERVER_IN_ERROR, conflict, contact, tenant, user

from syncdash.cli import main
from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS, build_demo_tenant
from syncdash.emulator.faults import Faults
from syncdash.emulator.server import serving
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, target: str, *source: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "check", target, *(source or ("--demo",)), "--format", "json")
    return code, json.loads(out)


def codes_of(result: dict) -> set[str]:
    return {f["code"] for step in result["steps"] for f in step["findings"]}


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("upn-conflict-user-user", {"provisioning-error", "duplicate-upn", "upn-quarantined", "same-identity"}),
        ("upn-conflict-both-sides", {"provisioning-error", "duplicate-upn"}),
        ("proxy-conflict-user-user", {"duplicate-proxy-address"}),
        ("proxy-conflict-user-group", {"duplicate-proxy-address"}),
        ("proxy-conflict-user-contact", {"duplicate-proxy-address"}),
        ("proxy-conflict-group-contact", {"duplicate-proxy-address"}),
        ("conflict-holder-deleted", {"duplicate-proxy-address", "conflict-holder-deleted"}),
        ("conflict-cleared", {"provisioning-error", "conflict-cleared"}),
        ("quote-and-accents", {"duplicate-proxy-address"}),
        ("service-error", {"service-error"}),
        ("service-error-group", {"service-error"}),
        ("in-recycle-bin", {"not-in-entra", "in-recycle-bin"}),
        ("cloud-only", {"cloud-only"}),
        ("sync-stopped", {"sync-stopped-for-object", "hard-match-blocked"}),
        ("soft-match-blocked", {"cloud-only", "soft-match-blocked"}),
        ("unverified-upn-domain", {"unverified-upn-domain"}),
        ("invalid-characters", {"invalid-characters"}),
        ("value-too-long", {"value-too-long"}),
        ("invalid-format", {"invalid-format"}),
        ("too-many-proxy-addresses", {"too-many-proxy-addresses"}),
    ],
)
def test_check_finds_each_demo_scenario(capsys, scenario, expected):
    code, result = check_json(capsys, DEMO_SCENARIOS[scenario])
    assert expected <= codes_of(result)
    assert code == (0 if all(s["status"] == "clear" for s in result["steps"]) else 1)
    assert result["schema"] == "syncdash.check/1" and result["tenant"]["name"] == "Contoso"


def test_a_healthy_object_passes_every_step_with_exit_zero(capsys):
    code, result = check_json(capsys, DEMO_SCENARIOS["healthy"])
    assert code == 0 and codes_of(result) == set()
    assert [s["status"] for s in result["steps"]] == ["clear", "clear", "clear"]


def test_upn_conflict_between_a_synced_and_a_cloud_only_user(capsys):
    _, result = check_json(capsys, DEMO_SCENARIOS["upn-conflict-user-user"])
    duplicate = next(f for s in result["steps"] for f in s["findings"] if f["code"] == "duplicate-upn")
    assert result["object"]["synced"] is True
    assert [(r["kind"], r["synced"], r["deleted"]) for r in duplicate["related"]] == [("user", False, False)]
    # the cloud-only holder is the same person (the same name, made before the sync):
    # step 2 gives the merge with the tenant's soft-match setting, never a rename
    assert duplicate["powershell"] is None
    merge = next(f for f in result["steps"][1]["findings"] if f["code"] == "same-identity")
    assert "blocks soft match" in merge["fix"] and merge["powershell"].startswith("Update-MgUser -UserId '")
    assert result["steps"][2]["needed"] is False


def test_proxy_conflict_between_a_user_and_a_contact(capsys):
    _, result = check_json(capsys, DEMO_SCENARIOS["proxy-conflict-user-contact"])
    duplicate = next(f for s in result["steps"] for f in s["findings"] if f["code"] == "duplicate-proxy-address")
    assert {r["kind"] for r in duplicate["related"]} == {"contact"}


def test_holder_in_the_recycle_bin(capsys):
    _, result = check_json(capsys, DEMO_SCENARIOS["conflict-holder-deleted"])
    deleted = next(f for s in result["steps"] for f in s["findings"] if f["code"] == "conflict-holder-deleted")
    assert deleted["severity"] == "warning" and deleted["related"][0]["deleted"] is True


def test_a_value_with_a_quote_and_accents_finds_its_holder(capsys):
    _, result = check_json(capsys, DEMO_SCENARIOS["quote-and-accents"])
    duplicate = next(f for s in result["steps"] for f in s["findings"] if f["code"] == "duplicate-proxy-address")
    assert "'" in duplicate["value"] and not duplicate["value"].isascii()
    assert duplicate["related"], "the other holder was not found"


def test_tenant_with_forbidden_sync_settings_reports_unknown_instead_of_crashing(capsys):
    emulator = GraphEmulator(TenantStore(build_demo_tenant(datetime.now(timezone.utc))),
                             Faults(deny={"directory/onPremisesSynchronization": 403}))
    with serving(emulator) as url:
        code, result = check_json(capsys, DEMO_SCENARIOS["sync-stopped"], "--graph-url", url)
    step3 = result["steps"][2]
    assert code == 1 and "syncSettings" in result["tenant"]["unknown"]
    assert any("OnPremDirectorySynchronization.Read.All" in reason for reason in step3["unknown"])
    assert "hard-match-blocked" not in codes_of(result) and "sync-stopped-for-object" in codes_of(result)


def _demo_file(tmp_path: Path, change=lambda data: None, **organization) -> Path:  # type: ignore[no-untyped-def]
    data = build_demo_tenant(datetime.now(timezone.utc))
    data["organization"][0].update(organization)
    change(data)
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("organization", "code", "severity"),
    [
        ({"onPremisesSyncEnabled": None}, "tenant-sync-disabled", "error"),
        ({"onPremisesLastSyncDateTime": (datetime.now(timezone.utc) - timedelta(hours=5)).isoformat()}, "tenant-sync-stale", "warning"),
        ({"onPremisesLastSyncDateTime": (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()}, "tenant-sync-stale", "error"),
    ],
)
def test_tenant_level_codes(capsys, tmp_path, organization, code, severity):
    path = _demo_file(tmp_path, **organization)
    _, result = check_json(capsys, DEMO_SCENARIOS["healthy"], "--tenant-file", str(path))
    assert [f["severity"] for f in result["steps"][2]["findings"] if f["code"] == code] == [severity]


def test_check_text_is_a_readable_checklist(capsys):
    code, out, _ = run(capsys, "--demo", "check", DEMO_SCENARIOS["conflict-holder-deleted"])
    assert code == 1
    assert "✗ Step 1: Check for synchronization errors" in out
    assert "Step 3: Troubleshoot an object that is not synchronizing  (not needed" in out
    assert "[ ] Microsoft 365 admin center" in out and "docs: https://docs.microsoft.com/" in out


def test_check_falls_back_to_ascii_marks_on_a_non_utf8_terminal():
    env = {"PYTHONIOENCODING": "ascii", "PATH": ""}
    done = subprocess.run([sys.executable, "-m", "syncdash", "--demo", "check", DEMO_SCENARIOS["healthy"]],
                          capture_output=True, env=env)
    assert done.returncode == 0, done.stderr
    assert b"[ok] Step 1" in done.stdout and "✓".encode() not in done.stdout


def test_ambiguous_and_missing_objects(capsys):
    code, _, err = run(capsys, "--demo", "check", "Daniel Kim")
    assert code == 2 and "2 objects match 'Daniel Kim'" in err
    code, result = check_json(capsys, "nobody.at.all@contoso.com")
    assert code == 1 and result["object"] is None and "not-in-entra" in codes_of(result)


def test_report_in_every_format(capsys, tmp_path):
    code, out, _ = run(capsys, "report", "--demo", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["schema"] == "syncdash.report/1" and report["complete"] is True
    assert len(report["objects"]) >= 25
    everything = {f["code"] for o in report["objects"] for f in o["findings"]}
    assert {"provisioning-error", "service-error", "duplicate-upn", "duplicate-proxy-address",
            "conflict-holder-deleted", "conflict-cleared", "upn-quarantined"} <= everything

    _, out, _ = run(capsys, "report", "--demo", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == sum(len(o["findings"]) for o in report["objects"])

    _, out, _ = run(capsys, "report", "--demo", "--format", "markdown")
    assert out.startswith("# Directory sync errors in Contoso") and out.count("\n## ") == len(report["objects"])

    target = tmp_path / "report.md"
    code, out, _ = run(capsys, "report", "--demo", "--format", "markdown", "--output", str(target))
    assert code == 1 and out == "" and target.read_text(encoding="utf-8").startswith("# Directory sync errors")


def _every_object_in_error(tmp_path: Path, *, soft_match: bool, **organization) -> Path:
    """The demo tenant with an (unheld) conflict on every object, so that the objects of
    the step-3 scenarios are in the report too."""
    def change(data: dict) -> None:
        data["onPremisesSynchronization"][0]["features"]["blockSoftMatchEnabled"] = not soft_match
        for collection in ("users", "groups", "contacts"):
            for obj in data[collection]:
                if not obj.get("onPremisesProvisioningErrors") and not obj.get("serviceProvisioningErrors"):
                    obj["onPremisesProvisioningErrors"] = [conflict("ProxyAddress", f"smtp:gone-{obj['id']}@contoso.com")]

    return _demo_file(tmp_path, change, **organization)


def test_the_report_carries_every_code_an_object_can_have(capsys, tmp_path):
    """Objects in Entra ID and (from Connect Health) objects whose export failed."""
    from syncdash.diagnose.catalog import CODES

    stale = (datetime.now(timezone.utc) - timedelta(hours=5)).isoformat()
    _, out, _ = run(capsys, "report", "--tenant-file", str(_every_object_in_error(
        tmp_path, soft_match=False, onPremisesLastSyncDateTime=stale)), "--format", "json")
    blocking = {f["code"] for o in json.loads(out)["objects"] for f in o["findings"]}
    _, out, _ = run(capsys, "report", "--tenant-file", str(_every_object_in_error(
        tmp_path, soft_match=True, onPremisesSyncEnabled=None)), "--format", "json")
    allowing = {f["code"] for o in json.loads(out)["objects"] for f in o["findings"]}
    only_for_check = {"in-recycle-bin"}  # a deleted object of the name asked for: the report lists live ones
    # AD's, with an export beside the tenant (test_audit.py); will-conflict-in-cloud: the audit's alone
    only_from_ad = {"duplicate-in-ad", "will-conflict-in-cloud", "not-in-ad", "anchor-mismatch"}
    only_from_server = {"import-error", "pending-export", "disconnector", "not-in-connector-space",
                        "sync-cycle-disabled", "staging-mode", "single-object-sync"}  # test_server_evidence.py
    assert blocking | allowing == set(CODES) - only_for_check - only_from_ad - only_from_server
    assert "soft-match-candidate" not in blocking and "soft-match-blocked" not in allowing


def test_report_neutralises_spreadsheet_formulas_and_escapes_markdown(capsys, tmp_path):
    evil = user("=HYPERLINK(\"http://x\") **[pwn](http://evil)**", "evil@contoso.com",
                onPremisesProvisioningErrors=[conflict("ProxyAddress", "smtp:+cmd|' /C calc'!A0@contoso.com")])
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant(users=[evil])), encoding="utf-8")
    _, out, _ = run(capsys, "report", "--tenant-file", str(path), "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["displayName"].startswith("'=") and row["kind"] == "user"
    _, out, _ = run(capsys, "report", "--tenant-file", str(path), "--format", "markdown")
    assert "\\*\\*\\[pwn\\](http://evil)\\*\\*" in out and "**[pwn]" not in out


def test_report_exits_zero_on_a_clean_tenant(capsys, tmp_path):
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(tenant(users=[user("Ann", "ann@contoso.com")], contacts=[contact("C", "c@x.com")])))
    code, out, _ = run(capsys, "report", "--tenant-file", str(path))
    assert code == 0 and "0 objects with sync errors (complete scan)" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "no tenant configured"),
        (["report", "--profile", "nope"], "unknown profile 'nope' (no profiles are configured)"),
        (["--demo"], "the dashboard needs a terminal"),
        (["report", "--tenant-file", "/nonexistent/t.json"], "cannot read tenant file"),
        (["report", "--graph-url", "https://graph.microsoft.com/v1.0"], "needs a sign-in: add a profile"),
        (["report", "--graph-url", "http://127.0.0.1:9/v1.0"], "not reachable"),
        (["--demo", "report", "--tenant-file", "x.json"], "choose one of"),
        (["report", "--demo", "--output", "/nonexistent/dir/out.txt"], "cannot write"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(capsys, argv, words):
    code, _, err = run(capsys, *argv)
    assert code == 2 and words in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) <= 2


def test_the_emulator_serves_a_tenant_file_to_a_separate_syncdash(tmp_path):
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant(users=[user("Ann", "ann@contoso.com",
                    onPremisesProvisioningErrors=[conflict("ProxyAddress", "smtp:x@contoso.com")])])))
    server = subprocess.Popen([sys.executable, "-m", "syncdash.emulator", str(path), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1.0")
        done = subprocess.run([sys.executable, "-m", "syncdash", "report", "--graph-url", url],
                              capture_output=True, text=True, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 1, done.stderr
    assert "Ann" in done.stdout and "smtp:x@contoso.com" in done.stdout


def test_argument_errors_are_argparse_one_liners(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--demo", "--refresh", "0"])
    err = capsys.readouterr().err
    expected = "a refresh interval is 1 to 86400 seconds"  # argparse's message, not a timing
    assert exit_info.value.code == 2 and expected in err


def test_report_without_the_contacts_permission_says_what_it_left_out(capsys):
    emulator = GraphEmulator(TenantStore(build_demo_tenant(datetime.now(timezone.utc))), Faults(deny={"contacts": 403}))
    with serving(emulator) as url:
        code, out, err = run(capsys, "report", "--graph-url", url, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["complete"] is False
    assert {o["kind"] for o in report["objects"]} == {"user", "group"}
    assert "OrgContact.Read.All" in err


def test_a_loopback_url_never_gets_the_default_profiles_sign_in(capsys, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[profiles.contoso]\ntenant = "contoso.onmicrosoft.com"\n', encoding="utf-8")
    monkeypatch.setenv("SYNCDASH_CONFIG", str(config))
    with serving(GraphEmulator(TenantStore(build_demo_tenant(datetime.now(timezone.utc))))) as url:
        code, out, err = run(capsys, "report", "--graph-url", url)
    assert code == 1 and f"{DEMO_GRAPH_IN_ERROR} objects with sync errors" in out and err == ""
    code, _, err = run(capsys, "report", "--graph-url", "https://graph.example.net/v1.0")
    assert code == 2 and "is not the Graph of profile 'contoso' (graph.microsoft.com)" in err


def test_report_of_nothing_found_with_a_kind_unread_is_not_all_clear(capsys):
    clean = tenant(users=[user("Ann", "ann@contoso.com")], contacts=[contact("C", "c@x.com")])
    emulator = GraphEmulator(TenantStore(clean), Faults(deny={"users": 403}))
    with serving(emulator) as url:
        code, out, err = run(capsys, "report", "--graph-url", url)
    assert code == 2 and "0 objects with sync errors (partial list)" in out and "User.Read.All" in err


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize(("command", "fmt"), [("report", "table"), ("report", "json"), ("report", "csv"),
                                              ("report", "markdown"), ("check", "text"), ("check", "json")])
def test_every_format_prints_on_a_terminal_that_is_not_utf8(encoding, command, fmt):
    target = [DEMO_SCENARIOS["quote-and-accents"]] if command == "check" else []
    done = subprocess.run([sys.executable, "-m", "syncdash", "--demo", command, *target, "--format", fmt],
                          capture_output=True, env={"PYTHONIOENCODING": encoding, "PATH": ""})
    assert done.returncode == 1 and done.stderr == b"", done.stderr
    if fmt in ("json", "csv", "markdown"):  # for programs: UTF-8, whatever the terminal
        assert "Seán O" in done.stdout.decode("utf-8")
    else:
        assert ("Se?n O" if encoding == "ascii" else "Seán O") in done.stdout.decode(encoding)
    if fmt == "table":  # to a pipe: a line a row, nothing cut, the columns aligned
        lines = done.stdout.decode(encoding).splitlines()
        header, *rows = lines[next(i for i, line in enumerate(lines) if line.startswith("KIND")):]
        column = header.index("PROPERTY")
        assert "~" not in "".join(rows) and all(row[column - 2:column] == "  " and row[column] != " " for row in rows)
    if fmt == "text":  # a command is shown only when its accented address is shown as it is
        assert b"-> Operations" in done.stdout
        assert (b"Set-ADUser" in done.stdout) is (encoding == "cp1252")


def test_an_object_matching_hundreds_lists_a_few_and_counts_the_rest(capsys, tmp_path):
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant(users=[user(f"Sam {i:03d}", f"sam{i}@contoso.com") for i in range(300)])))
    code, _, err = run(capsys, "check", "Sam", "--tenant-file", str(path))
    lines = err.strip().splitlines()
    assert code == 2 and lines[0] == "syncdash: 300 objects match 'Sam'; name one:"
    assert len(lines) == 22 and lines[-1].startswith("  … and 280 more")


def test_garbage_collection_is_back_on_after_every_command(capsys):
    """Start-up runs with collection paused; a command or a test process left without it
    would grow without bound."""
    import gc

    run(capsys, "--demo", "report")
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["--demo", "--refresh", "0"])
    assert gc.isenabled()


def test_the_streamed_json_report_is_exactly_the_indented_document(capsys):
    """The report is written object by object (a 100,000-object report is never held
    whole); what comes out is still one JSON document, formatted as json.dumps would."""
    code, out, _ = run(capsys, "--demo", "report", "--format", "json")
    document = json.loads(out)
    assert code == 1 and len(document["objects"]) == DEMO_IN_ERROR + DEMO_SERVER_IN_ERROR
    assert out.rstrip("\n") == json.dumps(document, indent=2, ensure_ascii=False)
