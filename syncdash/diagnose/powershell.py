"""One-line fixes and read-only checks (ActiveDirectory module on-premises, Exchange Online
PowerShell in the cloud), shown as suggestions only.

Values come from the directory, so each is written as a single-quoted PowerShell string
with quotes doubled: a crafted value cannot end the string and append a command.
"""

from __future__ import annotations

import re

from syncdash.model import DirectoryObject, ObjectKind
from syncdash.onprem import ADObject

#: A cloud object's on-premises side, or the on-premises object itself.
Sourced = DirectoryObject | ADObject

_CMDLET = {ObjectKind.USER: "Set-ADUser", ObjectKind.GROUP: "Set-ADGroup", ObjectKind.CONTACT: "Set-ADObject"}
#: PowerShell treats these as single quotes too, so they are doubled like ``'``.
_QUOTES = "'\u2018\u2019\u201a\u201b"


def ps_string(value: str) -> str:
    escaped = "".join(char * 2 if char in _QUOTES else char for char in value)
    return f"'{escaped}'"


def identity(obj: Sourced) -> str | None:
    """What -Identity takes: sAMAccountName for users and groups, else the DN. An object
    read from AD itself is named by its DN: with several domains or a Global Catalog,
    two objects may share a sAMAccountName."""
    if isinstance(obj, ADObject):
        return obj.distinguished_name
    if obj.kind is not ObjectKind.CONTACT and obj.sam_account_name:
        return obj.sam_account_name
    return obj.distinguished_name


def _target(obj: Sourced) -> str | None:
    """``-Identity …``, and for an object read from AD ``-Server`` its domain (from its
    DN's DC= parts), so the command reaches the domain that holds it."""
    who = identity(obj)
    if who is None:
        return None
    target = f"-Identity {ps_string(who)}"
    domain = ".".join(part.strip()[3:] for part in re.split(r"(?<!\\),", who) if part.strip().upper().startswith("DC="))
    return f"{target} -Server {ps_string(domain)}" if isinstance(obj, ADObject) and domain else target


def fix_value(obj: ADObject, code: str, attribute: str, value: str) -> str | None:
    """What fixes a value on an AD object: the proxy address removed, any other value
    replaced (a placeholder to fill in); nothing for a count (too many addresses)."""
    if code == "too-many-proxy-addresses":
        return None
    return replace_value(obj, attribute, value if attribute == "proxyAddresses" else f"<new {attribute}>")


def remove_proxy_address(obj: Sourced, address: str) -> str | None:
    target = _target(obj)
    if target is None:
        return None
    return f"{_CMDLET[obj.kind]} {target} -Remove @{{proxyAddresses={ps_string(address)}}}"


def replace_value(obj: ADObject, attribute: str, placeholder: str) -> str | None:
    """Set one single-valued attribute (``-Replace``, which every AD cmdlet takes); a
    proxy address is removed instead, since the object keeps its others."""
    if attribute == "proxyAddresses":
        return remove_proxy_address(obj, placeholder)
    target = _target(obj)
    if target is None:
        return None
    return f"{_CMDLET[obj.kind]} {target} -Replace @{{{attribute}={ps_string(placeholder)}}}"


def set_upn(obj: Sourced, placeholder: str = "<new UPN>") -> str | None:
    target = _target(obj)
    if target is None or obj.kind is not ObjectKind.USER:
        return None
    return f"Set-ADUser {target} -UserPrincipalName {ps_string(placeholder)}"


def exchange_identity(obj: DirectoryObject) -> str | None:
    """What Exchange Online's -Identity takes for the object: its UPN, else its mail."""
    return obj.upn or obj.primary_smtp


def mailbox_holds(obj: DirectoryObject) -> str | None:
    """Read-only (Exchange Online PowerShell): which holds keep the mailbox."""
    who = exchange_identity(obj)
    if who is None:
        return None
    return (f"Get-Mailbox -Identity {ps_string(who)} | Format-List "
            "LitigationHoldEnabled,InPlaceHolds,ComplianceTagHoldApplied,DelayHoldApplied,DelayReleaseHoldApplied")


def mailbox_guids(obj: DirectoryObject) -> str | None:
    """Read-only (Exchange Online PowerShell): the cloud mailbox's GUIDs, which the
    on-premises msExchMailboxGuid / msExchArchiveGUID must equal."""
    who = exchange_identity(obj)
    if who is None:
        return None
    return (f"Get-EXOMailbox -Identity {ps_string(who)} -Properties ExchangeGuid,ArchiveGuid,ArchiveStatus "
            "| Format-List ExchangeGuid,ArchiveGuid,ArchiveStatus")


def set_mailbox_guid(obj: DirectoryObject, *, archive: bool, placeholder: str = "<cloud GUID>") -> str | None:
    """On-premises: stamp the cloud GUID into msExchArchiveGUID (or msExchMailboxGuid),
    an octet string, hence the byte array."""
    who = identity(obj)
    if who is None or obj.kind is not ObjectKind.USER:
        return None
    attribute = "msExchArchiveGUID" if archive else "msExchMailboxGuid"
    return f"Set-ADUser -Identity {ps_string(who)} -Replace @{{{attribute}=([guid]{ps_string(placeholder)}).ToByteArray()}}"


def attribute_sizes(obj: DirectoryObject) -> str | None:
    """Read-only (ActiveDirectory module): how many certificates and addresses the object
    holds and how large its photo is, the attributes a LargeObject error is about."""
    who = identity(obj)
    if who is None:
        return None
    return (f"Get-ADObject -Identity {ps_string(obj.distinguished_name or who)} -Properties userCertificate,"
            "thumbnailPhoto,proxyAddresses | Select-Object @{n='certificates';e={$_.userCertificate.Count}},"
            "@{n='photoBytes';e={$_.thumbnailPhoto.Length}},@{n='proxyAddresses';e={$_.proxyAddresses.Count}}")


DELTA_SYNC = "Start-ADSyncSyncCycle -PolicyType Delta"
#: Microsoft Graph PowerShell: let one sync take over a cloud object by hard match (set it
#: back to $true once the object has synced).
HARD_MATCH_TAKEOVER = ("Update-MgDirectoryOnPremiseSynchronization -OnPremisesDirectorySynchronizationId "
                       "(Get-MgDirectoryOnPremiseSynchronization).Id -Features "
                       "@{BlockCloudObjectTakeoverThroughHardMatchEnabled=$false}")
SCHEDULER = "Get-ADSyncScheduler"
