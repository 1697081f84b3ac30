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
from datetime import datetime
from typing import Any

from syncdash.emulator.scenarios.builder import TenantBuilder
from syncdash.emulator.scenarios.connect_health import add_connect_health
from syncdash.emulator.scenarios.document import tenant_document
from syncdash.emulator.scenarios.objects import (
    OFFICE_BY_CITY,
    PARTNERS,
    TENANT_DOMAIN,
    USER_ODATA_TYPE,
    align_last_sync,
    graph_time,
    graph_time_naive,
    property_conflict,
    service_error,
    soft_deleted,
)
from syncdash.emulator.scenarios.exchange_errors import email_in_use, litigation_hold, proxy_in_use
from syncdash.emulator.scenarios.ordinary import Objects, add_ordinary_objects, add_pool_conflicts

DEMO_SEED = 20261124
TENANT_ID = "4f1d5a9e-7c3b-4e2a-9d6f-8b0c2e5a1f37"

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




def build_demo_tenant(now: datetime) -> dict[str, Any]:
    """The Contoso demo tenant as of ``now`` (timezone-aware); same ``now``, same tenant."""
    builder = TenantBuilder(random.Random(DEMO_SEED), now)
    objects = Objects()
    _add_conflict_scenarios(builder, objects)
    _add_state_scenarios(builder, objects)
    _add_data_quality_scenarios(builder, objects)
    ordinary = add_ordinary_objects(builder, objects)
    add_pool_conflicts(builder, objects, ordinary)
    align_last_sync((*objects.users, *objects.groups, *objects.contacts))
    tenant = tenant_document(
        tenant_id=TENANT_ID,
        display_name="Contoso",
        now=builder.now,
        users=objects.users,
        groups=objects.groups,
        contacts=objects.contacts,
        deleted=objects.deleted,
    )
    add_connect_health(tenant, builder.now, set(DEMO_SCENARIOS.values()))
    return tenant


# --------------------------------------------------------------------------- scenarios


def _add_conflict_scenarios(b: TenantBuilder, o: Objects) -> None:
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


def _add_state_scenarios(b: TenantBuilder, o: Objects) -> None:
    """Service errors, the recycle bin and sync states, plus the accounts every hybrid
    tenant has (the Entra Connect service account, a break-glass admin)."""
    # the controller's mailbox kept the approvals alias the new distribution group asks for
    diego = b.user("Diego", "Siciliani", mail="diego.siciliani@contoso.com", aliases=["approvals@contoso.com"],
                   department="Finance", job_title="Controller")
    diego["serviceProvisioningErrors"].append(service_error(
        litigation_hold("Diego Siciliani"), graph_time_naive(b.ago(days=4, minutes=318))))
    o.users.append(diego)

    approvals = b.group("Finance Approvals", "distribution", mail="finance.approvals@contoso.com",
                        description="Purchase approvals over USD 10,000")
    approvals["serviceProvisioningErrors"].append(service_error(
        email_in_use("smtp:approvals@contoso.com"), graph_time(b.ago(days=8, minutes=1))))
    o.groups.append(approvals)

    nestor = b.user("Nestor", "Wilke", mail="nestor.wilke@contoso.com", aliases=[],
                    department="Operations", job_title="Operations Manager")
    nestor["serviceProvisioningErrors"].append(service_error(
        proxy_in_use("SMTP:nestor.wilke@contoso.com", "Nestor Wilke (old mailbox)"),
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


def _add_data_quality_scenarios(b: TenantBuilder, o: Objects) -> None:
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
