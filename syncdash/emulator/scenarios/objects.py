"""Graph-shaped directory objects, shared by the demo tenant and the scale generator.

The demo tenant (``demo.py``) and generated scale tenants (``generate.py``) must look
exactly like what Microsoft Graph v1.0 returns when every property is ``$select``ed, so
the emulator, the diagnosis code and the tests all read one format. Everything that
decides *shape* lives here; the two callers only decide *content* (which objects exist
and what is wrong with them).
"""

from __future__ import annotations

import random
import re
import struct
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

JsonObject = dict[str, Any]
#: security: not mail-enabled; mail-security: mail-enabled security group;
#: distribution: distribution list; unified: Microsoft 365 group (cloud-born).
GroupKind = Literal["security", "mail-security", "distribution", "unified"]

TENANT_DOMAIN = "contoso.com"
INITIAL_DOMAIN = "contoso.onmicrosoft.com"
SALES_DOMAIN = "sales.contoso.com"
UNVERIFIED_DOMAIN = "fabrikam.com"
NETBIOS_NAME = "CONTOSO"
#: The on-premises AD domain's SID; every synced object's SID is this plus a RID.
DOMAIN_SID = "S-1-5-21-2127521184-1604012920-1887927527"
EXCHANGE_INSTANCE = "exchange/NAMPRD09-001-01"
#: How long ago the last Entra Connect cycle ran (the default cycle is 30 minutes).
LAST_SYNC_AGE = timedelta(minutes=23)

USER_ODATA_TYPE = "#microsoft.graph.user"
GROUP_ODATA_TYPE = "#microsoft.graph.group"
PROVISIONING_ERROR_ODATA_TYPE = "#microsoft.graph.onPremisesProvisioningError"
SERVICE_ERROR_ODATA_TYPE = "#microsoft.graph.serviceProvisioningXmlError"

_EXTENSION_ATTRIBUTES = tuple(f"extensionAttribute{n}" for n in range(1, 16))
_MINUTES_PER_DAY = 24 * 60


# --------------------------------------------------------------------------- time


def require_utc(now: datetime) -> datetime:
    """Reject naive datetimes: every timestamp is written with ``Z``, which must be true."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime (UTC)")
    return now.astimezone(UTC)


def graph_time(moment: datetime) -> str:
    """Graph's usual DateTimeOffset form, ``2026-11-24T10:15:03Z`` (moment is UTC).

    Built from isoformat (C code) rather than strftime: it runs several times per object.
    """
    return moment.isoformat(timespec="seconds")[:-6] + "Z"


def graph_time_ticks(moment: datetime, rng: random.Random) -> str:
    """The .NET form Graph samples show for errors: 7 fractional digits and an offset."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{rng.randrange(10_000_000):07d}+00:00"


