"""The built-in demo tenant "Contoso": every situation syncdash diagnoses, in one tenant.

Why hand-built: the demo is what a new user sees first (``syncdash --demo``) and what
the tests diagnose, so each situation from the sync-error reference appears once, on
a named object (``DEMO_SCENARIOS``), among enough ordinary objects to look like a
real directory. A fixed seed keeps it identical for a given ``now``, so tests and
screenshots are stable; every timestamp is relative to ``now`` so the demo never
looks stale ("last sync 23 minutes ago" stays true).

``mutate_demo_tenant`` makes the tenant live the way a real one does between
refreshes: conflicts get resolved and new ones appear, but only among a pool of
ordinary objects, never on the scenario objects the tests rely on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from syncdash.emulator.scenarios.builder import TenantBuilder
from syncdash.emulator.scenarios.document import tenant_document
from syncdash.emulator.scenarios.objects import (
    DEPARTMENT_NAMES,
    GIVEN_NAMES,
    GROUP_ODATA_TYPE,
    OFFICE_BY_CITY,
    PARTNERS,
    SURNAMES,
    TENANT_DOMAIN,
    USER_ODATA_TYPE,
    ExchangeError,
    GroupKind,
    JsonObject,
    address_local,
    address_of,
    align_last_sync,
    graph_time,
    graph_time_naive,
    graph_time_ticks,
    object_kind,
    property_conflict,
    require_utc,
    service_error,
    soft_deleted,
)

DEMO_SEED = 20261124
TENANT_ID = "4f1d5a9e-7c3b-4e2a-9d6f-8b0c2e5a1f37"
TOTAL_USERS = 240
TOTAL_CONTACTS = 24
#: About one user in ten was created in the cloud.
TOTAL_CLOUD_ONLY_USERS = TOTAL_USERS // 10
#: The mutation pool: same-person UPN conflicts, and proxy conflicts per carrier kind.
_POOL_UPN_PAIRS = 2
_POOL_PROXY_CARRIERS = {"user": 9, "group": 2, "contact": 2}

#: Scenario name -> how to find the object that shows it: its userPrincipalName or mail
#: (both unique among live objects). ``in-recycle-bin`` names a deleted user's original
#: UPN, which no live object holds.
DEMO_SCENARIOS: dict[str, str] = {
    "upn-conflict-user-user": "daniel.kim4821@contoso.onmicrosoft.com",
    "upn-conflict-both-sides": "alex.wilber@contoso.com",
    "proxy-conflict-user-user": "isaiah.langer@contoso.com",
    "proxy-conflict-user-group": "pradeep.gupta@contoso.com",
    "proxy-conflict-user-contact": "joni.sherman@contoso.com",
    "proxy-conflict-group-contact": "events.team@contoso.com",
    "conflict-holder-deleted": "meganb@contoso.com",
    "conflict-cleared": "lynne.robbins@contoso.com",
    "quote-and-accents": "sean.obrien@contoso.com",
    "service-error": "diego.siciliani@contoso.com",
    "service-error-group": "finance.approvals@contoso.com",
    "service-error-resolved": "nestor.wilke@contoso.com",
    "in-recycle-bin": "patti.fernandez@contoso.com",
    "cloud-only": "adele.vance@contoso.com",
    "sync-stopped": "grady.archie@contoso.com",
    "soft-match-blocked": "lidia.holloway@contoso.com",
    "unverified-upn-domain": "enrico.cattaneo@contoso.onmicrosoft.com",
    "invalid-characters": "juergen.mueller@contoso.com",
    "value-too-long": "hubert.wolfeschlegelsteinhausenbergerdorff@contoso.com",
    "invalid-format": "facilities.north@contoso.com",
    "too-many-proxy-addresses": "info@contoso.com",
    "healthy": "ann.lee@contoso.com",
}

_PARTNER = {company.domain: company for company in PARTNERS}
_SEATTLE = OFFICE_BY_CITY["Seattle"]
_REDMOND = OFFICE_BY_CITY["Redmond"]
_LONDON = OFFICE_BY_CITY["London"]
_DUBLIN = OFFICE_BY_CITY["Dublin"]
_MUNICH = OFFICE_BY_CITY["München"]
_MADRID = OFFICE_BY_CITY["Madrid"]


def _email_in_use(value: str) -> ExchangeError:
    return ExchangeError(
        "ExA77C31",
        "EmailAddresses",
        f'The value "{value}" of property "EmailAddresses" is used by another recipient object. '
        "Please specify a unique value.",
    )


def _litigation_hold(name: str) -> ExchangeError:
    return ExchangeError(
        "ExB1F3E7",
        "LitigationHoldEnabled",
        f'Exchange can\'t disable the mailbox "{name}" because it is on In-Place Hold or '
        "Litigation Hold.",
    )


def _archive_exists(name: str, archive: str, cloud_archive: str) -> ExchangeError:
    return ExchangeError(
        "Ex5E1C20",
        "ArchiveGuid",
        f"Failed to sync the ArchiveGuid {archive} of mailbox {name} because one cloud "
        f"archive {cloud_archive} exists.",
    )


def _proxy_in_use(value: str, owner: str) -> ExchangeError:
    return ExchangeError(
        "Ex9C5B0A",
        "EmailAddresses",
        f'The proxy address "{value}" is already being used by the proxy addresses or '
        f'LegacyExchangeDN of "{owner}". Please choose another proxy address.',
    )


@dataclass
class _Objects:
    """The tenant's object lists while they are being filled."""

    users: list[JsonObject] = field(default_factory=list)
    groups: list[JsonObject] = field(default_factory=list)
    contacts: list[JsonObject] = field(default_factory=list)
    deleted: list[JsonObject] = field(default_factory=list)


