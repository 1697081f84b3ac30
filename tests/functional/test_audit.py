"""``syncdash audit``, IdFix's successor, as a script or an admin runs it: every output
format, the tenant side only when a tenant is named, and bad exports refused in a line."""

from __future__ import annotations

import base64
import json
import os
import pty
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from syncdash.cli import main
from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.emulator.scenarios.onprem_demo import ONPREM_SCENARIOS, demo_ldif


@pytest.fixture
def demo_export(tmp_path: Path) -> Path:
    now = datetime.now(timezone.utc)
    path = tmp_path / "contoso.ldf"
    path.write_text(demo_ldif(build_demo_tenant(now), now))
    return path


def _json(capsys, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def, type-arg]
    code = main(["audit", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_demo_audit_finds_every_kind_of_problem_with_its_holders(capsys):
    code, result = _json(capsys, "--demo")
    assert code == 1 and result["schema"] == "syncdash.audit/1"
    assert [(s["name"], s["state"]) for s in result["sources"]] == [("ad", "read"), ("graph", "read")]
    codes = {f["code"] for o in result["objects"] for f in o["findings"]}
    assert set(ONPREM_SCENARIOS) <= codes
    by_upn = {o["userPrincipalName"]: o for o in result["objects"]}
    priya = next(f for f in by_upn[ONPREM_SCENARIOS["duplicate-in-ad"]]["findings"] if f["code"] == "duplicate-in-ad")
    assert priya["value"] == "smtp:priya@contoso.com"
    assert [(r["source"], r["distinguishedName"]) for r in priya["related"]] == [
        ("ad", "CN=Priya Sharma,OU=New Hires,DC=contoso,DC=com")]
    sam = next(f for f in by_upn[ONPREM_SCENARIOS["will-conflict-in-cloud"]]["findings"]
               if f["code"] == "will-conflict-in-cloud")
    assert sam["value"] == "smtp:sales@contoso.com" and sam["related"][0]["source"] == "graph"
    assert sam["related"][0]["id"] and sam["related"][0]["displayName"] == "Sales Team"
    for obj in result["objects"]:
        assert obj["distinguishedName"] and obj["kind"] in ("user", "group", "contact")
        for f in obj["findings"]:
            assert {"code", "severity", "attribute", "value", "message", "related", "fix", "powershell"} <= set(f)
            assert f["source"] == "ad"


def test_without_a_tenant_the_cloud_rules_are_skipped_and_say_so(capsys, demo_export):
    code, result = _json(capsys, "--ad-export", str(demo_export))
    graph = next(s for s in result["sources"] if s["name"] == "graph")
    assert graph["state"] == "skipped" and "will-conflict-in-cloud" in graph["reason"]
    codes = {f["code"] for o in result["objects"] for f in o["findings"]}
    assert "duplicate-in-ad" in codes and not codes & {"will-conflict-in-cloud", "unverified-upn-domain"}
    assert code == 1


def test_several_exports_after_one_flag_or_a_repeated_flag_are_read_together(capsys, tmp_path):
    first, second = tmp_path / "a.ldf", tmp_path / "b.ldf"
    first.write_text("dn: CN=A,DC=a,DC=com\nchangetype: add\nobjectClass: user\nuserPrincipalName: a@a.com\n"
                     "proxyAddresses: smtp:shared@a.com\n")
    second.write_text("DN,objectClass,userPrincipalName,proxyAddresses\n"
                      "\"CN=B,DC=b,DC=com\",user,b@a.com,smtp:shared@a.com\n")
    for args in (["--ad-export", str(first), str(second)], ["--ad-export", str(first), "--ad-export", str(second)]):
        code, result = _json(capsys, *args)
        assert code == 1 and result["sources"][0]["objects"] == 2
        assert {o["distinguishedName"] for o in result["objects"]} == {"CN=A,DC=a,DC=com", "CN=B,DC=b,DC=com"}


def test_a_clean_directory_exits_0(capsys, tmp_path):
    clean = tmp_path / "clean.ldf"
    clean.write_text("version: 1\n\ndn: CN=A,DC=a,DC=com\nchangetype: add\nobjectClass: user\n"
                     "userPrincipalName: a@a.com\ndisplayName: A\n")
    assert main(["audit", "--ad-export", str(clean)]) == 0
    assert "1 objects audited, 0 with findings" in capsys.readouterr().out


def test_the_script_runs_nothing_by_itself_even_with_a_crafted_value(capsys, tmp_path):
    crafted = tmp_path / "crafted.ldf"
    # a proxy address that tries to end the comment and the string: base64 keeps its newline
    import base64
    value = base64.b64encode(b"smtp:x@contoso.com'}\nRemove-ADUser -Identity admin #").decode()
    crafted.write_text(f"dn: CN=Mallory,DC=contoso,DC=com\nchangetype: add\nobjectClass: user\n"
                       f"sAMAccountName: mallory\nuserPrincipalName: mallory@contoso.com\nproxyAddresses:: {value}\n")
    main(["--demo", "audit", "--format", "ps1"])
    demo_script = capsys.readouterr().out
    main(["audit", "--ad-export", str(crafted), "--format", "ps1"])
    script = capsys.readouterr().out
    for text in (demo_script, script):
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[0] == "\ufeff#Requires -Modules ActiveDirectory"  # PowerShell 5.1 reads it as UTF-8
        lines[0] = lines[0].lstrip("\ufeff")
        assert all(line.startswith("#") for line in lines), "every line is a comment: nothing runs as written"
    assert ("# Set-ADUser -Identity 'CN=Priya Sharma,OU=New Hires,DC=contoso,DC=com' -Server 'contoso.com' "
            "-Remove @{proxyAddresses='smtp:priya@contoso.com'}") in demo_script
    assert "Remove-ADUser" not in "".join(line for line in script.splitlines() if not line.startswith("#"))
    assert any("Set-ADUser -Identity 'CN=Mallory,DC=contoso,DC=com'" in line for line in script.splitlines())


def test_csv_and_markdown_are_safe_to_open_and_paste(capsys, tmp_path):
    import csv
    import io

    crafted = tmp_path / "crafted.ldf"  # a display name a spreadsheet would run, on an object with a finding
    crafted.write_text("dn: CN=Eve,DC=contoso,DC=com\nchangetype: add\nobjectClass: user\nsAMAccountName: eve\n"
                       "displayName: =HYPERLINK(\"http://x.invalid\")\nuserPrincipalName: eve smith@contoso.com\n")
    main(["audit", "--ad-export", str(crafted), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["kind", "displayName", "distinguishedName"]
    assert "'=HYPERLINK(\"http://x.invalid\")" in [row[1] for row in rows[1:]]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    main(["audit", "--demo", "--format", "markdown"])
    out = capsys.readouterr().out
    assert out.startswith("# On-premises AD audit") and "suggestion (review before running): `Set-AD" in out


@pytest.mark.parametrize(("content", "expected"), [
    ("dn: CN=A,DC=a\nchangetype: modify\nreplace: mail\nmail: a@a.com\n", "line 2"),
    ("just some notes\nnothing to see\n", "not an ldifde (LDIF) or csvde (CSV) export"),
])
def test_a_file_that_is_not_an_export_is_refused_in_one_line(capsys, tmp_path, content, expected):
    path = tmp_path / "input.ldf"
    path.write_text(content)
    assert main(["audit", "--ad-export", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_audit_without_a_directory_is_a_usage_error(capsys):
    assert main(["audit"]) == 2
    assert "--ad-url" in capsys.readouterr().err


def test_progress_shows_on_a_terminal_and_never_in_the_output(demo_export):
    """stderr on a pseudo-terminal (as an admin watches it), stdout to a pipe (a file)."""
    leader, follower = pty.openpty()
    run = subprocess.run([sys.executable, "-m", "syncdash", "audit", "--ad-export", str(demo_export),
                          "--format", "json"], stdout=subprocess.PIPE, stderr=follower, timeout=120,
                         env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert run.returncode == 1 and json.loads(run.stdout)["schema"] == "syncdash.audit/1"
    assert b"objects read" in shown and b"findings" in shown
    quiet = subprocess.run([sys.executable, "-m", "syncdash", "audit", "--ad-export", str(demo_export), "--quiet"],
                           capture_output=True, timeout=120)
    assert b"objects read" not in quiet.stderr


def _anchor(guid: str) -> str:
    import uuid

    return base64.b64encode(uuid.UUID(guid).bytes_le).decode()


def test_check_and_report_answer_the_on_premises_side_from_an_export(capsys, tmp_path):
    """A tenant and its AD export: the duplicate's other AD holder named (step 2), an
    object AD no longer has and one whose anchor differs (step 3), with source "ad"."""
    from factories import conflict, tenant, user

    guids = {name: f"{n:08x}-0000-4000-8000-000000000000" for n, name in enumerate("abcd", start=1)}
    ann = user("Ann Lee", "ann@contoso.com", onPremisesImmutableId=_anchor(guids["a"]),
               onPremisesDistinguishedName="CN=Ann Lee,OU=Staff,DC=contoso,DC=com",
               onPremisesProvisioningErrors=[conflict("ProxyAddresses", "smtp:sales@contoso.com")])
    bob = user("Bob Stone", "bob@contoso.com", onPremisesImmutableId=_anchor(guids["b"]),
               proxyAddresses=["SMTP:bob@contoso.com", "smtp:sales@contoso.com"])
    gone = user("Gone User", "gone@contoso.com", onPremisesImmutableId=_anchor(guids["c"]),
                onPremisesProvisioningErrors=[conflict("UserPrincipalName", "gone@contoso.com")])
    moved = user("Dan Moved", "dan@contoso.com", onPremisesImmutableId=_anchor(guids["d"]),
                 onPremisesDistinguishedName="CN=Dan Moved,OU=Staff,DC=contoso,DC=com",
                 onPremisesProvisioningErrors=[conflict("ProxyAddresses", "smtp:dan.m@contoso.com")])
    tenant_file = tmp_path / "tenant.json"
    tenant_file.write_text(json.dumps(tenant(users=[ann, bob, gone, moved])))

    def entry(dn: str, guid: str, upn: str, *proxies: str) -> str:
        import uuid

        raw = base64.b64encode(uuid.UUID(guid).bytes_le).decode()
        return "\n".join([f"dn: {dn}", "changetype: add", "objectClass: user", f"objectGUID:: {raw}",
                          f"userPrincipalName: {upn}", *(f"proxyAddresses: {p}" for p in proxies)])

    export = tmp_path / "contoso.ldf"
    export.write_text("\n\n".join([
        entry("CN=Ann Lee,OU=Staff,DC=contoso,DC=com", guids["a"], "ann@contoso.com", "smtp:sales@contoso.com"),
        entry("CN=Bob Stone,OU=Staff,DC=contoso,DC=com", guids["b"], "bob@contoso.com", "smtp:SALES@contoso.com"),
        entry("CN=Dan Moved,OU=Staff,DC=contoso,DC=com", "99999999-0000-4000-8000-000000000000", "dan@contoso.com"),
    ]) + "\n")
    main(["--tenant-file", str(tenant_file), "report", "--ad-export", str(export), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert next(s for s in report["sources"] if s["name"] == "ad")["read"] == f"{export}: 3 objects"
    found = {(o["displayName"], f["code"]): f for o in report["objects"] for f in o["findings"] if f["source"] == "ad"}
    assert set(found) == {("Ann Lee", "duplicate-in-ad"), ("Gone User", "not-in-ad"), ("Dan Moved", "anchor-mismatch")}
    assert [r["distinguishedName"] for r in found[("Ann Lee", "duplicate-in-ad")]["related"]] == [
        "CN=Bob Stone,OU=Staff,DC=contoso,DC=com"]

    main(["--tenant-file", str(tenant_file), "check", "ann@contoso.com", "--ad-export", str(export), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    answered = {m["key"]: m["answered"] for step in result["steps"] for m in step["manual"]}
    assert "CN=Bob Stone,OU=Staff,DC=contoso,DC=com" in answered["source-holder"]
    assert answered["ad-object"].endswith("found by its anchor)") and "OU=Staff,DC=contoso,DC=com" in answered["ad-object"]


def test_an_unreadable_ad_source_leaves_the_checks_manual_with_the_reason(capsys, tmp_path):
    missing = tmp_path / "nowhere.ldf"
    code = main(["--demo", "check", "isaiah.langer@contoso.com", "--ad-export", str(missing), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    manual = {m["key"]: m for step in result["steps"] for m in step["manual"]}
    assert manual["source-holder"]["answered"] is None and "not read by syncdash" in manual["source-holder"]["text"]
    assert next(s for s in result["sources"] if s["name"] == "ad")["state"] == "unavailable"


def test_check_of_an_object_only_in_ad_says_why_it_is_not_in_entra(capsys):
    """The demo's lab admin exists only on-premises, with a UPN suffix the tenant has not
    verified; Ana Lima's UPN has a space: AD says where each is and what stops it."""
    for upn, code in ((ONPREM_SCENARIOS["unverified-upn-domain"], "unverified-upn-domain"),
                      (ONPREM_SCENARIOS["invalid-characters"], "invalid-characters")):
        assert main(["--demo", "check", upn, "--format", "json"]) == 1
        result = json.loads(capsys.readouterr().out)
        step_three = result["steps"][2]
        found = {(f["code"], f["source"]) for f in step_three["findings"]}
        # Ana Lima's first export failed: the server's files name her, and the value rule is
        # then said once, of the object they describe
        assert ("not-in-entra", "graph") in found and ((code, "ad") in found or (code, "graph") in found)
        answer = next(m["answered"] for m in step_three["manual"] if m["key"] == "ad-object")
        assert "OU=New Hires,DC=contoso,DC=com" in answer and "enabled" in answer