def graph_time_naive(moment: datetime) -> str:
    """The zone-less form of Graph's serviceProvisioningError samples (``...T17:45:18.00``)."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.00"


# --------------------------------------------------------------------------- names

GIVEN_NAMES: tuple[str, ...] = (
    "Aaliyah", "Adebayo", "Aiko", "Alejandro", "Amara", "Anders", "Anika", "Aroha", "Ayşe",
    "Beatriz", "Björn", "Bongani", "Carlos", "Catalina", "Chen", "Chidi", "Chloé", "Ciarán",
    "Daniela", "Dmitri", "Eero", "Elif", "Emeka", "Émilie", "Farah", "Fatima", "François",
    "Freya", "Gareth", "Grace", "Hana", "Hiroshi", "Ines", "Ingrid", "Isabel", "Jamal",
    "Javier", "Ji-woo", "Joaquín", "José", "Julia", "Kai", "Kalani", "Karin", "Kenji",
    "Lars", "Leila", "Liam", "Lucía", "Łukasz", "Maeve", "Malik", "Małgorzata", "Marco",
    "María", "Mateo", "Mei", "Mikael", "Min-jun", "Nadia", "Niamh", "Noah", "Olga", "Omar",
    "Oskar", "Priya", "Rafael", "Rania", "Renée", "Rohan", "Saanvi", "Sakura", "Siobhán",
    "Søren", "Sofia", "Tariq", "Thabo", "Tomás", "Valentina", "Vikram", "Wei", "Yara",
    "Yusuf", "Zanele", "Zoë",
)
SURNAMES: tuple[str, ...] = (
    "Åberg", "Abubakar", "Adeyemi", "Alvarez", "Andersson", "Bauer", "Bergström", "Brennan",
    "Castillo", "Çelik", "Chen", "Costa", "Dubois", "Dvořák", "Eriksen", "Fernández",
    "Fischer", "García", "Gonzalez", "Gupta", "Haddad", "Hansen", "Hernández", "Ito",
    "Jansen", "Jensen", "Johansson", "Kaur", "Kelly", "Kim", "Kowalczyk", "Kumar", "Larsen",
    "Lee", "Lefèvre", "Lindqvist", "López", "Martin", "Mbeki", "Mendoza", "Moreau",
    "Müller", "Murphy", "Nakamura", "Nguyen", "Novák", "Núñez", "O'Brien", "O'Connor",
    "Okafor", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Rahman", "Ramírez", "Rossi",
    "Sánchez", "Santos", "Sato", "Schmidt", "Silva", "Singh", "Smith", "Sørensen",
    "Suzuki", "Tanaka", "Taylor", "Thompson", "Van der Berg", "Wang", "Weber", "Williams",
    "Wójcik", "Yamamoto", "Yilmaz", "Zhang", "Żukowski",
)

#: Letters NFKD does not decompose into ASCII.
_FOLD_EXTRA = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ł": "l",
                             "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"})
_NOT_LOCAL = re.compile(r"[^a-z0-9.\-_]")
_NOT_SAM = re.compile(r"[\\\"|,/\[\]:<>+=;?*@ .']")


@lru_cache(maxsize=4096)
def ascii_fold(text: str) -> str:
    """``Núñez`` -> ``Nunez``: address local parts are ASCII even when names are not."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return decomposed.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=65536)
def address_local(*parts: str, sep: str = ".") -> str:
    """The local part an admin would pick: ``Seán``, ``O'Brien`` -> ``sean.obrien``."""
    return sep.join(_NOT_LOCAL.sub("", ascii_fold(part).lower()) for part in parts)


def _first_free(taken: set[str], next_suffix: dict[str, int], base: str, limit: int | None) -> str:
    """``base``, else ``base2``, ``base3``… (cut to ``limit`` characters) not yet in ``taken``.

    ``next_suffix`` remembers where the last search for ``base`` ended, so thousands of
    John Smiths cost one step each instead of a scan over every earlier one.
    """
    n = next_suffix.get(base, 1)
    while True:
        suffix = "" if n == 1 else str(n)
        candidate = (base if limit is None else base[: limit - len(suffix)]) + suffix
        if candidate.lower() not in taken:
            break
        n += 1
    next_suffix[base] = n + 1
    taken.add(candidate.lower())
    return candidate


@lru_cache(maxsize=65536)
def _sam_base(name: str, limit: int) -> str:
    return _NOT_SAM.sub("", ascii_fold(name))[:limit]


# --------------------------------------------------------------------------- org data


@dataclass(frozen=True, slots=True)
class Office:
    """One site: its OU in AD, and the address fields Graph shows on its users."""

    city: str
    state: str | None
    country: str
    usage_location: str
    street: str
    postal_code: str
    phone_prefix: str
    language: str


