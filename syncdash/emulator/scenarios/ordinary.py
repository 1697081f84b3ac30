"""The demo tenant's everyday population: ordinary users, groups and contacts (the
haystack the scenarios hide in) and the pool of ordinary conflicts the living tenant
resolves and adds to."""

from __future__ import annotations

from dataclasses import dataclass, field

from syncdash.emulator.scenarios.builder import TenantBuilder
from syncdash.emulator.scenarios.exchange_errors import archive_exists
from syncdash.emulator.scenarios.objects import (
    DEPARTMENT_NAMES,
    GIVEN_NAMES,
    GROUP_ODATA_TYPE,
    PARTNERS,
    SURNAMES,
    TENANT_DOMAIN,
    USER_ODATA_TYPE,
    GroupKind,
    JsonObject,
    address_local,
    graph_time,
    object_kind,
    property_conflict,
    service_error,
    soft_deleted,
)

TOTAL_USERS = 240
TOTAL_CONTACTS = 24
#: About one user in ten was created in the cloud.
TOTAL_CLOUD_ONLY_USERS = TOTAL_USERS // 10
#: The mutation pool: same-person UPN conflicts, and proxy conflicts per carrier kind.
POOL_UPN_PAIRS = 2
POOL_PROXY_CARRIERS = {"user": 9, "group": 2, "contact": 2}


@dataclass
class Objects:
    """The tenant's object lists while they are being filled."""

    users: list[JsonObject] = field(default_factory=list)
    groups: list[JsonObject] = field(default_factory=list)
    contacts: list[JsonObject] = field(default_factory=list)
    deleted: list[JsonObject] = field(default_factory=list)



_GROUPS: tuple[tuple[str, GroupKind, tuple[str, ...], str], ...] = (
    ("All Staff", "distribution", (), "Company-wide announcements"),
    ("Seattle Office", "distribution", (), "Everyone based in Seattle"),
    ("London Office", "distribution", (), "Everyone based in London"),
    ("München Büro", "distribution", (), "Alle am Standort München"),
    ("Engineering", "mail-security", ("dev@contoso.com",), "All engineers"),
    ("Finance", "mail-security", (), "Finance department"),
    ("HR Confidential", "security", (), "Access to personnel files"),
    ("IT Helpdesk", "mail-security", ("helpdesk@contoso.com", "support@contoso.com"), "First-line IT support"),
    ("VPN Users", "security", (), "Remote access"),
    ("SG-Intune-Pilot", "security", (), "Device management pilot ring"),
    ("Wi-Fi Corporate", "security", (), "802.1X corporate wireless"),
    ("Printers Floor 3", "security", (), "Print queues, building 3"),
    ("Legal Team", "mail-security", ("legal@contoso.com",), "Legal and compliance"),
    ("Payroll", "distribution", ("salaries@contoso.com",), "Payroll questions"),
    ("Executive Team", "distribution", ("leadership@contoso.com",), "Leadership team"),
    ("Recruiting", "distribution", ("careers@contoso.com", "jobs@contoso.com"), "Hiring pipeline"),
    ("Procurement", "distribution", ("purchasing@contoso.com",), "Vendor purchasing"),
    ("Security Champions", "mail-security", (), "Security advocates in every team"),
    ("Customer Success", "distribution", ("success@contoso.com",), "Customer success managers"),
    ("Marketing", "distribution", ("press@contoso.com",), "Marketing department"),
    ("Board Communications", "distribution", (), "Board of directors correspondence"),
    ("Sales EMEA", "distribution", ("sales-emea@sales.contoso.com",), "Sales in Europe, Middle East and Africa"),
    ("Sales Americas", "distribution", (), "Sales in North and South America"),
    ("Helpdesk Escalations", "mail-security", (), "Second-line IT support"),
    ("Office 365 Admins", "security", (), "Delegated Microsoft 365 administration"),
    ("Project Falcon", "unified", (), "Next-generation checkout"),
    ("Design Reviews", "unified", (), "Weekly design critique"),
    ("Équipe Paris", "unified", (), "Bureau de Paris"),
    ("Café Committee", "unified", (), "Coffee, snacks and the espresso machine"),
    ("Zoë's Book Club", "unified", (), "One book a month"),
)


