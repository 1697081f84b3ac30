"""Graph-shaped directory objects, shared by the demo tenant and the scale generator.

The demo tenant (``demo.py``) and generated scale tenants (``generate.py``) must look
exactly like what Microsoft Graph v1.0 returns when every property is ``$select``ed, so
the emulator, the diagnosis code and the tests all read one format. Everything that
decides *shape* lives here; the two callers only decide *content* (which objects exist
and what is wrong with them).
"""

from __future__ import annotations

import base64
import random
import re
import struct
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
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


# --------------------------------------------------------------------------- builder


class TenantBuilder:
    """Creates Graph-shaped objects while keeping addresses, aliases, SAM names and RIDs unique.

    Entra ID refuses duplicate UPNs and proxy addresses, so a tenant in which two
    objects silently share one would show the diagnosis code something that cannot
    happen. The only duplicates a tenant may show are the ones recorded as
    PropertyConflict errors, and the callers add those deliberately.
    """

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = require_utc(now)
        self.last_sync = self.now - LAST_SYNC_AGE
        self._addresses: set[str] = set()
        self._nicknames: set[str] = set()
        self._sams: set[str] = set()
        self._next_suffix: dict[tuple[str, str, bool], int] = {}
        self._next_nickname: dict[str, int] = {}
        self._next_sam: dict[str, int] = {}
        self._next_rid = 1104

    # -- uniqueness ---------------------------------------------------------------

    def adopt(self, tenant: JsonObject) -> None:
        """Reserve every name an existing tenant uses, before adding objects to it."""
        for obj in (*tenant["users"], *tenant["groups"], *tenant["contacts"], *tenant["deletedItems"]):
            for key in ("userPrincipalName", "onPremisesUserPrincipalName", "mail"):
                if obj.get(key):
                    self._addresses.add(obj[key].lower())
            self._addresses.update(address_of(proxy) for proxy in obj.get("proxyAddresses") or ())
            self._addresses.update(
                address_of(e["value"]) if ":" in e["value"] else e["value"].lower()
                for e in obj.get("onPremisesProvisioningErrors") or ()
            )
            if obj.get("mailNickname"):
                self._nicknames.add(obj["mailNickname"].lower())
            if obj.get("onPremisesSamAccountName"):
                self._sams.add(obj["onPremisesSamAccountName"].lower())
            sid = obj.get("onPremisesSecurityIdentifier")
            if sid and sid.startswith(DOMAIN_SID + "-"):
                self._next_rid = max(self._next_rid, int(sid.rpartition("-")[2]) + 1)

    def reserve(self, address: str) -> str:
        """Claim an exact address a scenario needs; a clash is a bug in the scenario."""
        key = address.lower()
        if key in self._addresses:
            raise ValueError(f"address {address!r} is already used in this tenant")
        self._addresses.add(key)
        return address

    def claim(self, local: str, domain: str, *, nickname: bool = False) -> str:
        """The first free ``local[N]@domain``; with ``nickname`` the local part also becomes a
        unique mailNickname (Exchange aliases are unique, and IdFix flags duplicates)."""
        key = (local, domain, nickname)
        n = self._next_suffix.get(key, 1)
        while True:
            candidate = local if n == 1 else f"{local}{n}"
            address = f"{candidate}@{domain}"
            if address.lower() not in self._addresses and not (
                nickname and candidate.lower() in self._nicknames
            ):
                break
            n += 1
        self._next_suffix[key] = n + 1
        self._addresses.add(address.lower())
        if nickname:
            self._nicknames.add(candidate.lower())
        return address

    def nickname(self, base: str) -> str:
        """A unique mailNickname for an object whose nickname is not its address."""
        return _first_free(self._nicknames, self._next_nickname, base, None)

    def quarantined_upn(self, prefix: str) -> str:
        """What resiliency gives a user whose UPN is taken: ``<prefix><4 digits>@<initial>``."""
        while True:
            address = f"{prefix}{self.rng.randrange(1000, 10000)}@{INITIAL_DOMAIN}"
            if address.lower() not in self._addresses:
                self._addresses.add(address.lower())
                return address

    def _sam(self, base: str, limit: int) -> str:
        """A unique sAMAccountName no longer than ``limit`` (20 for users in AD)."""
        return _first_free(self._sams, self._next_sam, _sam_base(base, limit), limit)

    def _sid(self) -> str:
        rid = self._next_rid
        self._next_rid += 1
        return f"{DOMAIN_SID}-{rid}"

    # -- primitives -----------------------------------------------------------------

    def new_uuid(self) -> uuid.UUID:
        """A random-looking but seed-determined object id."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def new_id(self) -> str:
        return str(self.new_uuid())

    def immutable_id(self) -> str:
        """Entra Connect's sourceAnchor: the base64 of the AD objectGUID (16 bytes)."""
        return base64.b64encode(self.rng.getrandbits(128).to_bytes(16, "little")).decode("ascii")

    def ago(self, *, days: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, minutes=minutes)

    def stamp(self, moment: datetime, *, ticks: bool) -> str:
        """An error timestamp in either of the two forms Graph payloads use."""
        return graph_time_ticks(moment, self.rng) if ticks else graph_time(moment)

    def office(self) -> Office:
        return self.rng.choice(_WEIGHTED_OFFICES)

    def recent_sync(self, not_before: datetime) -> datetime:
        """When sync last wrote an object: a cycle in the last 60 days, never before creation."""
        moment = self.last_sync - timedelta(minutes=self.rng.randrange(60 * _MINUTES_PER_DAY))
        return max(moment, not_before)

    # -- objects ------------------------------------------------------------------------

    def user(
        self,
        given: str,
        surname: str,
        *,
        sync: bool | None = True,
        display_name: str | None = None,
        upn: str | None = None,
        mail: str | None = None,
        aliases: Sequence[str] | None = None,
        mailbox: bool = True,
        office: Office | None = None,
        department: str | None = None,
        job_title: str | None = None,
        created: datetime | None = None,
    ) -> JsonObject:
        """A user. ``sync``: True synced, False was synced (now cloud-managed), None cloud-only.

        By default the address is ``given.surname@contoso.com`` (made unique) and a third
        of users get a short alias; scenarios pass exact ``upn``/``mail``/``aliases``, and
        a new hire passes ``created``.
        """
        rng = self.rng
        now = self.now
        office = office or self.office()
        department = department or rng.choice(DEPARTMENT_NAMES)
        job_title = job_title or rng.choice(DEPARTMENTS[department])
        display = display_name or f"{given} {surname}"
        if not mailbox:
            primary = None
            nick = self.nickname(upn.partition("@")[0] if upn else address_local(given, surname))
        elif mail is not None:
            primary = self.reserve(mail)
            nick = self.nickname(mail.partition("@")[0])
        else:
            primary = self.claim(address_local(given, surname), TENANT_DOMAIN, nickname=True)
            nick = primary.partition("@")[0]
        proxies = [f"SMTP:{primary}"] if primary else []
        if aliases is not None:
            proxies.extend(f"smtp:{self.reserve(alias)}" for alias in aliases)
        elif primary and rng.random() < 0.35:
            proxies.append(f"smtp:{self.claim(address_local(given[0] + surname), TENANT_DOMAIN)}")
            if department == "Sales":
                proxies.append(f"smtp:{self.claim(nick, SALES_DOMAIN)}")
        if upn is None:
            upn = primary or self.claim(address_local(given, surname), INITIAL_DOMAIN)
        elif upn != primary:
            self.reserve(upn)

        object_uuid = self.new_uuid()
        if created is None:
            created = now - timedelta(minutes=rng.randrange(30 * _MINUTES_PER_DAY, 2500 * _MINUTES_PER_DAY))
        password_changed = created + (now - created) * rng.random()
        synced = sync is not None
        extensions = dict.fromkeys(_EXTENSION_ATTRIBUTES)
        if synced:
            extensions["extensionAttribute1"] = f"CC-{rng.randrange(1000, 10000)}"
            last_sync = self.recent_sync(created) if sync else max(created, now - timedelta(days=41, minutes=17))
        return {
            "id": str(object_uuid),
            "deletedDateTime": None,
            "accountEnabled": True,
            "ageGroup": None,
            "businessPhones": [f"{office.phone_prefix}{rng.randrange(10000):04d}"],
            "city": office.city,
            "companyName": "Contoso Ltd." if synced else None,
            "consentProvidedForMinor": None,
            "country": office.country,
            "createdDateTime": graph_time(created),
            "creationType": None,
            "department": department,
            "displayName": display,
            "employeeHireDate": f"{created:%Y-%m-%d}T08:00:00Z" if synced else None,
            "employeeId": f"{rng.randrange(100000, 1000000)}" if synced else None,
            "employeeLeaveDateTime": None,
            "employeeType": "Employee" if synced else None,
            "externalUserState": None,
            "externalUserStateChangeDateTime": None,
            "faxNumber": None,
            "givenName": given,
            "imAddresses": [],
            "isResourceAccount": None,
            "jobTitle": job_title,
            "lastPasswordChangeDateTime": graph_time(password_changed),
            "legalAgeGroupClassification": None,
            "mail": primary,
            "mailNickname": nick,
            "mobilePhone": f"{office.phone_prefix}{rng.randrange(10000):04d}" if rng.random() < 0.4 else None,
            "officeLocation": f"{office.city} {rng.randrange(1, 12)}/{rng.randrange(100, 400)}",
            "onPremisesDistinguishedName": (
                f"CN={_dn_escape(display)},OU=Users,OU={_dn_escape(office.city)},DC=contoso,DC=com"
                if synced else None
            ),
            "onPremisesDomainName": TENANT_DOMAIN if synced else None,
            "onPremisesExtensionAttributes": extensions,
            "onPremisesImmutableId": self.immutable_id() if synced else None,
            "onPremisesLastSyncDateTime": graph_time(last_sync) if synced else None,
            "onPremisesProvisioningErrors": [],
            "onPremisesSamAccountName": self._sam(given[0] + surname, 20).lower() if synced else None,
            "onPremisesSecurityIdentifier": self._sid() if synced else None,
            "onPremisesSyncEnabled": sync,
            "onPremisesUserPrincipalName": upn if synced else None,
            "otherMails": [],
            "passwordPolicies": "DisablePasswordExpiration" if synced else None,
            "postalCode": office.postal_code,
            "preferredDataLocation": None,
            "preferredLanguage": office.language,
            "proxyAddresses": proxies,
            "securityIdentifier": cloud_sid(object_uuid),
            "serviceProvisioningErrors": [],
            "showInAddressList": None,
            "signInSessionsValidFromDateTime": graph_time(password_changed),
            "state": office.state,
            "streetAddress": office.street,
            "surname": surname,
            "usageLocation": office.usage_location,
            "userPrincipalName": upn,
            "userType": "Member",
        }

    def group(
        self,
        name: str,
        kind: GroupKind,
        *,
        sync: bool | None = True,
        mail: str | None = None,
        aliases: Sequence[str] = (),
        description: str | None = None,
    ) -> JsonObject:
        """A group. Synced groups carry their AD SAM name, SID and NetBIOS domain;
        Microsoft 365 (unified) groups are cloud-born and pass ``sync=None``."""
        rng = self.rng
        object_uuid = self.new_uuid()
        created = self.now - timedelta(minutes=rng.randrange(30 * _MINUTES_PER_DAY, 3000 * _MINUTES_PER_DAY))
        mail_enabled = kind != "security"
        if not mail_enabled:
            address = None
            nick = self.nickname(address_local(name))
        elif mail is not None:
            address = self.reserve(mail)
            nick = self.nickname(mail.partition("@")[0])
        else:
            address = self.claim(address_local(*name.split(), sep="."), TENANT_DOMAIN, nickname=True)
            nick = address.partition("@")[0]
        synced = sync is not None
        return {
            "id": str(object_uuid),
            "deletedDateTime": None,
            "classification": None,
            "createdDateTime": graph_time(created),
            "description": description,
            "displayName": name,
            "expirationDateTime": None,
            "groupTypes": ["Unified"] if kind == "unified" else [],
            "isAssignableToRole": None,
            "mail": address,
            "mailEnabled": mail_enabled,
            "mailNickname": nick,
            "membershipRule": None,
            "membershipRuleProcessingState": None,
            "onPremisesDomainName": TENANT_DOMAIN if synced else None,
            "onPremisesLastSyncDateTime": graph_time(self.recent_sync(created)) if synced else None,
            "onPremisesNetBiosName": NETBIOS_NAME if synced else None,
            "onPremisesProvisioningErrors": [],
            "onPremisesSamAccountName": self._sam(name, 64) if synced else None,
            "onPremisesSecurityIdentifier": self._sid() if synced else None,
            "onPremisesSyncEnabled": sync,
            "preferredDataLocation": None,
            "preferredLanguage": None,
            "proxyAddresses": (
                [f"SMTP:{address}", *(f"smtp:{self.reserve(alias)}" for alias in aliases)] if address else []
            ),
            "renewedDateTime": graph_time(created),
            "resourceBehaviorOptions": [],
            "resourceProvisioningOptions": ["Team"] if kind == "unified" and rng.random() < 0.6 else [],
            "securityEnabled": kind in ("security", "mail-security"),
            "securityIdentifier": cloud_sid(object_uuid),
            "serviceProvisioningErrors": [],
            "theme": None,
            "visibility": rng.choice(("Private", "Public")) if kind == "unified" else None,
        }

    def contact(
        self,
        given: str,
        surname: str,
        company: Company,
        *,
        sync: bool | None = True,
        aliases: Sequence[str] = (),
        display_name: str | None = None,
    ) -> JsonObject:
        """A mail contact (orgContact) for someone outside the organisation."""
        rng = self.rng
        address = self.claim(address_local(given, surname), company.domain)
        office = self.office()
        return {
            "id": self.new_id(),
            "deletedDateTime": None,
            "addresses": [],
            "companyName": company.name,
            "department": None,
            "displayName": display_name or f"{given} {surname}",
            "givenName": given,
            "jobTitle": rng.choice(DEPARTMENTS[rng.choice(DEPARTMENT_NAMES)]),
            "mail": address,
            "mailNickname": self.nickname(address_local(given, surname, sep="")),
            "onPremisesLastSyncDateTime": (
                graph_time(self.recent_sync(self.ago(days=2500))) if sync is not None else None
            ),
            "onPremisesProvisioningErrors": [],
            "onPremisesSyncEnabled": sync,
            "phones": [{"number": f"{office.phone_prefix}{rng.randrange(10000):04d}", "type": "business"}],
            "proxyAddresses": [f"SMTP:{address}", *(f"smtp:{self.reserve(a)}" for a in aliases)],
            "serviceProvisioningErrors": [],
            "surname": surname,
        }

    def quarantine_upn(self, user: JsonObject, wanted: str, occurred: str, *,
                       quarantined: str | None = None, typed: bool = False) -> None:
        """Record what resiliency does when a synced user's on-prem UPN is taken: the
        cloud UPN becomes ``<prefix><4 digits>@<initial domain>`` and a conflict is logged."""
        user["onPremisesUserPrincipalName"] = wanted
        user["userPrincipalName"] = (
            self.reserve(quarantined) if quarantined else self.quarantined_upn(wanted.partition("@")[0])
        )
        user["onPremisesProvisioningErrors"].append(
            property_conflict("UserPrincipalName", wanted, occurred, typed=typed)
        )