OFFICES: tuple[Office, ...] = (
    Office("Seattle", "WA", "United States", "US", "2000 1st Ave", "98121", "+1 206 555 ", "en-US"),
    Office("Redmond", "WA", "United States", "US", "15010 NE 36th St", "98052", "+1 425 555 ", "en-US"),
    Office("New York", "NY", "United States", "US", "11 Times Sq", "10036", "+1 212 555 ", "en-US"),
    Office("London", None, "United Kingdom", "GB", "2 Kingdom St", "W2 6BD", "+44 20 7946 ", "en-GB"),
    Office("Dublin", None, "Ireland", "IE", "1 Grand Canal Quay", "D02 R590", "+353 1 555 ", "en-IE"),
    Office("München", "BY", "Germany", "DE", "Walter-Gropius-Str. 5", "80807", "+49 89 5555 ", "de-DE"),
    Office("Stockholm", None, "Sweden", "SE", "Kungsgatan 12", "111 43", "+46 8 555 ", "sv-SE"),
    Office("Madrid", None, "Spain", "ES", "Paseo de la Castellana 79", "28046", "+34 91 555 ", "es-ES"),
    Office("São Paulo", "SP", "Brazil", "BR", "Av. Paulista 1000", "01310-100", "+55 11 5555 ", "pt-BR"),
    Office("Tokyo", None, "Japan", "JP", "2-16-3 Konan", "108-0075", "+81 3 5555 ", "ja-JP"),
)
#: Offices repeated by headcount share (head office first): one ``choice`` draws a
#: weighted office, cheaper than ``choices`` with weights for every new user.
_WEIGHTED_OFFICES: tuple[Office, ...] = tuple(
    office for office, weight in zip(OFFICES, (30, 20, 10, 10, 6, 6, 5, 5, 4, 4)) for _ in range(weight)
)
OFFICE_BY_CITY = {office.city: office for office in OFFICES}

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Sales": ("Account Executive", "Sales Manager", "Inside Sales Representative",
              "Sales Operations Analyst"),
    "Marketing": ("Marketing Manager", "Content Strategist", "Brand Designer",
                  "Events Coordinator"),
    "Engineering": ("Software Engineer", "Senior Software Engineer", "Engineering Manager",
                    "Site Reliability Engineer", "QA Engineer"),
    "Finance": ("Accountant", "Financial Analyst", "Payroll Specialist", "Controller"),
    "Human Resources": ("HR Business Partner", "Recruiter", "People Operations Specialist"),
    "IT": ("Systems Administrator", "Identity Engineer", "Service Desk Analyst",
           "Network Engineer"),
    "Legal": ("Corporate Counsel", "Paralegal", "Compliance Officer"),
    "Operations": ("Operations Manager", "Facilities Coordinator", "Procurement Specialist",
                   "Office Manager"),
    "Customer Success": ("Customer Success Manager", "Support Engineer", "Onboarding Specialist"),
}
DEPARTMENT_NAMES = tuple(DEPARTMENTS)


@dataclass(frozen=True, slots=True)
class Company:
    """An external organisation whose people appear as mail contacts."""

    name: str
    domain: str


PARTNERS: tuple[Company, ...] = (
    Company("Northwind Traders", "northwindtraders.com"),
    Company("Litware, Inc.", "litwareinc.com"),
    Company("Adatum Corporation", "adatum.com"),
    Company("Tailspin Toys", "tailspintoys.com"),
    Company("Fourth Coffee", "fourthcoffee.com"),
    Company("Woodgrove Bank", "woodgrovebank.com"),
    Company("Proseware, Inc.", "proseware.com"),
    Company("Alpine Ski House", "alpineskihouse.com"),
    Company("Coho Winery", "cohowinery.com"),
    Company("Wingtip Toys", "wingtiptoys.com"),
)


# --------------------------------------------------------------------------- errors


def property_conflict(prop: str, value: str, occurred: str, *, typed: bool = False) -> JsonObject:
    """A duplicate-attribute-resiliency record; ``typed`` adds the nested @odata.type
    that some Graph payloads carry, so parsers are exercised with and without it."""
    error: JsonObject = {
        "category": "PropertyConflict",
        "occurredDateTime": occurred,
        "propertyCausingError": prop,
        "value": value,
    }
    if typed:
        return {"@odata.type": PROVISIONING_ERROR_ODATA_TYPE, **error}
    return error


