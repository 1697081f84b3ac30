"""The audit's output: text for a terminal, JSON for scripts, CSV for a spreadsheet,
markdown for a ticket, and a PowerShell script to review.

The script runs nothing by itself: every command is written commented out, under a
comment naming what it fixes, for the admin to read, choose (of two holders of a
duplicate only one should lose the value) and uncomment. syncdash never writes to AD.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from syncdash.diagnose.audit import AuditedObject
from syncdash.diagnose.findings import Finding
from syncdash.export.formats import code_span, csv_cell, md
from syncdash.export.records import finding_record
from syncdash.sanitize import json_safe, safe_text

AUDIT_FORMATS = ("text", "json", "csv", "markdown", "ps1")
SCHEMA = "syncdash.audit/1"


@dataclass(frozen=True, slots=True)
class AuditSource:
    """One source the audit read (or skipped): an export file, a directory, the tenant."""

    name: str
    origin: str
    state: str  # "read" | "skipped"
    objects: int = 0
    reason: str = ""

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"name": self.name, "origin": self.origin, "state": self.state}
        if self.name == "ad":
            record["objects"] = self.objects
        if self.reason:
            record["reason"] = self.reason
        return record

    def line(self) -> str:
        if self.state == "skipped":
            return f"{self.name}: skipped — {self.reason}"
        counted = f", {self.objects} objects" if self.name == "ad" else ""
        return f"{self.name}: read {self.origin}{counted}"


def _object_record(audited: AuditedObject) -> dict[str, Any]:
    holder = audited.holder
    return {
        "distinguishedName": holder.distinguished_name, "objectGuid": holder.object_guid,
        "kind": holder.kind.value, "displayName": holder.name, "userPrincipalName": holder.upn,
        "mail": holder.mail, "origin": holder.origin,
        "findings": [finding_record(f) for f in audited.findings],
    }


def _counts(objects: Sequence[AuditedObject]) -> Counter[str]:
    return Counter(f.code for audited in objects for f in audited.findings)


def audit_chunks(kind: str, sources: Sequence[AuditSource], objects: Sequence[AuditedObject],
                 read: int) -> Iterator[str]:
    """The audit in one of AUDIT_FORMATS; ``read``: how many objects were audited."""
    if kind == "json":
        yield _json(sources, objects, read)
    elif kind == "csv":
        yield from _csv(objects)
    elif kind == "markdown":
        yield from _markdown(sources, objects, read)
    elif kind == "ps1":
        yield from _script(sources, objects, read)
    else:
        yield from _text(sources, objects, read)


def _json(sources: Sequence[AuditSource], objects: Sequence[AuditedObject], read: int) -> str:
    document = {"schema": SCHEMA, "sources": [s.record() for s in sources],
                "summary": {"objectsRead": read, "objectsWithFindings": len(objects), "findings": dict(_counts(objects))},
                "objects": [_object_record(o) for o in objects]}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _summary(objects: Sequence[AuditedObject], read: int) -> str:
    counts = _counts(objects)
    by_code = ", ".join(f"{code} {count}" for code, count in counts.most_common())
    return f"{read} objects audited, {len(objects)} with findings" + (f": {by_code}" if by_code else "")


def _heading(audited: AuditedObject) -> str:
    holder = audited.holder
    return f"{holder.kind.value} {holder.name}  {holder.upn or holder.mail or ''}".rstrip()


def _text(sources: Sequence[AuditSource], objects: Sequence[AuditedObject], read: int) -> Iterator[str]:
    head = [s.line() for s in sources] + [_summary(objects, read)]
    yield "\n".join(safe_text(line) for line in head) + "\n"
    for audited in objects:
        lines = ["", _heading(audited), f"  {audited.holder.distinguished_name}"]
        for f in audited.findings:
            lines.append(f"  {f.severity.value} [{f.code}] {f.message}")
            lines.append(f"      fix: {f.fix}")
            if f.powershell:
                lines.append(f"      suggestion (review before running): {f.powershell}")
        yield "\n".join(safe_text(line) for line in lines) + "\n"


def _csv(objects: Sequence[AuditedObject]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["kind", "displayName", "distinguishedName", "objectGuid", "userPrincipalName", "mail", "code",
                     "severity", "attribute", "value", "message", "related", "fix", "powershell", "origin"])
    for audited in objects:
        holder = audited.holder
        for f in audited.findings:
            related = "; ".join(r.distinguished_name or r.id for r in f.related)
            writer.writerow([csv_cell(cell) for cell in (
                holder.kind.value, holder.name, holder.distinguished_name, holder.object_guid, holder.upn,
                holder.mail, f.code, f.severity.value, f.attribute, f.value, f.message, related, f.fix,
                f.powershell, holder.origin)])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _markdown(sources: Sequence[AuditSource], objects: Sequence[AuditedObject], read: int) -> Iterator[str]:
    lines = ["# On-premises AD audit", "", *(f"- {md(s.line())}" for s in sources), f"- {md(_summary(objects, read))}"]
    yield "\n".join(lines) + "\n"
    for audited in objects:
        holder = audited.holder
        part = ["", f"## {md(_heading(audited))}", "", f"`{safe_text(holder.distinguished_name).replace('`', '')}`", ""]
        for f in audited.findings:
            part.append(f"- **{f.severity.value}** `{f.code}`: {md(f.message)}")
            part.append(f"  - fix: {md(f.fix)}")
            if f.powershell:
                part.append(f"  - suggestion (review before running): {code_span(f.powershell)}")
        yield "\n".join(part) + "\n"


def _script_comment(text: str) -> str:
    """A line of the script's commentary: one line, no control character."""
    return "# " + safe_text(text).replace("\r", " ").replace("\n", " ")


def _script(sources: Sequence[AuditSource], objects: Sequence[AuditedObject], read: int) -> Iterator[str]:
    head = [
        # a byte-order mark: Windows PowerShell 5.1 reads a .ps1 without one as the ANSI code
        # page, where UTF-8 bytes of a letter can read as a quote that ends a string early
        "\ufeff#Requires -Modules ActiveDirectory",
        "# syncdash audit: suggested fixes for on-premises AD. NOTHING HERE RUNS AS WRITTEN:",
        "# every command is commented out. Review each, replace <placeholders>, and uncomment",
        "# the ones you choose (of the holders of a duplicate, only the ones that must lose the value).",
        *(_script_comment(s.line()) for s in sources),
        _script_comment(_summary(objects, read)),
    ]
    yield "\n".join(head) + "\n"
    for audited in objects:
        commands = [f for f in audited.findings if f.powershell]
        if not commands:
            continue
        lines = ["", _script_comment(f"{audited.holder.name} — {audited.holder.distinguished_name}")]
        lines += [line for f in commands for line in _command(f)]
        yield "\n".join(lines) + "\n"


def _command(finding: Finding) -> list[str]:
    assert finding.powershell is not None
    return [_script_comment(f"fixes [{finding.code}] {finding.message}"),
            "# " + safe_text(finding.powershell)]