# --------------------------------------------------------------------------- tenant


def tenant_document(
    *,
    tenant_id: str,
    display_name: str,
    now: datetime,
    users: list[JsonObject],
    groups: list[JsonObject],
    contacts: list[JsonObject],
    deleted: list[JsonObject],
) -> JsonObject:
    """Wrap the objects with the tenant-level collections (organization, domains, sync
    settings) that every Contoso-shaped tenant shares."""
    now = require_utc(now)
    verified = (
        (TENANT_DOMAIN, True, False),
        (INITIAL_DOMAIN, False, True),
        (SALES_DOMAIN, False, False),
    )
    organization = {
        "id": tenant_id,
        "deletedDateTime": None,
        "assignedPlans": [],
        "businessPhones": ["+1 425 555 0100"],
        "city": "Redmond",
        "country": None,
        "countryLetterCode": "US",
        "createdDateTime": graph_time(now - timedelta(days=3650, hours=5, minutes=12)),
        "defaultUsageLocation": None,
        "displayName": display_name,
        "marketingNotificationEmails": [],
        "onPremisesLastSyncDateTime": graph_time(now - LAST_SYNC_AGE),
        "onPremisesSyncEnabled": True,
        "partnerTenantType": None,
        "postalCode": "98052",
        "preferredLanguage": "en",
        "privacyProfile": None,
        "provisionedPlans": [],
        "securityComplianceNotificationMails": [],
        "securityComplianceNotificationPhones": [],
        "state": "WA",
        "street": "15010 NE 36th St",
        "technicalNotificationMails": [f"it-alerts@{TENANT_DOMAIN}"],
        "tenantType": "AAD",
        "verifiedDomains": [
            {
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": is_default,
                "isInitial": is_initial,
                "name": name,
                "type": "Managed",
            }
            for name, is_default, is_initial in verified
        ],
    }
    domains = [
        _domain(TENANT_DOMAIN, verified=True, default=True, initial=False, root=True),
        _domain(INITIAL_DOMAIN, verified=True, default=False, initial=True, root=True),
        _domain(SALES_DOMAIN, verified=True, default=False, initial=False, root=False),
        _domain(UNVERIFIED_DOMAIN, verified=False, default=False, initial=False, root=True),
    ]
    features = {
        "allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled": False,
        "blockCloudObjectTakeoverThroughHardMatchEnabled": True,
        "blockSoftMatchEnabled": True,
        "bypassDirSyncOverridesEnabled": False,
        "cloudPasswordPolicyForPasswordSyncedUsersEnabled": False,
        "concurrentCredentialUpdateEnabled": False,
        "concurrentOrgIdProvisioningEnabled": True,
        "deviceWritebackEnabled": False,
        "directoryExtensionsEnabled": False,
        "fopeConflictResolutionEnabled": False,
        "groupWriteBackEnabled": False,
        "passwordSyncEnabled": True,
        "passwordWritebackEnabled": True,
        "quarantineUponProxyAddressesConflictEnabled": True,
        "quarantineUponUpnConflictEnabled": True,
        "softMatchOnUpnEnabled": True,
        "synchronizeUpnForManagedUsersEnabled": True,
        "unifiedGroupWritebackEnabled": False,
        "userForcePasswordChangeOnLogonEnabled": False,
        "userWritebackEnabled": False,
    }
    synchronization = {
        "id": tenant_id,
        "configuration": {
            "accidentalDeletionPrevention": {
                "synchronizationPreventionType": "enabledForCount",
                "alertThreshold": 500,
            },
            "synchronizationInterval": "PT30M",
            "customerRequestedSynchronizationInterval": "PT30M",
        },
        "features": features,
    }
    return {
        "organization": [organization],
        "domains": domains,
        "onPremisesSynchronization": [synchronization],
        "users": users,
        "groups": groups,
        "contacts": contacts,
        "deletedItems": deleted,
    }


def _domain(name: str, *, verified: bool, default: bool, initial: bool, root: bool) -> JsonObject:
    """A /domains entry; an unverified domain supports no services yet."""
    return {
        "id": name,
        "authenticationType": "Managed",
        "availabilityStatus": None,
        "isAdminManaged": True,
        "isDefault": default,
        "isInitial": initial,
        "isRoot": root,
        "isVerified": verified,
        "manufacturer": None,
        "model": None,
        "passwordNotificationWindowInDays": 14 if verified else None,
        "passwordValidityPeriodInDays": 2147483647 if verified else None,
        "state": None,
        "supportedServices": ["Email", "OfficeCommunicationsOnline"] if verified else [],
    }
