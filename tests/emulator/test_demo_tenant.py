"""The demo tenant as a user of ``syncdash --demo`` meets it: stable, realistic, and
showing every scenario on the object DEMO_SCENARIOS names, even while it changes."""

from __future__ import annotations

import copy
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS, build_demo_tenant
from syncdash.emulator.scenarios.living import mutate_demo_tenant

NOW = datetime(2026, 11, 24, 10, 15, 3, tzinfo=UTC)
Obj = dict[str, Any]
IDFIX_UPN_INVALID = re.compile(r"[\s\\%&*+/=?'{}|<>();:,\[\]\"äëïöüÿÄËÏÖÜŸ]")
IDFIX_SMTP_INVALID = re.compile(r"[\s<>();,\[\]\"]")


@pytest.fixture(scope="module")
def pristine() -> dict[str, Any]:
    return build_demo_tenant(NOW)


@pytest.fixture
def tenant(pristine: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(pristine)


# --------------------------------------------------------------------------- helpers


def live(t: dict[str, Any]) -> list[Obj]:
    return [*t["users"], *t["groups"], *t["contacts"]]


def kind(obj: Obj) -> str:
    return "user" if "userPrincipalName" in obj else "group" if "groupTypes" in obj else "contact"


def find_live(t: dict[str, Any], lookup: str) -> list[Obj]:
    """Objects whose UPN or mail is the lookup (displayName for objects with neither)."""
    key = lookup.lower()
    found = []
    for obj in live(t):
        names = {(obj.get("userPrincipalName") or "").lower(), (obj.get("mail") or "").lower()} - {""}
        if key in names or (not names and obj["displayName"].lower() == key):
            found.append(obj)
    return found


def find_deleted(t: dict[str, Any], lookup: str) -> list[Obj]:
    """Recycle-bin objects whose original UPN (without the 32-hex prefix) or mail is the lookup."""
    key = lookup.lower()
    return [
        obj for obj in t["deletedItems"]
        if key in {(obj.get("userPrincipalName") or "")[32:].lower(), (obj.get("mail") or "").lower()}
    ]


def scenario(t: dict[str, Any], name: str) -> Obj:
    (obj,) = find_live(t, DEMO_SCENARIOS[name])
    return obj


def addr(value: str) -> str:
    return value.partition(":")[2].lower() if ":" in value else value.lower()


def holders(objects: list[Obj], value: str, *, but: Obj | None = None) -> list[Obj]:
    """Objects holding ``value`` as UPN or SMTP proxy address."""
    key = addr(value)
    return [
        obj for obj in objects
        if obj is not but and (
            (obj.get("userPrincipalName") or "").lower() == key
            or any(p.lower().startswith("smtp:") and addr(p) == key for p in obj["proxyAddresses"])
        )
    ]


def has_problem(obj: Obj) -> bool:
    return bool(obj["onPremisesProvisioningErrors"]) or any(
        not e["isResolved"] for e in obj["serviceProvisioningErrors"]
    )


def in_error(t: dict[str, Any]) -> set[str]:
    return {obj["id"] for obj in live(t) if has_problem(obj)}


def conflict(obj: Obj, prop: str) -> Obj:
    errors: list[Obj] = obj["onPremisesProvisioningErrors"]
    (error,) = [e for e in errors if e["propertyCausingError"].lower().startswith(prop.lower())]
    assert error["category"] == "PropertyConflict"
    return error


def timestamps(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from timestamps(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from timestamps(item, key)
    elif isinstance(node, str) and key.endswith("DateTime"):
        yield key, node


def assert_consistent(t: dict[str, Any]) -> None:
    """What Entra ID itself guarantees: unique ids and addresses, quarantined values
    absent from the object that wanted them, soft-deleted UPNs prefixed with the id."""
    everything = [*live(t), *t["deletedItems"]]
    ids = [obj["id"] for obj in everything]
    assert len(ids) == len(set(ids))
    owner: dict[str, str] = {}
    nicknames: dict[str, str] = {}
    for obj in live(t):
        mine = {addr(p) for p in obj["proxyAddresses"] if p.lower().startswith("smtp:")}
        for address in mine | {(obj.get("userPrincipalName") or "").lower()} - {""}:
            assert owner.setdefault(address, obj["id"]) == obj["id"], f"{address} held twice"
        assert nicknames.setdefault(obj["mailNickname"].lower(), obj["id"]) == obj["id"]
        assert sum(p.startswith("SMTP:") for p in obj["proxyAddresses"]) <= 1
        if obj["mail"]:
            assert obj["mail"].lower() in mine
        for error in obj["onPremisesProvisioningErrors"]:
            assert obj["onPremisesSyncEnabled"] is True
            created, occurred, synced = (datetime.fromisoformat(v) for v in (
                obj.get("createdDateTime", "2000-01-01T00:00:00Z"),  # orgContact has none
                error["occurredDateTime"], obj["onPremisesLastSyncDateTime"]))
            assert created <= occurred <= synced <= datetime.fromisoformat(
                t["organization"][0]["onPremisesLastSyncDateTime"]), obj["displayName"]
            if error["propertyCausingError"] == "UserPrincipalName":
                assert obj["onPremisesUserPrincipalName"].lower() == error["value"].lower()
                if obj["userPrincipalName"].lower() != error["value"].lower():
                    assert re.fullmatch(r".+\d{4}@contoso\.onmicrosoft\.com", obj["userPrincipalName"])
            else:
                assert addr(error["value"]) not in mine
    for obj in t["deletedItems"]:
        assert obj["@odata.type"] in ("#microsoft.graph.user", "#microsoft.graph.group")
        assert obj["deletedDateTime"]
        if obj["@odata.type"] == "#microsoft.graph.user":
            assert obj["userPrincipalName"].startswith(obj["id"].replace("-", ""))


# --------------------------------------------------------------------------- scenario checks


def _upn_conflict_user_user(t: dict[str, Any]) -> None:
    carrier = scenario(t, "upn-conflict-user-user")
    error = conflict(carrier, "UserPrincipalName")
    assert carrier["onPremisesSyncEnabled"] is True
    assert carrier["onPremisesUserPrincipalName"] == error["value"]
    assert re.fullmatch(r"daniel\.kim\d{4}@contoso\.onmicrosoft\.com", carrier["userPrincipalName"])
    (holder,) = holders(live(t), error["value"], but=carrier)
    assert holder["onPremisesSyncEnabled"] is None


def _upn_conflict_both_sides(t: dict[str, Any]) -> None:
    alex = scenario(t, "upn-conflict-both-sides")
    value = conflict(alex, "UserPrincipalName")["value"]
    assert alex["userPrincipalName"] == value
    carrying = [u for u in t["users"] if any(e["value"] == value for e in u["onPremisesProvisioningErrors"])]
    assert len(carrying) == 2


def _proxy_conflict(name: str, carrier_kind: str, holder_kind: str) -> Callable[[dict[str, Any]], None]:
    def check(t: dict[str, Any]) -> None:
        carrier = scenario(t, name)
        assert kind(carrier) == carrier_kind
        error = conflict(carrier, "ProxyAddress")
        assert error["value"].lower().startswith("smtp:")
        (holder,) = holders(live(t), error["value"], but=carrier)
        assert kind(holder) == holder_kind
    return check


def _conflict_holder_deleted(t: dict[str, Any]) -> None:
    carrier = scenario(t, "conflict-holder-deleted")
    error = conflict(carrier, "ProxyAddress")
    assert holders(live(t), error["value"], but=carrier) == []
    assert len(holders(t["deletedItems"], error["value"])) == 1


def _conflict_cleared(t: dict[str, Any]) -> None:
    carrier = scenario(t, "conflict-cleared")
    error = conflict(carrier, "ProxyAddress")
    assert holders([*live(t), *t["deletedItems"]], error["value"], but=carrier) == []


def _quote_and_accents(t: dict[str, Any]) -> None:
    carrier = scenario(t, "quote-and-accents")
    value = conflict(carrier, "ProxyAddress")["value"]
    assert "'" in value and not value.isascii()
    assert len(holders(live(t), value, but=carrier)) == 1


def _service_error(name: str, exchange_kind: str) -> Callable[[dict[str, Any]], None]:
    def check(t: dict[str, Any]) -> None:
        obj = scenario(t, name)
        assert kind(obj) == exchange_kind
        (error,) = [e for e in obj["serviceProvisioningErrors"] if not e["isResolved"]]
        assert error["@odata.type"] == "#microsoft.graph.serviceProvisioningXmlError"
        assert error["serviceInstance"].startswith("exchange/")
        root = ET.fromstring(error["errorDetail"])
        assert root.get("Name") == error["serviceInstance"]
        assert root.findtext("ObjectErrors/ErrorRecord/ErrorCode", "").startswith("Ex")
        assert root.findtext("ObjectErrors/ErrorRecord/ErrorDescription")
    return check


def _service_error_resolved(t: dict[str, Any]) -> None:
    obj = scenario(t, "service-error-resolved")
    assert obj["serviceProvisioningErrors"] and all(e["isResolved"] for e in obj["serviceProvisioningErrors"])
    assert not has_problem(obj)


def _in_recycle_bin(t: dict[str, Any]) -> None:
    lookup = DEMO_SCENARIOS["in-recycle-bin"]
    assert find_live(t, lookup) == []
    assert holders(live(t), lookup) == []
    (deleted,) = find_deleted(t, lookup)
    assert deleted["userPrincipalName"] == deleted["id"].replace("-", "") + lookup
    assert NOW - datetime.fromisoformat(deleted["deletedDateTime"]) < timedelta(days=30)


def _cloud_only(t: dict[str, Any]) -> None:
    user = scenario(t, "cloud-only")
    assert user["onPremisesSyncEnabled"] is None and user["onPremisesImmutableId"] is None
    assert not has_problem(user)


def _sync_stopped(t: dict[str, Any]) -> None:
    user = scenario(t, "sync-stopped")
    assert user["onPremisesSyncEnabled"] is False and user["onPremisesImmutableId"]


def _soft_match_blocked(t: dict[str, Any]) -> None:
    cloud = scenario(t, "soft-match-blocked")
    assert cloud["onPremisesSyncEnabled"] is None
    (synced,) = [u for u in t["users"] if u is not cloud
                 and (u["onPremisesUserPrincipalName"] or "").lower() == cloud["userPrincipalName"].lower()]
    assert synced["onPremisesSyncEnabled"] is True
    assert conflict(synced, "UserPrincipalName")["value"].lower() == cloud["userPrincipalName"].lower()


def _unverified_upn_domain(t: dict[str, Any]) -> None:
    user = scenario(t, "unverified-upn-domain")
    assert user["onPremisesUserPrincipalName"].endswith("@fabrikam.com")
    assert user["userPrincipalName"].endswith("@contoso.onmicrosoft.com")
    assert not {d["id"]: d for d in t["domains"]}["fabrikam.com"]["isVerified"]


def _invalid_characters(t: dict[str, Any]) -> None:
    user = scenario(t, "invalid-characters")
    assert user["onPremisesSyncEnabled"] is True
    assert IDFIX_UPN_INVALID.search(user["onPremisesUserPrincipalName"].partition("@")[0]) or any(
        IDFIX_SMTP_INVALID.search(p[5:]) for p in user["proxyAddresses"] if p.lower().startswith("smtp:"))


def _value_too_long(t: dict[str, Any]) -> None:
    user = scenario(t, "value-too-long")
    assert user["onPremisesSyncEnabled"] is True
    assert len(user["mailNickname"]) > 64 or any(len(p) > 256 for p in user["proxyAddresses"])


def _invalid_format(t: dict[str, Any]) -> None:
    obj = scenario(t, "invalid-format")
    assert obj["onPremisesSyncEnabled"] is True
    assert obj["mailNickname"].startswith(".") or any(
        ":" in p[5:] or "@" not in p for p in obj["proxyAddresses"] if p.lower().startswith("smtp:"))


def _too_many_proxy_addresses(t: dict[str, Any]) -> None:
    user = scenario(t, "too-many-proxy-addresses")
    assert user["onPremisesSyncEnabled"] is True and len(user["proxyAddresses"]) == 320


def _healthy(t: dict[str, Any]) -> None:
    user = scenario(t, "healthy")
    assert user["onPremisesSyncEnabled"] is True and not has_problem(user)
    assert user["onPremisesDistinguishedName"] == "CN=Ann Lee,OU=Users,OU=Seattle,DC=contoso,DC=com"
    assert user["onPremisesUserPrincipalName"] == user["userPrincipalName"]


SCENARIO_CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "upn-conflict-user-user": _upn_conflict_user_user,
    "upn-conflict-both-sides": _upn_conflict_both_sides,
    "proxy-conflict-user-user": _proxy_conflict("proxy-conflict-user-user", "user", "user"),
    "proxy-conflict-user-group": _proxy_conflict("proxy-conflict-user-group", "user", "group"),
    "proxy-conflict-user-contact": _proxy_conflict("proxy-conflict-user-contact", "user", "contact"),
    "proxy-conflict-group-contact": _proxy_conflict("proxy-conflict-group-contact", "group", "contact"),
    "conflict-holder-deleted": _conflict_holder_deleted,
    "conflict-cleared": _conflict_cleared,
    "quote-and-accents": _quote_and_accents,
    "service-error": _service_error("service-error", "user"),
    "service-error-group": _service_error("service-error-group", "group"),
    "service-error-resolved": _service_error_resolved,
    "in-recycle-bin": _in_recycle_bin,
    "cloud-only": _cloud_only,
    "sync-stopped": _sync_stopped,
    "soft-match-blocked": _soft_match_blocked,
    "unverified-upn-domain": _unverified_upn_domain,
    "invalid-characters": _invalid_characters,
    "value-too-long": _value_too_long,
    "invalid-format": _invalid_format,
    "too-many-proxy-addresses": _too_many_proxy_addresses,
    "healthy": _healthy,
}


# --------------------------------------------------------------------------- tests


def test_same_now_gives_the_same_tenant(pristine: dict[str, Any]) -> None:
    again = build_demo_tenant(NOW)
    assert again == pristine
    assert json.dumps(again, ensure_ascii=False) == json.dumps(pristine, ensure_ascii=False)


def test_timestamps_follow_now() -> None:
    later = build_demo_tenant(NOW + timedelta(days=1))
    assert later["organization"][0]["onPremisesLastSyncDateTime"] == "2026-11-25T09:52:03Z"


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        build_demo_tenant(datetime(2026, 11, 24, 10, 15, 3))


def test_sizes_look_like_a_real_directory(pristine: dict[str, Any]) -> None:
    assert len(pristine["users"]) >= 220
    assert len(pristine["groups"]) >= 32
    assert len(pristine["contacts"]) >= 22
    cloud_only = sum(u["onPremisesSyncEnabled"] is None for u in pristine["users"])
    assert 0.07 <= cloud_only / len(pristine["users"]) <= 0.15
    names = " ".join(u["displayName"] for u in pristine["users"])
    assert not names.isascii() and "'" in names


def test_tenant_settings(pristine: dict[str, Any]) -> None:
    (org,) = pristine["organization"]
    assert org["displayName"] == "Contoso" and org["onPremisesSyncEnabled"] is True
    assert org["onPremisesLastSyncDateTime"] == "2026-11-24T09:52:03Z"
    verified = {d["name"] for d in org["verifiedDomains"]}
    assert verified == {"contoso.com", "contoso.onmicrosoft.com", "sales.contoso.com"}
    domains = {d["id"]: d for d in pristine["domains"]}
    assert domains["contoso.com"]["isDefault"] and domains["contoso.onmicrosoft.com"]["isInitial"]
    assert [name for name, d in domains.items() if not d["isVerified"]] == ["fabrikam.com"]
    (sync,) = pristine["onPremisesSynchronization"]
    assert sync["id"] == org["id"]
    features = sync["features"]
    assert len(features) == 20 and all(isinstance(v, bool) for v in features.values())
    for name in ("blockSoftMatchEnabled", "blockCloudObjectTakeoverThroughHardMatchEnabled",
                 "quarantineUponUpnConflictEnabled", "quarantineUponProxyAddressesConflictEnabled",
                 "softMatchOnUpnEnabled", "passwordSyncEnabled"):
        assert features[name] is True
    assert sync["configuration"]["accidentalDeletionPrevention"] == {
        "synchronizationPreventionType": "enabledForCount", "alertThreshold": 500}


@pytest.mark.parametrize("name", sorted(DEMO_SCENARIOS))
def test_scenario_lookup_finds_exactly_one_object(pristine: dict[str, Any], name: str) -> None:
    found = find_live(pristine, DEMO_SCENARIOS[name])
    if name == "in-recycle-bin":
        assert found == [] and len(find_deleted(pristine, DEMO_SCENARIOS[name])) == 1
    else:
        assert len(found) == 1


@pytest.mark.parametrize("name", sorted(DEMO_SCENARIOS))
def test_scenario_object_shows_its_situation(pristine: dict[str, Any], name: str) -> None:
    SCENARIO_CHECKS[name](pristine)


def test_every_scenario_is_checked() -> None:
    assert set(SCENARIO_CHECKS) == set(DEMO_SCENARIOS)


def test_enough_objects_have_problems(pristine: dict[str, Any]) -> None:
    problems = [obj for obj in live(pristine) if has_problem(obj)]
    assert len(problems) >= 25
    assert {kind(obj) for obj in problems} == {"user", "group", "contact"}
    spellings = {e["propertyCausingError"] for obj in problems for e in obj["onPremisesProvisioningErrors"]}
    assert spellings == {"UserPrincipalName", "ProxyAddress", "ProxyAddresses"}


def test_tenant_is_consistent(pristine: dict[str, Any]) -> None:
    assert_consistent(pristine)


def test_timestamps_are_in_graph_forms_and_in_the_past(pristine: dict[str, Any]) -> None:
    seen = list(timestamps(pristine))
    for key, value in seen:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            assert key == "createdDateTime"  # serviceProvisioningError samples carry no zone
            moment = moment.replace(tzinfo=UTC)
        assert moment <= NOW, (key, value)
    forms = {re.sub(r"\d", "9", value) for _, value in seen}
    assert "9999-99-99T99:99:99Z" in forms
    assert "9999-99-99T99:99:99.9999999+99:99" in forms
    assert "9999-99-99T99:99:99.99" in forms


def test_mutation_changes_errors_but_never_the_scenarios(tenant: dict[str, Any]) -> None:
    lookups = [v for k, v in DEMO_SCENARIOS.items() if k != "in-recycle-bin"]
    before = {lookup: copy.deepcopy(find_live(tenant, lookup)) for lookup in lookups}
    rng = random.Random(42)
    grew = shrank = False
    for step in range(60):
        errors_before = in_error(tenant)
        message = mutate_demo_tenant(tenant, rng, NOW + timedelta(minutes=5 * step))
        assert message and "\n" not in message
        errors_after = in_error(tenant)
        assert errors_after != errors_before, message
        grew |= bool(errors_after - errors_before)
        shrank |= bool(errors_before - errors_after)
        assert {lookup: find_live(tenant, lookup) for lookup in lookups} == before, message
        assert_consistent(tenant)
    assert grew and shrank
    for check in SCENARIO_CHECKS.values():
        check(tenant)


def test_mutation_is_reproducible(pristine: dict[str, Any]) -> None:
    first, second = copy.deepcopy(pristine), copy.deepcopy(pristine)
    messages = [
        (mutate_demo_tenant(first, random.Random(7 + n), NOW), mutate_demo_tenant(second, random.Random(7 + n), NOW))
        for n in range(10)
    ]
    assert all(a == b for a, b in messages)
    assert first == second
