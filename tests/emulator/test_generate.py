"""Generated scale tenants: exact sizes, unique ids, conflicts that point at a real other
object, fast enough for 100,000 users, and a CLI that fails the argparse way."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syncdash.emulator.scenarios.generate import generate_tenant, max_errors

NOW = datetime(2026, 11, 24, 10, 15, 3, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = {"organization", "domains", "onPremisesSynchronization", "users", "groups", "contacts",
               "deletedItems"}


def make(**overrides: int) -> dict[str, Any]:
    args = {"users": 500, "groups": 60, "contacts": 40, "errors": 120, "seed": 3} | overrides
    return generate_tenant(now=NOW, **args)


def live(t: dict[str, Any]) -> list[dict[str, Any]]:
    return [*t["users"], *t["groups"], *t["contacts"]]


def kind(obj: dict[str, Any]) -> str:
    return "user" if "userPrincipalName" in obj else "group" if "groupTypes" in obj else "contact"


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "syncdash.emulator.scenarios.generate", *args],
                          cwd=ROOT, capture_output=True, timeout=120)


def test_counts_are_exact() -> None:
    t = make()
    assert set(t) == COLLECTIONS
    assert (len(t["users"]), len(t["groups"]), len(t["contacts"])) == (500, 60, 40)
    assert len(t["organization"]) == 1 and len(t["onPremisesSynchronization"]) == 1
    carriers = [obj for obj in live(t) if obj["onPremisesProvisioningErrors"]]
    assert len(carriers) == 120
    assert all(len(obj["onPremisesProvisioningErrors"]) == 1 for obj in carriers)


def test_ids_and_addresses_are_unique() -> None:
    t = make()
    ids = [obj["id"] for obj in [*live(t), *t["deletedItems"]]]
    assert len(ids) == len(set(ids))
    upns = Counter(u["userPrincipalName"].lower() for u in t["users"])
    assert upns.most_common(1)[0][1] == 1
    proxies = Counter(p.lower() for obj in live(t) for p in obj["proxyAddresses"])
    assert proxies.most_common(1)[0][1] == 1


def test_conflicts_are_spread_and_point_at_another_holder() -> None:
    t = make()
    holders: dict[str, set[str]] = {}
    for obj in live(t):
        for p in obj["proxyAddresses"]:
            holders.setdefault(p.partition(":")[2].lower(), set()).add(obj["id"])
        if kind(obj) == "user":
            holders.setdefault(obj["userPrincipalName"].lower(), set()).add(obj["id"])
    carriers = [obj for obj in live(t) if obj["onPremisesProvisioningErrors"]]
    assert {kind(obj) for obj in carriers} == {"user", "group", "contact"}
    for obj in carriers:
        assert obj["onPremisesSyncEnabled"] is True
        (error,) = obj["onPremisesProvisioningErrors"]
        assert error["category"] == "PropertyConflict"
        created, occurred, synced = (datetime.fromisoformat(v) for v in (
            obj.get("createdDateTime", "2000-01-01T00:00:00Z"), error["occurredDateTime"],
            obj["onPremisesLastSyncDateTime"]))
        assert created <= occurred <= synced <= NOW
        value = error["value"].partition(":")[2] if ":" in error["value"] else error["value"]
        assert holders.get(value.lower(), set()) - {obj["id"]}, error
        if error["propertyCausingError"] == "UserPrincipalName":
            assert obj["onPremisesUserPrincipalName"] == error["value"]
            assert obj["userPrincipalName"].endswith("@contoso.onmicrosoft.com")
    spellings = {obj["onPremisesProvisioningErrors"][0]["propertyCausingError"] for obj in carriers}
    assert spellings == {"UserPrincipalName", "ProxyAddress", "ProxyAddresses"}


def test_same_seed_same_tenant_and_another_seed_differs() -> None:
    assert make() == make()
    assert make(seed=4)["users"] != make()["users"]


def test_shapes_match_the_demo() -> None:
    from syncdash.emulator.scenarios.demo import build_demo_tenant

    demo = build_demo_tenant(NOW)
    t = make()
    for collection in ("users", "groups", "contacts"):
        assert {tuple(obj) for obj in t[collection]} == {tuple(obj) for obj in demo[collection]}
    cloud_only = sum(u["onPremisesSyncEnabled"] is None for u in t["users"])
    assert cloud_only == 50


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        make(users=-1)
    with pytest.raises(ValueError):
        make(errors=max_errors(500, 60, 40) + 1)


def test_empty_tenant_is_valid() -> None:
    t = make(users=0, groups=0, contacts=0, errors=0)
    assert t["users"] == t["groups"] == t["contacts"] == []
    assert t["organization"][0]["displayName"] == "Contoso"


def test_a_large_tenant_has_every_object_asked_for() -> None:
    # its speed is measured where speed belongs: bench_scale.py generates 100,000 users
    t = generate_tenant(users=20_000, groups=1_000, contacts=500, errors=1_000, seed=1, now=NOW)
    assert len(t["users"]) == 20_000 and len({u["id"] for u in t["users"]}) == 20_000


def test_cli_writes_a_loadable_tenant_file(tmp_path: Path) -> None:
    target = tmp_path / "tenant.json"
    result = run_cli("--users", "40", "--groups", "8", "--contacts", "5", "--errors", "6",
                     "--seed", "9", "--now", "2026-11-24T10:15:03Z", "-o", str(target))
    assert result.returncode == 0, result.stderr
    t = json.loads(target.read_text(encoding="utf-8"))
    assert set(t) == COLLECTIONS
    assert (len(t["users"]), len(t["groups"]), len(t["contacts"])) == (40, 8, 5)
    assert t == generate_tenant(users=40, groups=8, contacts=5, errors=6, seed=9, now=NOW)


def test_cli_writes_to_stdout_with_dash() -> None:
    result = run_cli("--users", "3", "--groups", "1", "--contacts", "1", "--errors", "1", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout.decode("utf-8"))["users"]) == 3


def test_cli_reports_an_unwritable_output(tmp_path: Path) -> None:
    result = run_cli("--users", "3", "-o", str(tmp_path / "missing" / "tenant.json"))
    assert result.returncode == 1
    assert "cannot write" in result.stderr.decode()


@pytest.mark.parametrize("args, complaint", [
    (["--users", "-5"], "argument --users"),
    (["--groups", "many"], "argument --groups"),
    (["--users", "10", "--groups", "0", "--contacts", "0", "--errors", "50"], "argument --errors"),
    (["--now", "2026-11-24T10:15:03"], "argument --now"),
    ([], "-o/--output"),
])
def test_cli_rejects_bad_arguments(args: list[str], complaint: str, tmp_path: Path) -> None:
    output = [] if not args else ["-o", str(tmp_path / "t.json")]
    result = run_cli(*args, *output)
    assert result.returncode == 2
    last_line = result.stderr.decode().strip().splitlines()[-1]
    assert "error:" in last_line and complaint in last_line
    assert not (tmp_path / "t.json").exists()