def build_demo_tenant(now: datetime) -> dict[str, Any]:
    """The Contoso demo tenant as of ``now`` (timezone-aware); same ``now``, same tenant."""
    builder = TenantBuilder(random.Random(DEMO_SEED), now)
    objects = _Objects()
    _add_conflict_scenarios(builder, objects)
    _add_state_scenarios(builder, objects)
    _add_data_quality_scenarios(builder, objects)
    ordinary = _add_ordinary_objects(builder, objects)
    _add_pool_conflicts(builder, objects, ordinary)
    align_last_sync((*objects.users, *objects.groups, *objects.contacts))
    return tenant_document(
        tenant_id=TENANT_ID,
        display_name="Contoso",
        now=builder.now,
        users=objects.users,
        groups=objects.groups,
        contacts=objects.contacts,
        deleted=objects.deleted,
    )


# --------------------------------------------------------------------------- scenarios


def _add_conflict_scenarios(b: TenantBuilder, o: _Objects) -> None:
    """Duplicate-attribute conflicts of every pairing, each with its other holder."""
    # upn-conflict-user-user: the cloud account made for Daniel before his on-premises account
    # synced holds his UPN; soft match is blocked, so the two stay apart (one identity: merge).
    o.users.append(b.user("Daniel", "Kim", sync=None, mail="daniel.kim@contoso.com", aliases=[],
                          office=_SEATTLE, department="Marketing", job_title="Contract Designer"))
    hired = b.ago(days=3, minutes=412)
    daniel = b.user("Daniel", "Kim", mail="dkim@contoso.com", aliases=[], office=_REDMOND,
                    department="Finance", job_title="Financial Analyst", created=hired)
    b.quarantine_upn(daniel, "daniel.kim@contoso.com", b.stamp(hired, ticks=True),
                     quarantined="daniel.kim4821@contoso.onmicrosoft.com", typed=True)
    o.users.append(daniel)

    # upn-conflict-both-sides: the known quirk, where the holder carries the error too.
    alex = b.user("Alex", "Wilber", mail="alex.wilber@contoso.com", aliases=[], office=_SEATTLE,
                  department="Sales", job_title="Account Executive")
    hired = b.ago(days=11, minutes=95)
    other_alex = b.user("Alex", "Wilber", mail="awilber@contoso.com", aliases=[], office=_LONDON,
                        department="Engineering", job_title="Software Engineer", created=hired)
    when = b.stamp(hired, ticks=False)
    alex["onPremisesProvisioningErrors"].append(
        property_conflict("UserPrincipalName", "alex.wilber@contoso.com", when)
    )
    b.quarantine_upn(other_alex, "alex.wilber@contoso.com", when,
                     quarantined="alex.wilber7305@contoso.onmicrosoft.com")
    o.users += [alex, other_alex]

    # proxy-conflict-user-user
    o.users.append(b.user("Isaiah", "Brooks", mail="isaiah.brooks@contoso.com",
                          aliases=["isaiah@contoso.com"], department="Customer Success"))
    isaiah = b.user("Isaiah", "Langer", mail="isaiah.langer@contoso.com",
                    aliases=["ilanger@contoso.com"], department="Sales", job_title="Sales Manager")
    isaiah["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddresses", "smtp:isaiah@contoso.com", b.stamp(b.ago(days=2, minutes=37), ticks=True)))
    o.users.append(isaiah)

    # proxy-conflict-user-group: someone added the team address to its manager on premises.
    o.groups.append(b.group("Sales Team", "unified", sync=None, mail="sales@contoso.com",
                            description="Everyone in Sales: pipeline reviews and announcements"))
    pradeep = b.user("Pradeep", "Gupta", mail="pradeep.gupta@contoso.com",
                     aliases=["pgupta@contoso.com"], department="Sales", job_title="Sales Manager")
    pradeep["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddress", "smtp:sales@contoso.com", b.stamp(b.ago(days=6, minutes=200), ticks=True),
        typed=True))
    o.users.append(pradeep)

    # proxy-conflict-user-contact: a rehire whose old alias still forwards to her contact.
    o.contacts.append(b.contact("Joni", "Sherman", _PARTNER["litwareinc.com"],
                                aliases=["jsherman@contoso.com"], display_name="Joni Sherman (Litware)"))
    hired = b.ago(days=1, minutes=58)
    joni = b.user("Joni", "Sherman", mail="joni.sherman@contoso.com", aliases=[],
                  department="Legal", job_title="Paralegal", created=hired)
    joni["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddress", "smtp:jsherman@contoso.com", b.stamp(hired, ticks=False)))
    o.users.append(joni)

    # proxy-conflict-group-contact: an agency's contact still answers to events@.
    o.contacts.append(b.contact("Event", "Services", _PARTNER["adatum.com"],
                                aliases=["events@contoso.com"], display_name="Adatum Event Services"))
    events = b.group("Events Team", "distribution", mail="events.team@contoso.com",
                     description="Trade shows and customer events")
    events["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddress", "smtp:events@contoso.com", b.stamp(b.ago(days=15, minutes=3), ticks=True)))
    o.groups.append(events)

    # conflict-holder-deleted: the former Megan Bowen, in the recycle bin, keeps her address.
    former = b.user("Megan", "Bowen", mail="megan.bowen@contoso.com", aliases=[],
                    department="Marketing", job_title="Marketing Manager")
    o.deleted.append(soft_deleted(former, USER_ODATA_TYPE, b.ago(days=9, minutes=271)))
    hired = b.ago(days=4, minutes=12)
    megan = b.user("Megan", "Bowen", mail="meganb@contoso.com", aliases=[],
                   department="Marketing", job_title="Content Strategist", created=hired)
    megan["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddresses", "smtp:megan.bowen@contoso.com", b.stamp(hired, ticks=True)))
    o.users.append(megan)

    # conflict-cleared: the other holder is gone; the hourly job has not caught up yet.
    b.reserve("training@contoso.com")
    lynne = b.user("Lynne", "Robbins", mail="lynne.robbins@contoso.com", aliases=[],
                   department="Human Resources", job_title="People Operations Specialist")
    lynne["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddress", "smtp:training@contoso.com", b.stamp(b.ago(minutes=52), ticks=True)))
    o.users.append(lynne)

    # quote-and-accents: the value needs OData quote escaping and Unicode-safe matching.
    o.users.append(b.user("Seán", "O'Brien", sync=None, mail="sean.obrien.dublin@contoso.com",
                          aliases=["seán.o'brien@contoso.com"], office=_DUBLIN,
                          department="Customer Success", job_title="Support Engineer"))
    sean = b.user("Seán", "O'Brien", mail="sean.obrien@contoso.com", aliases=[], office=_DUBLIN,
                  department="Engineering", job_title="Site Reliability Engineer")
    sean["onPremisesProvisioningErrors"].append(property_conflict(
        "ProxyAddress", "smtp:seán.o'brien@contoso.com", b.stamp(b.ago(days=5, minutes=700), ticks=True),
        typed=True))
    o.users.append(sean)

    # soft-match-blocked: the cloud account made before sync; BlockSoftMatch kept them apart.
    o.users.append(b.user("Lidia", "Holloway", sync=None, mail="lidia.holloway@contoso.com", aliases=[],
                          office=_SEATTLE, department="Engineering", job_title="Engineering Manager"))
    first_sync = b.ago(days=20, minutes=44)
    lidia = b.user("Lidia", "Holloway", mailbox=False, office=_SEATTLE, department="Engineering",
                   job_title="Engineering Manager", created=first_sync)
    when = b.stamp(first_sync, ticks=True)
    b.quarantine_upn(lidia, "lidia.holloway@contoso.com", when,
                     quarantined="lidia.holloway3318@contoso.onmicrosoft.com")
    lidia["onPremisesProvisioningErrors"].append(
        property_conflict("ProxyAddresses", "SMTP:lidia.holloway@contoso.com", when))
    o.users.append(lidia)


