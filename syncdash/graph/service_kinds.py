"""What a service provisioning error is about, told from the text Exchange Online writes.

Exchange has no stable, documented codes for these errors (the ErrorCode varies), so
the kind is read from the wording of each ErrorDescription, plus the ErrorParameter
where it names the attribute unambiguously (LitigationHoldEnabled, ArchiveGuid). The
rules are checked in a fixed order, most specific first:

1. hold: the mailbox is on a Litigation, In-Place, eDiscovery, legal, compliance or
   delay hold ("… because it is on In-Place Hold or Litigation Hold");
2. guid-mismatch: the text is about ExchangeGuid / ArchiveGuid (msExchMailboxGuid,
   msExchArchiveGUID) or an existing cloud archive ("Failed to sync the ArchiveGuid …
   because one cloud archive … exists"), even when it says "used by another recipient":
   that is fixed on the GUID, not by removing an address;
3. duplicate-value: "is used by another recipient object", "is already being used by",
   "already in use", "specify a unique value", "non-unique";
4. invalid-value: "is invalid", "isn't valid", "isn't correct", "isn't an accepted
   domain", "too long".

The first record that matches a rule decides; the text is only ever matched, never
trusted, and a long description is cut before matching so crafted text costs little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from syncdash.graph.xml_detail import ErrorRecord
from syncdash.model import ServiceErrorKind

#: Only this much of a description is read: Exchange's texts are a sentence or two.
MAX_TEXT = 2000
#: Only this many records are read: Exchange writes one or two.
MAX_RECORDS = 50
#: The longest value taken from the text (a proxy address is at most a few hundred).
MAX_VALUE = 600

_HOLD = re.compile(
    r"\b(?:litigation|in[- ]?place|e-?discovery|legal|compliance|delay(?:ed)?)[ -]+holds?\b"
    r"|\b(?:is|it's|it’s|are)\s+(?:on|under)\s+(?:an?\s+)?hold\b",
    re.IGNORECASE,
)
_GUID_TEXT = re.compile(
    r"\b(?:exchange|archive|mailbox)\s?guid\b|\bmsExch(?:Mailbox|Archive)Guid\b"
    r"|\b(?:cloud|different|another)\s+archive\b",
    re.IGNORECASE,
)
_DUPLICATE = re.compile(
    r"\bused by another\b|\balready (?:being )?used\b|\balready in use\b"
    r"|\bspecify a unique value\b|\b(?:is not|isn't|isn’t) unique\b|\bnon-unique\b",
    re.IGNORECASE,
)
_INVALID = re.compile(
    r"\binvalid\b|\b(?:is not|isn't|isn’t|not) (?:a )?valid\b|\b(?:is not|isn't|isn’t) correct\b"
    r"|\b(?:is not|isn't|isn’t) an accepted domain\b|\btoo long\b|\bexceeds the maximum length\b",
    re.IGNORECASE,
)
_HOLD_PARAMETERS = frozenset(
    ("litigationholdenabled", "inplaceholds", "compliancetagholdapplied", "delayholdapplied",
     "delayreleaseholdapplied")
)
_GUID_PARAMETERS = frozenset(("exchangeguid", "archiveguid", "msexchmailboxguid", "msexcharchiveguid"))

_OPEN, _CLOSE = "\"“”„", "\"”“"
#: "The value "X" of property "P" …" and "The proxy address "X" is already being used …":
#: anchored on the words after the value, so a value holding a quote is taken whole.
_NAMED = re.compile(
    rf"\bvalue\s+[{_OPEN}](?P<a>[^\n]{{1,{MAX_VALUE}}}?)[{_CLOSE}]\s+of\s+property\b"
    rf"|\b(?:proxy|e-?mail)\s+address\s+[{_OPEN}](?P<b>[^\n]{{1,{MAX_VALUE}}}?)[{_CLOSE}]\s+is\s+already\b",
    re.IGNORECASE,
)
#: Any quoted text; single quotes only where they cannot be an apostrophe (can't, o'brien).
_QUOTED = re.compile(
    rf"[{_OPEN}](?P<d>[^{_CLOSE}\n]{{1,{MAX_VALUE}}})[{_CLOSE}]"
    rf"|(?<![\w'‘’])['‘](?P<s>[^'’\n]{{1,{MAX_VALUE}}})['’](?![\w'’])"
)
_GUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)


def _named_value(text: str) -> str | None:
    """The value an error names: after "value"/"proxy address", else the first quoted text."""
    named = _NAMED.search(text)
    if named:
        return named.group("a") or named.group("b")
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group("d") or quoted.group("s")
    return None


def classify_record(record: ErrorRecord) -> tuple[ServiceErrorKind, str | None]:
    """The kind of one record and the value it names (None for a hold: it names a mailbox,
    not a value to correct)."""
    text = record.description[:MAX_TEXT]
    parameters = {name.casefold() for name in record.parameters}
    if _HOLD.search(text) or parameters & _HOLD_PARAMETERS:
        return ServiceErrorKind.HOLD, None
    if _GUID_TEXT.search(text) or parameters & _GUID_PARAMETERS:
        named = _NAMED.search(text)
        guid = _GUID.search(text)
        value = (named.group("a") or named.group("b")) if named else guid.group(0) if guid else None
        return ServiceErrorKind.GUID_MISMATCH, value
    if _DUPLICATE.search(text):
        return ServiceErrorKind.DUPLICATE_VALUE, _named_value(text)
    if _INVALID.search(text):
        return ServiceErrorKind.INVALID_VALUE, _named_value(text)
    return ServiceErrorKind.UNRECOGNISED, None


def classify(records: Iterable[ErrorRecord]) -> tuple[ServiceErrorKind, str | None]:
    """The kind and value of the first record syncdash recognises; UNRECOGNISED (and no
    value) when none is, including for unreadable XML, which has no records."""
    for index, record in enumerate(records):
        if index >= MAX_RECORDS:
            break
        kind, value = classify_record(record)
        if kind is not ServiceErrorKind.UNRECOGNISED:
            return kind, value
    return ServiceErrorKind.UNRECOGNISED, None
