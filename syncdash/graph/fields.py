"""The properties syncdash asks Graph for, per collection.

Users return their onPremises* fields only when selected, and every field less is less
JSON to move and parse, so each listing names exactly what the model reads.
"""

from __future__ import annotations

from syncdash.model import ObjectKind

_SYNC_FIELDS = (
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "serviceProvisioningErrors",
)
_ADDRESS_FIELDS = ("id", "displayName", "mail", "mailNickname", "proxyAddresses")

USER_FIELDS = (
    *_ADDRESS_FIELDS,
    "userPrincipalName",
    "accountEnabled",
    *_SYNC_FIELDS,
    "onPremisesImmutableId",
    "onPremisesDistinguishedName",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesUserPrincipalName",
    "onPremisesDomainName",
)
GROUP_FIELDS = (
    *_ADDRESS_FIELDS,
    *_SYNC_FIELDS,
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesDomainName",
    "onPremisesNetBiosName",
)
CONTACT_FIELDS = (*_ADDRESS_FIELDS, *_SYNC_FIELDS)

FIELDS: dict[ObjectKind, tuple[str, ...]] = {
    ObjectKind.USER: USER_FIELDS,
    ObjectKind.GROUP: GROUP_FIELDS,
    ObjectKind.CONTACT: CONTACT_FIELDS,
}

ORGANIZATION_FIELDS = (
    "id",
    "displayName",
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
    "verifiedDomains",
)
DOMAIN_FIELDS = ("id", "isVerified", "isInitial", "isDefault", "authenticationType")