def _add_state_scenarios(b: TenantBuilder, o: _Objects) -> None:
    """Service errors, the recycle bin and sync states, plus the accounts every hybrid
    tenant has (the Entra Connect service account, a break-glass admin)."""
    # the controller's mailbox kept the approvals alias the new distribution group asks for
    diego = b.user("Diego", "Siciliani", mail="diego.siciliani@contoso.com", aliases=["approvals@contoso.com"],
                   department="Finance", job_title="Controller")
    diego["serviceProvisioningErrors"].append(service_error(
        _litigation_hold("Diego Siciliani"), graph_time_naive(b.ago(days=4, minutes=318))))
    o.users.append(diego)

    approvals = b.group("Finance Approvals", "distribution", mail="finance.approvals@contoso.com",
                        description="Purchase approvals over USD 10,000")
    approvals["serviceProvisioningErrors"].append(service_error(
        _email_in_use("smtp:approvals@contoso.com"), graph_time(b.ago(days=8, minutes=1))))
    o.groups.append(approvals)

    nestor = b.user("Nestor", "Wilke", mail="nestor.wilke@contoso.com", aliases=[],
                    department="Operations", job_title="Operations Manager")
    nestor["serviceProvisioningErrors"].append(service_error(
        _proxy_in_use("SMTP:nestor.wilke@contoso.com", "Nestor Wilke (old mailbox)"),
        graph_time_naive(b.ago(days=27, minutes=5)), resolved=True))
    o.users.append(nestor)

    patti = b.user("Patti", "Fernandez", mail="patti.fernandez@contoso.com", aliases=["pattif@contoso.com"],
                   department="Operations", job_title="Procurement Specialist")
    o.deleted.append(soft_deleted(patti, USER_ODATA_TYPE, b.ago(days=5, minutes=33)))

    o.users.append(b.user("Adele", "Vance", sync=None, mail="adele.vance@contoso.com", aliases=[],
                          department="Operations", job_title="Office Manager"))
    o.users.append(b.user("Grady", "Archie", sync=False, mail="grady.archie@contoso.com", aliases=[],
                          department="Engineering", job_title="QA Engineer"))

    for display, upn in (
        ("On-Premises Directory Synchronization Service Account",
         "Sync_CONTOSO-AADC01_5f2a9c3e1b7d@contoso.onmicrosoft.com"),
        ("Emergency Access Account", "breakglass01@contoso.onmicrosoft.com"),
    ):
        account = b.user("Service", "Account", sync=None, display_name=display, upn=upn,
                         mailbox=False, office=_REDMOND, department="IT")
        account.update(givenName=None, surname=None, jobTitle=None, department=None,
                       businessPhones=[], mobilePhone=None, officeLocation=None)
        o.users.append(account)