@dataclass(frozen=True, slots=True)
class ExchangeError:
    """One ErrorRecord of the XML Exchange Online writes into serviceProvisioningErrors."""

    code: str
    parameter: str
    description: str


def service_error(
    error: ExchangeError, created: str, *, resolved: bool = False, instance: str = EXCHANGE_INSTANCE
) -> JsonObject:
    """A ``serviceProvisioningXmlError`` as Graph returns it, XML detail included."""
    detail = (
        f"<ServiceInstance Name={quoteattr(instance)}><ObjectErrors><ErrorRecord>"
        f"<ErrorCode>{escape(error.code)}</ErrorCode>"
        f"<ErrorParameters><ErrorParameter>{escape(error.parameter)}</ErrorParameter></ErrorParameters>"
        f"<ErrorDescription>{escape(error.description)}</ErrorDescription>"
        f"</ErrorRecord></ObjectErrors></ServiceInstance>"
    )
    return {
        "@odata.type": SERVICE_ERROR_ODATA_TYPE,
        "createdDateTime": created,
        "isResolved": resolved,
        "serviceInstance": instance,
        "errorDetail": detail,
    }


# --------------------------------------------------------------------------- helpers


def address_of(proxy: str) -> str:
    """``smtp:Ann@Contoso.com`` -> ``ann@contoso.com``: proxies compare case-insensitively."""
    return proxy.partition(":")[2].lower()


def object_kind(obj: JsonObject) -> Literal["user", "group", "contact"]:
    """Which collection an object came from, told by the properties only that type has."""
    if "userPrincipalName" in obj:
        return "user"
    if "groupTypes" in obj:
        return "group"
    return "contact"


def cloud_sid(object_id: uuid.UUID) -> str:
    """Entra's own SID for an object, derived from its id (S-1-12-1-…)."""
    return "S-1-12-1-%d-%d-%d-%d" % struct.unpack("<4I", object_id.bytes_le)


@lru_cache(maxsize=65536)
def _dn_escape(value: str) -> str:
    """RFC 4514 escaping, so a name with a comma cannot break the DN."""
    escaped = re.sub(r'([,+"\\<>;=])', r"\\\1", value)
    return "\\" + escaped if escaped.startswith(("#", " ")) else escaped


def align_last_sync(objects: Iterable[JsonObject]) -> None:
    """A conflict is recorded by the export that wrote the object, so an object's last
    sync can never be older than its newest conflict: move it forward where it is."""
    for obj in objects:
        errors = obj["onPremisesProvisioningErrors"]
        if not errors or not obj["onPremisesLastSyncDateTime"]:
            continue
        newest = max(datetime.fromisoformat(e["occurredDateTime"]) for e in errors)
        if datetime.fromisoformat(obj["onPremisesLastSyncDateTime"]) < newest:
            rounded_up = newest.replace(microsecond=0) + timedelta(seconds=1 if newest.microsecond else 0)
            obj["onPremisesLastSyncDateTime"] = graph_time(rounded_up.astimezone(UTC))


def soft_deleted(obj: JsonObject, odata_type: str, deleted_at: datetime) -> JsonObject:
    """The recycle-bin form of a user or group, as /directory/deletedItems returns it.

    Entra frees a deleted user's UPN by prefixing it with the id's 32 hex digits, but
    keeps its mail and proxy addresses: a soft-deleted object can still be the other
    side of a proxy-address conflict for 30 days.
    """
    deleted: JsonObject = {"@odata.type": odata_type, **obj, "deletedDateTime": graph_time(deleted_at)}
    if odata_type == USER_ODATA_TYPE:
        deleted["userPrincipalName"] = obj["id"].replace("-", "") + obj["userPrincipalName"]
    return deleted
