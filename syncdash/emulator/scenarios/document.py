"""A tenant file: the objects wrapped with the organization, domains and sync settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from syncdash.emulator.scenarios.objects import (
    INITIAL_DOMAIN,
    JsonObject,
    LAST_SYNC_AGE,
    SALES_DOMAIN,
    TENANT_DOMAIN,
    UNVERIFIED_DOMAIN,
    graph_time,
    require_utc,
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