def _add_data_quality_scenarios(b: TenantBuilder, o: _Objects) -> None:
    """Values Entra ID rejects or rewrites (IdFix's rules) and the unverified UPN suffix."""
    enrico = b.user("Enrico", "Cattaneo", mail="enrico.cattaneo@contoso.com", aliases=[],
                    upn="enrico.cattaneo@contoso.onmicrosoft.com", office=_MADRID,
                    department="Sales", job_title="Account Executive")
    enrico["onPremisesUserPrincipalName"] = b.reserve("enrico.cattaneo@fabrikam.com")
    enrico["onPremisesDistinguishedName"] = "CN=Enrico Cattaneo,OU=Users,OU=Fabrikam,DC=contoso,DC=com"
    o.users.append(enrico)

    juergen = b.user("Jürgen", "Müller", mail="juergen.mueller@contoso.com",
                     aliases=["jürgen.müller@contoso.com", "juergen mueller@contoso.com"],
                     office=_MUNICH, department="Engineering", job_title="Network Engineer")
    juergen["onPremisesUserPrincipalName"] = "jürgen.müller@contoso.com"
    o.users.append(juergen)

    hubert = b.user("Hubert", "Wolfeschlegelsteinhausenbergerdorff",
                    mail="hubert.wolfeschlegelsteinhausenbergerdorff@contoso.com", aliases=[],
                    office=_MUNICH, department="Legal", job_title="Corporate Counsel")
    hubert["mailNickname"] = b.nickname("hubert.blaine.wolfeschlegelsteinhausenbergerdorff.senior.counsel.emea")
    o.users.append(hubert)

    facilities = b.group("Facilities North", "mail-security", mail="facilities.north@contoso.com",
                         description="Facilities requests for the north campus")
    facilities["mailNickname"] = b.nickname(".facilities.north")
    facilities["proxyAddresses"].append(f"smtp:{b.reserve('facilities:north@contoso.com')}")
    o.groups.append(facilities)

    words = ("info", "enquiries", "hello", "contact", "office")
    aliases = [f"{word}{n:02d}@{domain}" for word in words for n in range(1, 26)
               for domain in (TENANT_DOMAIN, "sales.contoso.com")]
    info = b.user("Contoso", "Info", display_name="Contoso Info", mail="info@contoso.com",
                  aliases=aliases, office=_REDMOND, department="Marketing", job_title="Shared mailbox")
    info["proxyAddresses"] += [
        "X500:/o=ContosoOrg/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/"
        f"cn={b.new_id().replace('-', '')}-info{n}"
        for n in range(320 - len(info["proxyAddresses"]))
    ]
    o.users.append(info)

    o.users.append(b.user("Ann", "Lee", mail="ann.lee@contoso.com", aliases=["alee@contoso.com"],
                          office=_SEATTLE, department="IT", job_title="Identity Engineer"))


