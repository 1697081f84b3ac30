"""The fix for each kind of service error (Exchange Online refusing a synced object).

The graph layer has already read the XML into a ``ServiceErrorKind`` and the value the
error names; this module only turns that into advice, so it stays pure and testable. An
error syncdash does not recognise gets the generic advice and says so, so that an admin
never mistakes a guess for a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncdash.diagnose import powershell
from syncdash.model import DirectoryObject, ServiceError, ServiceErrorKind

GENERIC_FIX = (
    "Correct the value the error names in the object's source; the service retries after the next "
    "sync. The raw XML holds the full error."
)
NOT_RECOGNISED = "syncdash does not recognise this error, so this advice is generic."
_RETRY = "the service retries after the next sync."
#: Attributes whose values live in proxyAddresses on-premises: only there is removing the
#: address from proxyAddresses the fix.
_PROXY_ATTRIBUTES = frozenset(("emailaddresses", "proxyaddresses", "proxyaddress", "primarysmtpaddress"))


@dataclass(frozen=True, slots=True)
class ServiceRemedy:
    """What to tell the admin about one service error.

    ``recognised`` is False only for the generic advice; ``label`` names the kind in a few
    words ("duplicate value"); ``powershell`` is a suggestion to review, never to run blind.
    """

    fix: str
    powershell: str | None
    recognised: bool
    label: str


def _is_address(value: str) -> bool:
    """An SMTP address or a typed proxy address (``smtp:``, ``x500:``, ``sip:`` …)."""
    prefix, colon, _ = value.partition(":")
    return "@" in value or (bool(colon) and prefix.isalnum() and len(prefix) <= 8)


def _in_proxy_addresses(error: ServiceError) -> bool:
    """Whether the error's attribute is kept in proxyAddresses (or it names none)."""
    names = {name.casefold() for name in error.parameters}
    return not names or bool(names & _PROXY_ATTRIBUTES)


def _duplicate(error: ServiceError, obj: DirectoryObject) -> ServiceRemedy:
    value = error.value
    if value is None:
        fix = ("Another recipient holds the value the error names (the raw XML shows it): make it unique "
               f"in the source of the object that should not have it; {_RETRY}")
        return ServiceRemedy(fix, None, True, "duplicate value")
    suggestion = None
    if _is_address(value) and _in_proxy_addresses(error):
        change = "Remove the address from the object that should not have it"
        suggestion = powershell.remove_proxy_address(obj, value if ":" in value else f"smtp:{value}")
    else:
        change = "Change the value on the object that should not have it"
    fix = (f"Another recipient holds {value!r}: step 2 names it. {change}, in its source (on-premises AD "
           f"for a synced object); {_RETRY}")
    return ServiceRemedy(fix, suggestion, True, "duplicate value")


def _hold(obj: DirectoryObject) -> ServiceRemedy:
    fix = ("The mailbox is on Litigation Hold or In-Place Hold (or another compliance hold), so Exchange "
           "Online refuses to disable, remove or change it as the sync asks, typically after its licence "
           "was removed. Keep the mailbox (give the licence back), or have whoever owns the hold release it; "
           "to retire a leaver's mailbox that must stay on hold, delete the user instead, so that it becomes "
           "an inactive mailbox. The suggestion lists the holds (DelayHoldApplied counts too).")
    return ServiceRemedy(fix, powershell.mailbox_holds(obj), True, "mailbox on hold")


def _guid_mismatch(error: ServiceError, obj: DirectoryObject) -> ServiceRemedy:
    told = " ".join((*error.parameters, error.summary)).casefold()
    archive = "archive" in told
    cloud, onprem = ("ArchiveGuid", "msExchArchiveGUID") if archive else ("ExchangeGuid", "msExchMailboxGuid")
    synced = f"the {cloud} {error.value!r}" if error.value else f"the {cloud}"
    stamp = powershell.set_mailbox_guid(obj, archive=archive, placeholder=f"<cloud {cloud}>")
    without_exchange = f"; without Exchange: {stamp}" if stamp else ""
    fix = (f"Exchange Online refused {synced} that the sync brought from on-premises ({onprem}). If the "
           f"cloud mailbox has a different one, or a cloud archive already exists, read the cloud value "
           f"(suggestion) and set it on-premises (Set-RemoteMailbox -{cloud} in the Exchange Management "
           f"Shell{without_exchange}). If another recipient holds it, usually a soft-deleted or inactive "
           f"mailbox of the same person, restore or purge that mailbox, or give the on-premises object a "
           f"new {cloud}. Then let the next sync run.")
    return ServiceRemedy(fix, powershell.mailbox_guids(obj), True, "mailbox GUID mismatch")


def _invalid(error: ServiceError) -> ServiceRemedy:
    what = repr(error.value) if error.value is not None else "the value the error names"
    where = f" for {', '.join(error.parameters)}" if error.parameters else ""
    fix = (f"Exchange Online does not accept {what}{where}: correct it in the object's source "
           f"(on-premises AD for a synced object); {_RETRY}")
    return ServiceRemedy(fix, None, True, "invalid value")


def remedy(error: ServiceError, obj: DirectoryObject) -> ServiceRemedy:
    """The fix for ``error``, which belongs to ``obj`` (whose identities go into the
    PowerShell suggestions, escaped)."""
    if error.kind is ServiceErrorKind.DUPLICATE_VALUE:
        return _duplicate(error, obj)
    if error.kind is ServiceErrorKind.HOLD:
        return _hold(obj)
    if error.kind is ServiceErrorKind.GUID_MISMATCH:
        return _guid_mismatch(error, obj)
    if error.kind is ServiceErrorKind.INVALID_VALUE:
        return _invalid(error)
    return ServiceRemedy(f"{GENERIC_FIX} {NOT_RECOGNISED}", None, False, "unrecognised error")
