"""The demo tenant living as a real one does between two refreshes: a conflict resolves,
or a new one appears; never on a scenario object, never leaving two live objects sharing
an address."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from syncdash.emulator.scenarios.builder import TenantBuilder
from syncdash.emulator.scenarios.objects import (
    GIVEN_NAMES,
    SURNAMES,
    USER_ODATA_TYPE,
    JsonObject,
    address_of,
    graph_time,
    graph_time_ticks,
    object_kind,
    property_conflict,
    require_utc,
    soft_deleted,
)
from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS


def mutate_demo_tenant(tenant: dict[str, Any], rng: random.Random, now: datetime) -> str:
    """Change the tenant in place as a live one changes between two refreshes, and say how.

    Either a pool conflict resolves (the other holder gives the value up and, as Entra
    does, the quarantined value is restored on the object), or a new proxy-address
    conflict appears on a so-far clean synced user (often a new hire). Scenario objects
    and their counterparts are never touched, and every call leaves a tenant in which
    no two live objects share an address.
    """
    now = require_utc(now)
    live = [*tenant["users"], *tenant["groups"], *tenant["contacts"]]
    index = _address_index(live)
    protected = _protected_ids(live, index)
    resolvable = [
        (carrier, error, holders)
        for carrier in live
        if carrier["id"] not in protected
        for error in carrier["onPremisesProvisioningErrors"]
        if (holders := _resolvable_holders(carrier, error, index, protected)) is not None
    ]
    contested = {_conflict_address(e["value"]) for x in live for e in x["onPremisesProvisioningErrors"]}
    donors = [
        (holder, proxy)
        for holder in live
        if holder["id"] not in protected
        for proxy in holder["proxyAddresses"]
        if proxy.startswith("smtp:") and address_of(proxy) not in contested
    ]
    if resolvable and (not donors or rng.random() < 0.5):
        return _resolve(tenant, *rng.choice(resolvable), now)
    return _new_conflict(tenant, rng, now, *rng.choice(donors), protected)


#: address -> [(object, how it holds it: "upn", "primary" or "alias")]
_AddressIndex = dict[str, list[tuple[JsonObject, str]]]


def _conflict_address(value: str) -> str:
    """The address a conflict is about: ``smtp:Ann@x`` and ``ann@x`` both -> ``ann@x``."""
    return address_of(value) if ":" in value else value.lower()


def _address_index(live: list[JsonObject]) -> _AddressIndex:
    index: _AddressIndex = {}
    for obj in live:
        if obj.get("userPrincipalName"):
            index.setdefault(obj["userPrincipalName"].lower(), []).append((obj, "upn"))
        for proxy in obj["proxyAddresses"]:
            if proxy.lower().startswith("smtp:"):
                how = "primary" if proxy.startswith("SMTP:") else "alias"
                index.setdefault(address_of(proxy), []).append((obj, how))
    return index


def _protected_ids(live: list[JsonObject], index: _AddressIndex) -> set[str]:
    """The scenario objects, the objects holding their contested values, and the objects
    contesting their addresses: everything a scenario needs to stay as it is."""
    lookups = {value.lower() for value in DEMO_SCENARIOS.values()}
    scenario = [x for x in live if (x.get("userPrincipalName") or "").lower() in lookups
                or (x.get("mail") or "").lower() in lookups]
    values: set[str] = set()
    for obj in scenario:
        values.update(_conflict_address(e["value"]) for e in obj["onPremisesProvisioningErrors"])
        values.update(address_of(p) for p in obj["proxyAddresses"])
        values.update(obj[key].lower() for key in ("userPrincipalName", "onPremisesUserPrincipalName")
                      if obj.get(key))
    protected = {obj["id"] for obj in scenario}
    protected.update(holder["id"] for value in values for holder, _ in index.get(value, ()))
    protected.update(x["id"] for x in live if any(
        _conflict_address(e["value"]) in values for e in x["onPremisesProvisioningErrors"]))
    return protected


def _resolvable_holders(
    carrier: JsonObject, error: JsonObject, index: _AddressIndex, protected: set[str]
) -> list[JsonObject] | None:
    """The objects that must give the value up for this conflict to resolve, or None when
    that would touch a protected object or take a primary address away from someone."""
    holdings = [(x, how) for x, how in index.get(_conflict_address(error["value"]), ()) if x is not carrier]
    holders = list({x["id"]: x for x, _ in holdings}.values())
    if any(x["id"] in protected for x in holders):
        return None
    if error["propertyCausingError"] == "UserPrincipalName":
        # The same person's cloud-only duplicate: resolved by deleting it.
        ok = all(object_kind(x) == "user" and x["onPremisesSyncEnabled"] is None for x in holders)
    else:
        ok = all(how == "alias" for _, how in holdings)
    return holders if ok else None


def _resolve(tenant: dict[str, Any], carrier: JsonObject, error: JsonObject,
             holders: list[JsonObject], now: datetime) -> str:
    carrier["onPremisesProvisioningErrors"].remove(error)
    value = error["value"]
    if error["propertyCausingError"] == "UserPrincipalName":
        for holder in holders:
            tenant["users"].remove(holder)
            tenant["deletedItems"].append(soft_deleted(holder, USER_ODATA_TYPE, now))
        carrier["userPrincipalName"] = value
        return f"Resolved: cloud-only duplicate deleted, {carrier['displayName']} signs in as {value} again"
    address = _conflict_address(value)
    for holder in holders:
        holder["proxyAddresses"] = [p for p in holder["proxyAddresses"] if address_of(p) != address]
    carrier["proxyAddresses"].append(f"smtp:{value.partition(':')[2]}")
    given_up = ", ".join(f"{object_kind(x)} {x['displayName']}" for x in holders) or "nobody"
    return f"Resolved: {value} removed from {given_up} and restored on {carrier['displayName']}"


def _new_conflict(tenant: dict[str, Any], rng: random.Random, now: datetime,
                  holder: JsonObject, proxy: str, protected: set[str]) -> str:
    """Someone on premises gives a clean synced user an alias another object already has."""
    clean = [
        u for u in tenant["users"]
        if u["id"] not in protected and u is not holder and u["onPremisesSyncEnabled"] is True
        and not u["onPremisesProvisioningErrors"]
        and not any(not e["isResolved"] for e in u["serviceProvisioningErrors"])
    ]
    if clean and rng.random() < 0.5:
        carrier = rng.choice(clean)
        story = f"{carrier['displayName']} was given alias {proxy} on premises"
    else:
        # Typically a namesake: the new hire's natural alias is the holder's.
        if object_kind(holder) == "user" and holder["givenName"]:
            given, surname = holder["givenName"], holder["surname"]
        else:
            given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        builder = TenantBuilder(rng, now)
        builder.adopt(tenant)
        carrier = builder.user(given, surname, aliases=[], created=now - timedelta(minutes=2))
        tenant["users"].append(carrier)
        story = f"newly hired {carrier['displayName']} synced with alias {proxy}"
    # The export that quarantines the alias runs a little before the cycle finishes (now).
    occurred = graph_time_ticks(now - timedelta(seconds=rng.randrange(5, 60)), rng)
    carrier["onPremisesProvisioningErrors"].append(property_conflict(
        rng.choice(("ProxyAddress", "ProxyAddresses")), proxy, occurred, typed=rng.random() < 0.5))
    carrier["onPremisesLastSyncDateTime"] = graph_time(now)
    tenant["organization"][0]["onPremisesLastSyncDateTime"] = graph_time(now)
    return f"New conflict: {story}, already held by {object_kind(holder)} {holder['displayName']}"