# --------------------------------------------------------------------------- the rest

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


def _add_ordinary_objects(b: TenantBuilder, o: _Objects) -> list[JsonObject]:
    """Enough everyday users, groups and contacts that the scenarios are needles in a
    haystack; returns the live ones, from which the conflict pool is drawn."""
    rng = b.rng
    ordinary: list[JsonObject] = []
    filler_users = TOTAL_USERS - len(o.users) - 2 * _POOL_UPN_PAIRS
    cloud_needed = (TOTAL_CLOUD_ONLY_USERS - _POOL_UPN_PAIRS
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


def _add_pool_conflicts(b: TenantBuilder, o: _Objects, ordinary: list[JsonObject]) -> None:
    """Ordinary conflicts among ordinary objects: the pool ``mutate_demo_tenant`` works on.

    Each object takes part in at most one conflict. A contested proxy address is always
    a secondary alias of its holder (someone copied a colleague's alias); a contested
    UPN belongs to a cloud-only account made for the same person before sync.
    """
    rng = b.rng
    for _ in range(_POOL_UPN_PAIRS):
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        department = rng.choice(DEPARTMENT_NAMES)
        cloud = b.user(given, surname, sync=None, aliases=[], department=department)
        first_sync = b.ago(days=rng.randrange(1, 25), minutes=rng.randrange(1440))
        synced = b.user(given, surname, aliases=[], department=department, job_title=cloud["jobTitle"],
                        created=first_sync)
        b.quarantine_upn(synced, cloud["userPrincipalName"], b.stamp(first_sync, ticks=rng.random() < 0.5))
        o.users += [cloud, synced]

    holders = rng.sample([x for x in ordinary if any(p.startswith("smtp:") for p in x["proxyAddresses"])],
                         sum(_POOL_PROXY_CARRIERS.values()))
    holder_ids = {holder["id"] for holder in holders}
    free = [x for x in ordinary if x["id"] not in holder_ids and x["onPremisesSyncEnabled"] and x["mail"]]
    carriers = [carrier for kind, count in _POOL_PROXY_CARRIERS.items()
                for carrier in rng.sample([x for x in free if object_kind(x) == kind], count)]
    for carrier, holder in zip(carriers, holders):
        alias = rng.choice([p for p in holder["proxyAddresses"] if p.startswith("smtp:")])
        carrier["onPremisesProvisioningErrors"].append(property_conflict(
            rng.choice(("ProxyAddress", "ProxyAddresses")), alias,
            b.stamp(b.ago(days=rng.randrange(20), minutes=rng.randrange(1440)), ticks=rng.random() < 0.5),
            typed=rng.random() < 0.3))

    archived = next(x for x in free if object_kind(x) == "user" and not x["onPremisesProvisioningErrors"])
    archived["serviceProvisioningErrors"].append(service_error(
        _archive_exists(archived["displayName"], b.new_id(), b.new_id()),
        graph_time(b.ago(days=2, minutes=rng.randrange(1440)))))


# --------------------------------------------------------------------------- living tenant


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
