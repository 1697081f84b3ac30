"""Graph-shaped users, groups and contacts with unique addresses, aliases, SAM names and RIDs."""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from syncdash.emulator.scenarios.objects import (
    Company,
    DEPARTMENTS,
    DEPARTMENT_NAMES,
    DOMAIN_SID,
    GroupKind,
    INITIAL_DOMAIN,
    JsonObject,
    LAST_SYNC_AGE,
    NETBIOS_NAME,
    Office,
    SALES_DOMAIN,
    TENANT_DOMAIN,
    _EXTENSION_ATTRIBUTES,
    _MINUTES_PER_DAY,
    _WEIGHTED_OFFICES,
    _dn_escape,
    _first_free,
    _sam_base,
    address_local,
    address_of,
    cloud_sid,
    graph_time,
    graph_time_ticks,
    property_conflict,
    require_utc,
)


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