def add_ordinary_objects(b: TenantBuilder, o: Objects) -> list[JsonObject]:
    """Enough everyday users, groups and contacts that the scenarios are needles in a
    haystack; returns the live ones, from which the conflict pool is drawn."""
    rng = b.rng
    ordinary: list[JsonObject] = []
    filler_users = TOTAL_USERS - len(o.users) - 2 * POOL_UPN_PAIRS
    cloud_needed = (TOTAL_CLOUD_ONLY_USERS - POOL_UPN_PAIRS
                    - sum(u["onPremisesSyncEnabled"] is None for u in o.users))
    cloud_slots = set(rng.sample(range(filler_users), cloud_needed))
    for index in range(filler_users):
        user = b.user(rng.choice(GIVEN_NAMES), rng.choice(SURNAMES),
                      sync=None if index in cloud_slots else True)
        user["accountEnabled"] = rng.random() > 0.04
        ordinary.append(user)
    o.users += ordinary

    groups = [b.group(name, kind, sync=None if kind == "unified" else True, aliases=aliases,
                      description=description)
              for name, kind, aliases, description in _GROUPS]
    o.groups += groups
    ordinary += groups

    for index in range(TOTAL_CONTACTS - len(o.contacts)):
        company = rng.choice(PARTNERS)
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        contact = b.contact(given, surname, company, sync=None if index % 8 == 7 else True,
                            display_name=f"{given} {surname} ({company.name.split(',')[0]})")
        if index % 5 == 0:  # a former employee whose old address now forwards to them
            contact["proxyAddresses"].append(f"smtp:{b.claim(address_local(given[0] + surname), TENANT_DOMAIN)}")
        o.contacts.append(contact)
        ordinary.append(contact)

    for days in (2, 13, 21, 29):
        leaver = b.user(rng.choice(GIVEN_NAMES), rng.choice(SURNAMES))
        o.deleted.append(soft_deleted(leaver, USER_ODATA_TYPE, b.ago(days=days, minutes=rng.randrange(1440))))
    o.deleted.append(soft_deleted(b.group("Project Osprey", "unified", sync=None, description="Cancelled"),
                                  GROUP_ODATA_TYPE, b.ago(days=17, minutes=402)))
    o.deleted.append(soft_deleted(b.group("Temp Contractors 2025", "security"),
                                  GROUP_ODATA_TYPE, b.ago(days=26, minutes=75)))
    return ordinary


def add_pool_conflicts(b: TenantBuilder, o: Objects, ordinary: list[JsonObject]) -> None:
    """Ordinary conflicts among ordinary objects: the pool ``mutate_demo_tenant`` works on.

    Each object takes part in at most one conflict. A contested proxy address is always
    a secondary alias of its holder (someone copied a colleague's alias); a contested
    UPN belongs to a cloud-only account made for the same person before sync.
    """
    rng = b.rng
    for _ in range(POOL_UPN_PAIRS):
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        department = rng.choice(DEPARTMENT_NAMES)
        cloud = b.user(given, surname, sync=None, aliases=[], department=department)
        first_sync = b.ago(days=rng.randrange(1, 25), minutes=rng.randrange(1440))
        synced = b.user(given, surname, aliases=[], department=department, job_title=cloud["jobTitle"],
                        created=first_sync)
        b.quarantine_upn(synced, cloud["userPrincipalName"], b.stamp(first_sync, ticks=rng.random() < 0.5))
        o.users += [cloud, synced]

    holders = rng.sample([x for x in ordinary if any(p.startswith("smtp:") for p in x["proxyAddresses"])],
                         sum(POOL_PROXY_CARRIERS.values()))
    holder_ids = {holder["id"] for holder in holders}
    free = [x for x in ordinary if x["id"] not in holder_ids and x["onPremisesSyncEnabled"] and x["mail"]]
    carriers = [carrier for kind, count in POOL_PROXY_CARRIERS.items()
                for carrier in rng.sample([x for x in free if object_kind(x) == kind], count)]
    for carrier, holder in zip(carriers, holders):
        alias = rng.choice([p for p in holder["proxyAddresses"] if p.startswith("smtp:")])
        carrier["onPremisesProvisioningErrors"].append(property_conflict(
            rng.choice(("ProxyAddress", "ProxyAddresses")), alias,
            b.stamp(b.ago(days=rng.randrange(20), minutes=rng.randrange(1440)), ticks=rng.random() < 0.5),
            typed=rng.random() < 0.3))

    archived = next(x for x in free if object_kind(x) == "user" and not x["onPremisesProvisioningErrors"])
    archived["serviceProvisioningErrors"].append(service_error(
        archive_exists(archived["displayName"], b.new_id(), b.new_id()),
        graph_time(b.ago(days=2, minutes=rng.randrange(1440)))))
