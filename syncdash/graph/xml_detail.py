"""Readable summaries of the XML that workloads (Exchange) put in service provisioning errors.

The XML is written by a remote service and can be crafted by anyone able to set the
failing attribute, so it is parsed with defusedxml: no DTDs, no entities, no network.
"""

from __future__ import annotations

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

#: Summaries longer than this are cut: the raw XML stays available for the full story.
MAX_SUMMARY = 500


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_error_detail(xml: str) -> tuple[str, tuple[str, ...]]:
    """The error codes and descriptions in ``xml`` as one line an admin can read, and the
    attributes its records name (ErrorParameter, e.g. EmailAddresses): the attribute the
    admin has to correct."""
    if not xml.strip():
        return "", ()
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        return f"unreadable error detail ({type(exc).__name__})", ()
    parts: list[str] = []
    parameters: dict[str, None] = {}
    for record in root.iter():
        if _local(record.tag) != "ErrorRecord":
            continue
        fields = {_local(child.tag): " ".join((child.text or "").split()) for child in record}
        code, description = fields.get("ErrorCode", ""), fields.get("ErrorDescription", "")
        parts.append(": ".join(part for part in (code, description) if part))
        parameters.update(
            (" ".join(node.text.split()), None) for node in record.iter()
            if _local(node.tag) == "ErrorParameter" and node.text and node.text.strip()
        )
    if not parts:
        parts = [" ".join(" ".join(root.itertext()).split())]
    summary = "; ".join(part for part in parts if part) or "no description in error detail"
    summary = summary if len(summary) <= MAX_SUMMARY else summary[: MAX_SUMMARY - 1] + "…"
    return summary, tuple(parameters)
