"""What Graph knows about each collection the emulator serves: properties, defaults, filters.

Only what syncdash's requests touch is modelled in detail; properties outside these lists
that a tenant file carries are still stored and served (Graph adds properties over time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Operators per property: (allowed by default, allowed only with ConsistencyLevel+$count).
Rule = tuple[tuple[str, ...], tuple[str, ...]]

_STRING: Rule = (("eq", "in", "startswith"), ("ne", "endswith"))
_BOOL: Rule = (("eq",), ("ne",))
_ID: Rule = (("eq", "in"), ())
_MULTI: Rule = (("any:eq", "any:startswith"), ("any:ne", "$count"))
_ERRORS: Rule = ((), ("$count",))
#: user resource: onPremisesImmutableId "Supports $filter (eq, ne, not, ge, le, in)" — no startsWith.
_IMMUTABLE_ID: Rule = (("eq", "in"), ("ne",))
#: user resource: onPremisesSamAccountName supports eq, ne, in, startsWith, but only as an
#: advanced query ("Advanced query capabilities on Microsoft Entra ID objects").
_ADVANCED_STRING: Rule = ((), ("eq", "in", "startswith", "ne"))


@dataclass(frozen=True)
class Schema:
    name: str
    odata_type: str
    properties: frozenset[str]
    collections: frozenset[str] = frozenset()
    #: What a listing without $select returns; None means every stored property.
    defaults: tuple[str, ...] | None = None
    filterable: dict[str, Rule] = field(default_factory=dict)


_ON_PREMISES_COMMON = (
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "serviceProvisioningErrors",
)
_DIRECTORY_FILTERS: dict[str, Rule] = {
    "id": _ID,
    "displayName": _STRING,
    "mail": _STRING,
    "mailNickname": _STRING,
    "proxyAddresses": _MULTI,
    "onPremisesSyncEnabled": _BOOL,
    "onPremisesProvisioningErrors": _ERRORS,
    "onPremisesProvisioningErrors/category": (("any:eq",), ("any:ne",)),
    "onPremisesProvisioningErrors/propertyCausingError": (("any:eq",), ("any:ne",)),
}

USER = Schema(
    name="users",
    odata_type="microsoft.graph.user",
    properties=frozenset(
        {
            "id", "displayName", "givenName", "surname", "userPrincipalName", "mail",
            "mailNickname", "proxyAddresses", "accountEnabled", "jobTitle", "department",
            "mobilePhone", "businessPhones", "officeLocation", "preferredLanguage",
            "usageLocation", "createdDateTime", "deletedDateTime", "userType", "companyName",
            "employeeId", "otherMails", "imAddresses", "onPremisesImmutableId",
            "onPremisesDistinguishedName", "onPremisesSamAccountName",
            "onPremisesSecurityIdentifier", "onPremisesUserPrincipalName",
            "onPremisesDomainName", "onPremisesExtensionAttributes", *_ON_PREMISES_COMMON,
        }
    ),
    collections=frozenset(
        {"proxyAddresses", "businessPhones", "otherMails", "imAddresses",
         "onPremisesProvisioningErrors", "serviceProvisioningErrors"}
    ),
    defaults=(
        "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
        "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
    ),
    filterable={
        **_DIRECTORY_FILTERS,
        "userPrincipalName": _STRING,
        "accountEnabled": _BOOL,
        "onPremisesImmutableId": _IMMUTABLE_ID,
        "onPremisesSamAccountName": _ADVANCED_STRING,
    },
)

GROUP = Schema(
    name="groups",
    odata_type="microsoft.graph.group",
    properties=frozenset(
        {
            "id", "displayName", "description", "mail", "mailEnabled", "mailNickname",
            "securityEnabled", "groupTypes", "proxyAddresses", "createdDateTime",
            "deletedDateTime", "visibility", "onPremisesSamAccountName",
            "onPremisesSecurityIdentifier", "onPremisesDomainName", "onPremisesNetBiosName",
            *_ON_PREMISES_COMMON,
        }
    ),
    collections=frozenset(
        {"proxyAddresses", "groupTypes", "onPremisesProvisioningErrors", "serviceProvisioningErrors"}
    ),
    filterable={**_DIRECTORY_FILTERS, "mailEnabled": _BOOL, "securityEnabled": _BOOL},
)

CONTACT = Schema(
    name="contacts",
    odata_type="microsoft.graph.orgContact",
    properties=frozenset(
        {
            "id", "displayName", "givenName", "surname", "companyName", "department",
            "jobTitle", "mail", "mailNickname", "proxyAddresses", "addresses", "phones",
            *_ON_PREMISES_COMMON,
        }
    ),
    collections=frozenset(
        {"proxyAddresses", "addresses", "phones", "onPremisesProvisioningErrors",
         "serviceProvisioningErrors"}
    ),
    filterable=dict(_DIRECTORY_FILTERS),
)

ORGANIZATION = Schema(
    name="organization",
    odata_type="microsoft.graph.organization",
    properties=frozenset(
        {"id", "displayName", "onPremisesSyncEnabled", "onPremisesLastSyncDateTime",
         "verifiedDomains", "tenantType", "countryLetterCode", "createdDateTime"}
    ),
    collections=frozenset({"verifiedDomains"}),
)

DOMAIN = Schema(
    name="domains",
    odata_type="microsoft.graph.domain",
    properties=frozenset(
        {"id", "isVerified", "isInitial", "isDefault", "isRoot", "isAdminManaged",
         "authenticationType", "supportedServices"}
    ),
    collections=frozenset({"supportedServices"}),
)

ON_PREMISES_SYNCHRONIZATION = Schema(
    name="onPremisesSynchronization",
    odata_type="microsoft.graph.onPremisesDirectorySynchronization",
    properties=frozenset({"id", "configuration", "features"}),
)
