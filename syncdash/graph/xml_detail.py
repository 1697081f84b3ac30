"""Readable summaries of the XML that workloads (Exchange) put in service provisioning errors.

The XML is written by a remote service and can be crafted by anyone able to set the
failing attribute, so it is parsed with defusedxml: no DTDs, no entities, no network.
"""

from __future__ import annotations

from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

#: Summaries longer than this are cut: the raw XML stays available for the full story.
MAX_SUMMARY = 500


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One ErrorRecord, whitespace collapsed: what the classifier reads."""

    code: str
    description: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """Everything read from one ``errorDetail``, parsed once.

    ``records`` is empty when the XML is empty or unreadable (hostile or broken), so
    nothing in such a document can be classified; a readable document without
    ErrorRecord elements yields one record holding all its text.
    """

    summary: str
    parameters: tuple[str, ...]
    records: tuple[ErrorRecord, ...]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _collapsed(text: str | None) -> str:
    return " ".join((text or "").split())


def parse_error_detail(xml: str) -> ErrorDetail:
    """The records in ``xml``, one line an admin can read (codes and descriptions), and
    the attributes the records name (ErrorParameter, e.g. EmailAddresses): the attribute
    the admin has to correct."""
    if not xml.strip():
        return ErrorDetail("", (), ())
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        return ErrorDetail(f"unreadable error detail ({type(exc).__name__})", (), ())
    records: list[ErrorRecord] = []
    for record in root.iter():
        if _local(record.tag) != "ErrorRecord":
            continue
        fields = {_local(child.tag): _collapsed(child.text) for child in record}
        names = (_collapsed(node.text) for node in record.iter() if _local(node.tag) == "ErrorParameter")
        records.append(ErrorRecord(
            fields.get("ErrorCode", ""), fields.get("ErrorDescription", ""),
            tuple(dict.fromkeys(name for name in names if name)),
        ))
    parts = [": ".join(part for part in (r.code, r.description) if part) for r in records]
    if not records:
        text = _collapsed(" ".join(root.itertext()))
        records = [ErrorRecord("", text)] if text else []
        parts = [text]
    summary = "; ".join(part for part in parts if part) or "no description in error detail"
    summary = summary if len(summary) <= MAX_SUMMARY else summary[: MAX_SUMMARY - 1] + "…"
    parameters = tuple(dict.fromkeys(name for r in records for name in r.parameters))
    return ErrorDetail(summary, parameters, tuple(records))


def read_error_detail(xml: str) -> tuple[str, tuple[str, ...]]:
    """The summary and the attributes alone, for callers that do not classify."""
    detail = parse_error_detail(xml)
    return detail.summary, detail.parameters
