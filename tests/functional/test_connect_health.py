"""Connect Health as a second source, through azure-core's pipeline against the emulated
Resource Manager (in process, and over loopback HTTP as a separate service): every error
type of the demo, both sides of a conflict, objects Entra ID does not have, paging,
throttling, and each way it can be missing."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from factories import DEMO_GRAPH_IN_ERROR, DEMO_IN_ERROR, DEMO_SERVER_IN_ERROR

from syncdash.cli import main
from syncdash.emulator.arm_adapter import EMULATED_ARM_URL, emulated_session
from syncdash.emulator.health import PAGE, HealthEmulator, HealthFaults
from syncdash.emulator.scenarios.connect_health import HEALTH_SCENARIOS
from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.emulator.server import serving
from syncdash.emulator.tenant import TenantStore
from syncdash.health.client import ResourceManager
from syncdash.health.source import ConnectHealth
from syncdash.model import SourceState

NOW = datetime.now(timezone.utc)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _demo_file(tmp_path: Path, change=None) -> Path:
    data = build_demo_tenant(NOW)
    if change is not None:
        change(data)
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _read(emulator: HealthEmulator):
    source = ConnectHealth(lambda: ResourceManager(EMULATED_ARM_URL, session=emulated_session(emulator)))
    return asyncio.run(source.read(NOW))


def test_the_demo_report_carries_every_error_type_with_both_sides(capsys):
    code, out, _ = run(capsys, "--demo", "report", "--format", "json")
    report = json.loads(out)
    assert code == 1 and len(report["objects"]) == DEMO_IN_ERROR + DEMO_SERVER_IN_ERROR
    assert report["sources"][0] == {"name": "graph", "state": "read", "reason": None, "asOf": None}
    health = report["sources"][1]
    assert health["name"] == "connect-health" and health["state"] == "read" and health["asOf"]
    exported = {f["errorType"] for o in report["objects"] for f in o["findings"] if f["code"] == "export-error"}
    assert exported == {"AttributeValueMustBeUnique", "InvalidSoftMatch", "ObjectTypeMismatch",
                        "IdentityDataValidationFailed", "FederatedDomainChangeError", "LargeObject"}
    on_premises = {"duplicate-in-ad", "not-in-ad", "anchor-mismatch"}  # the demo's AD export answers these
    assert all(f["source"] == ("connect-health" if f["code"] in ("export-error", "existing-object-conflict")
                               else "ad" if f["code"] in on_premises or f["message"].startswith("on-premises ")
                               else "graph") for o in report["objects"] for f in o["findings"]
               if f["source"] != "server")  # the demo's Connect server files: test_server_evidence.py
    absent = {o["userPrincipalName"]: o for o in report["objects"] if not o["inEntra"]
              and any(f["source"] == "connect-health" for f in o["findings"])}
    assert set(absent) == {HEALTH_SCENARIOS[name] for name in ("health-invalid-soft-match",
                                                                 "health-object-type-mismatch",
                                                                 "health-data-validation")}
    assert all(o["id"] is None and o["distinguishedName"].startswith("CN=") and o["objectGuid"]
               for o in absent.values())
    assert any(note["level"] == "warning" and "heartbeat was skipped" in note["text"]
               for note in report["tenant"]["health"])


def test_both_sides_of_a_conflict_name_the_existing_object_on_premises(capsys):
    code, out, _ = run(capsys, "--demo", "check", HEALTH_SCENARIOS["health-duplicate-both-sides"], "--format", "json")
    result = json.loads(out)
    step_two = result["steps"][1]
    existing = next(f for f in step_two["findings"] if f["code"] == "existing-object-conflict")
    holder = existing["related"][0]
    assert holder["displayName"] == "Isaiah Brooks" and holder["source"] == "connect-health"
    assert holder["distinguishedName"].startswith("CN=Isaiah Brooks") and holder["sourceAnchor"]
    assert holder["id"] is not None  # matched to the cloud object Graph has
    graph_side = next(f for f in step_two["findings"] if f["code"] == "duplicate-proxy-address")
    assert graph_side["source"] == "graph"
    answered = {m["key"]: m["answered"] for step in result["steps"] for m in step["manual"]}
    assert "1 export error" in answered["connect-health"] and "1 duplicate attribute" in answered["health-duplicates"]


@pytest.mark.parametrize("how", ["dn", "guid", "upn"])
def test_check_finds_an_object_only_on_premises_by_dn_guid_or_upn(capsys, how):
    code, out, _ = run(capsys, "--demo", "report", "--format", "json")
    kenji = next(o for o in json.loads(out)["objects"]
                 if o["userPrincipalName"] == HEALTH_SCENARIOS["health-invalid-soft-match"])
    query = {"dn": kenji["distinguishedName"], "guid": kenji["objectGuid"], "upn": kenji["userPrincipalName"]}[how]
    code, out, _ = run(capsys, "--demo", "check", query, "--format", "json")
    result = json.loads(out)
    assert code == 1 and result["object"]["inEntra"] is False and result["object"]["id"] is None
    codes = {f["code"] for step in result["steps"] for f in step["findings"]}
    assert {"export-error", "existing-object-conflict", "not-in-entra"} <= codes
    assert "cloud-only" not in codes  # never synced is not what an absent object is


def test_the_text_report_and_check_say_where_each_fact_comes_from(capsys):
    _, out, _ = run(capsys, "--demo", "report")
    assert "Connect Health: read at" in out and "30 minutes" in out and "last export" in out
    _, out, _ = run(capsys, "--demo", "check", HEALTH_SCENARIOS["health-data-validation"])
    assert "[auto] Connect Health sync-error report" in out and "IdentityDataValidationFailed" in out


def test_a_tenant_without_connect_health_keeps_everything_else_and_says_why(capsys, tmp_path):
    path = _demo_file(tmp_path, lambda data: data.pop("connectHealth"))
    code, out, err = run(capsys, "--tenant-file", str(path), "report", "--format", "json")
    report = json.loads(out)
    assert code == 1 and len(report["objects"]) == DEMO_GRAPH_IN_ERROR
    assert report["sources"][1]["state"] == "unavailable" and "2.5.79.0" in report["sources"][1]["reason"]
    assert "not read: connect-health" in err
    code, out, _ = run(capsys, "--tenant-file", str(path), "check", HEALTH_SCENARIOS["health-duplicate-both-sides"],
                       "--format", "json")
    manual = {m["key"]: m for step in json.loads(out)["steps"] for m in step["manual"]}
    assert manual["connect-health"]["answered"] is None and "not read by syncdash" in manual["connect-health"]["text"]


def test_a_caller_without_a_connect_health_role_is_told_which_roles_read_it():
    emulator = HealthEmulator(TenantStore(build_demo_tenant(NOW)), faults=HealthFaults(forbidden=True))
    evidence = _read(emulator)
    assert evidence.status.state is SourceState.UNAVAILABLE and not evidence.export_errors
    assert "AuthorizationFailed" in evidence.status.reason and "Reader role" in evidence.status.reason


def test_throttling_waits_out_retry_after_before_the_next_request(monkeypatch):
    from azure.core.pipeline.transport import AsyncioRequestsTransport

    waits: list[tuple[float, int]] = []  # (seconds the pipeline waited, requests sent by then)
    emulator = HealthEmulator(TenantStore(build_demo_tenant(NOW)), faults=HealthFaults(throttle_next=1,
                                                                                     retry_after="2"))

    async def wait(self, seconds: float) -> None:  # the transport's own sleep, recorded, not slept
        waits.append((seconds, len(emulator.requests)))

    monkeypatch.setattr(AsyncioRequestsTransport, "sleep", wait)
    evidence = _read(emulator)
    assert evidence.status.state is SourceState.READ and len(evidence.export_errors) == 6  # one of each type
    refused, retried = emulator.requests[0], emulator.requests[1]
    assert refused.status == 429 and retried.status == 200 and retried.path == refused.path
    assert waits == [(2.0, 1)]  # the whole Retry-After, after the refusal and before the next request


def test_every_page_is_read_and_the_cost_is_a_request_per_bucket_plus_four():
    data = build_demo_tenant(NOW)
    health = data["connectHealth"]
    health["services"] += [{"serviceName": f"adds-{i}", "type": "AdDomainService"} for i in range(2 * PAGE)]
    health["alerts"] = [{**health["alerts"][0], "alertId": str(i), "displayName": f"Alert {i}"}
                        for i in range(2 * PAGE + 3)]
    emulator = HealthEmulator(TenantStore(data))
    evidence = _read(emulator)
    alerts = [note for note in evidence.notes if note.text.startswith("Connect Health alert")]
    assert len(alerts) == 2 * PAGE + 3  # three pages of alerts, every one read
    buckets = len(health["exportErrors"])
    alert_pages = 3
    assert len(emulator.requests) == buckets + 4 + (alert_pages - 1)
    assert all(r.query["api-version"] == "2014-01-01" for r in emulator.requests)


def test_a_next_link_off_the_base_is_not_followed():
    data = build_demo_tenant(NOW)
    emulator = HealthEmulator(TenantStore(data))
    original = emulator.handle

    def handle(method, url, headers, arrived=0.0, body=b""):
        answer = original(method, url, headers, arrived, body)
        if "/services?" in url or url.endswith("/services"):
            page = json.loads(answer.body)
            page["nextLink"] = "https://attacker.example/providers/Microsoft.ADHybridHealthService/services"
            answer.body = json.dumps(page).encode()
        return answer

    emulator.handle = handle  # type: ignore[method-assign]
    evidence = _read(emulator)
    assert evidence.status.state is SourceState.UNAVAILABLE and "off Resource Manager's base" in evidence.status.reason


def test_over_loopback_a_separate_resource_manager_is_read_with_no_token(capsys, tmp_path):
    path = _demo_file(tmp_path)
    emulator = HealthEmulator(TenantStore(build_demo_tenant(NOW)))
    with serving(emulator, path="") as url:
        code, out, _ = run(capsys, "--tenant-file", str(path), "--health-url", url, "report", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["sources"][1]["state"] == "read" and len(report["objects"]) == DEMO_IN_ERROR
    assert emulator.requests and all(r.authorization is None for r in emulator.requests)


def test_no_health_and_a_profile_switch_off_read_graph_alone(capsys, tmp_path):
    code, out, _ = run(capsys, "--demo", "--no-health", "report", "--format", "json")
    report = json.loads(out)
    assert len(report["objects"]) == DEMO_GRAPH_IN_ERROR + DEMO_SERVER_IN_ERROR and report["sources"][1]["state"] == "off"
    assert "--no-health" in report["sources"][1]["reason"]


def test_a_token_for_resource_manager_goes_only_to_the_profiles_own_cloud():
    from syncdash import sources
    from syncdash.clouds import CLOUDS
    from syncdash.config import Profile
    from syncdash.graph.errors import ClientConfigError

    gov = sources.from_profile(Profile("gov", tenant="fabrikam.onmicrosoft.us", cloud=CLOUDS["usgov"]), Path("/tmp"))
    with pytest.raises(ClientConfigError, match="not the Resource Manager of the profile's cloud"):
        sources.health_url(gov, "https://management.azure.com")
    sources.health_url(gov, "https://management.usgovcloudapi.net")  # its own: accepted
    assert CLOUDS["usgov"].arm_scope == "https://management.core.usgovcloudapi.net/.default"
    assert CLOUDS["china"].resource_manager == "https://management.chinacloudapi.cn"


async def test_the_dashboard_lists_what_only_connect_health_knows_and_answers_its_check(dashboard):
    from conftest import checklist_lines, settle

    from syncdash.ui.widgets.error_list import ErrorList

    app = dashboard(health=True).app
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        rows = app.query_one(ErrorList).rows
        assert len(rows) == DEMO_IN_ERROR
        assert "Connect Health" in app.query_one("StatusBar").shown.plain
        kenji = next(row for row in rows if row.cells[2] == HEALTH_SCENARIOS["health-invalid-soft-match"])
        assert kenji.cells[3] == "InvalidSoftMatch"
        app.jump_to(kenji.id)
        await settle(pilot)
        checklist = checklist_lines(app)
        assert "[auto]" in checklist and "export-error" in checklist and "not-in-entra" in checklist
        await pilot.press("o")  # no admin-center page for an object Entra ID does not have
        assert any("Not in Entra ID" in n.message for n in app._notifications)


def test_hostile_text_from_resource_manager_reaches_no_terminal_raw(capsys, tmp_path):
    def poison(data: dict) -> None:
        error = data["connectHealth"]["exportErrors"]["DataMismatch"][0]
        error["incomingObject"]["displayName"] = "[bold red]Kenji[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07"
        error["serverErrorDetail"] = "detail \x1b[31mred\u202e"
        data["connectHealth"]["alerts"][0]["displayName"] = "alert \x1b]0;title\x07"

    path = _demo_file(tmp_path, poison)
    for fmt in ("table", "json", "csv", "markdown"):
        code, out, err = run(capsys, "--tenant-file", str(path), "report", "--format", fmt)
        assert code == 1 and "\x1b" not in out + err and "\x07" not in out and "\u202e" not in out, fmt
    code, out, _ = run(capsys, "--tenant-file", str(path), "check", HEALTH_SCENARIOS["health-invalid-soft-match"])
    assert "[bold red]Kenji[/]" in out and "\x1b" not in out


@pytest.mark.parametrize(("profile", "reason"), [
    ({"health": False}, "health = false"),
    ({"cloud": "custom", "authority": "https://login.example.gov", "graph_url": "https://graph.example.gov/v1.0"},
     "no resource_manager"),
])
def test_a_profile_can_turn_it_off_and_a_custom_cloud_needs_its_resource_manager(tmp_path, profile, reason):
    from syncdash import sources
    from syncdash.config import load_config

    lines = "\n".join(f"{key} = {json.dumps(value)}" for key, value in profile.items())
    path = tmp_path / "config.toml"
    path.write_text(f"[profiles.p]\ntenant = \"contoso.com\"\n{lines}\n", encoding="utf-8")
    source = sources.from_profile(load_config(path, required=True).profiles["p"], tmp_path)
    evidence = asyncio.run(source.evidence()[0].read(NOW))
    assert evidence.status.state is SourceState.OFF and reason in evidence.status.reason


def test_each_error_type_has_its_own_remedy_and_a_suggestion_where_one_applies(capsys):
    _, out, _ = run(capsys, "--demo", "report", "--format", "json")
    exported = [f for o in json.loads(out)["objects"] for f in o["findings"] if f["code"] == "export-error"]
    fixes = {f["errorType"]: f["fix"] for f in exported}
    assert len(set(fixes.values())) >= 5  # not one generic text for every type
    suggestions = {f["errorType"]: f["powershell"] for f in exported}
    assert suggestions["LargeObject"].startswith("Get-ADObject") and "userCertificate" in suggestions["LargeObject"]
    assert suggestions["FederatedDomainChangeError"].startswith("Update-MgUser")
    assert "-Remove @{proxyAddresses=" in suggestions["ObjectTypeMismatch"]
    assert suggestions["IdentityDataValidationFailed"].startswith("Set-ADUser -Identity 'CN=")
