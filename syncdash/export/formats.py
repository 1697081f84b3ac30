"""Report and check output in every format admins paste, load or read.

Directory values are untrusted here too: CSV cells that a spreadsheet would run as a
formula are neutralised, markdown metacharacters escaped, and text output sanitised.
Every format may end up on a terminal (``report --format csv`` without ``--output``, a
``cat`` of the file later), so none passes a control character through: CSV cells keep
their tabs and line breaks (quoted, they are data) but lose ESC, CR and the rest; JSON
escapes the few that ``json.dumps`` would leave raw, which keeps every value intact.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

from syncdash.diagnose.findings import NOT_NEEDED_NOTE, Diagnosis, Finding, ManualCheck
from syncdash.export.records import NO_WORK, check_record, report_head, report_object_record
from syncdash.export.rows import error_rows, ticked_checks
from syncdash.cells import fit, width, wrap
from syncdash.export.compare import Comparison, comparisons
from syncdash.export.table import render_table
from syncdash.model import SOURCE_TITLES, AdminWork, DirectoryObject, TenantStatus, Unknown
from syncdash.sanitize import json_safe, safe_text

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters that format inline text (emphasis, code, links, HTML, tables); values are
#: never at the start of a line, so list and heading markers need no escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")



def csv_cell(value: object) -> str:
    """A cell no spreadsheet will evaluate (a leading formula character gets a quote) and
    no terminal will act on (control characters but tab and newline replaced)."""
    text = safe_text("" if value is None else str(value), single_line=False)
    return "'" + text if text.startswith(_FORMULA_START) else text


def md(value: object) -> str:
    """Markdown-escaped, single-line, control characters removed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", safe_text("" if value is None else str(value)))


def code_span(text: str) -> str:
    """A command as a markdown code span, copied as typed: fenced with more backticks
    than it holds in a row (PowerShell's escape character is the backtick)."""
    text = safe_text(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def tenant_line(tenant: TenantStatus) -> str:
    name = tenant.name if isinstance(tenant.name, str) else "tenant (name unknown)"
    if isinstance(tenant.sync_enabled, Unknown):
        sync = "sync status unknown"
    else:
        sync = "dirsync on" if tenant.sync_enabled else "dirsync OFF"
    last = tenant.last_sync
    when = f", last sync {last:%Y-%m-%d %H:%M} UTC" if last and not isinstance(last, Unknown) else ""
    return safe_text(f"{name}: {sync}{when}")


def source_lines(tenant: TenantStatus) -> list[str]:
    """Each evidence source beyond Graph and how it was read, then the sync health it
    reports (the last export run, active alerts): one line each."""
    lines = []
    for source in tenant.sources:
        name = SOURCE_TITLES.get(source.name, source.name)
        when = f" at {source.as_of:%Y-%m-%d %H:%M} UTC" if source.as_of else ""
        if source.state.value == "read":
            lines.append(f"{name}: read{when}" + (f" ({source.detail})" if source.detail else ""))
        else:
            lines.append(f"{name}: {source.state.value}: {source.reason or 'no reason given'}")
    lines += [f"{note.level}: {note.text}" for note in tenant.health]
    return [safe_text(line) for line in lines]


def _manual(step: int, check: ManualCheck, work: AdminWork) -> str:
    if check.answered:
        return f"      [auto] {safe_text(check.text)}: {safe_text(check.answered)}"
    done, at = work.done(step, check.key)
    when = f" (done {at:%Y-%m-%d %H:%M} UTC)" if at else ""
    return f"      [{'x' if done else ' '}] {safe_text(check.text)}{when}"


def _work_of(work: Mapping[str, AdminWork], obj: DirectoryObject | None) -> AdminWork:
    return work.get(obj.id, NO_WORK) if obj is not None else NO_WORK


def comparison_lines(comparison: Comparison) -> list[str]:
    """Side by side as aligned text; ``≠`` marks a row whose columns differ."""
    cells = [(name, [safe_text(c) for c in row], differs) for name, row, differs in comparison.rows]
    titles = [safe_text(title) for title in comparison.titles]
    widths = [max(width(title), *(width(row[i]) for _, row, _ in cells)) for i, title in enumerate(titles)]
    label = max(width(name) for name, _, _ in cells)
    lines = [f"    side by side, {safe_text(comparison.value)!r}:",
             f"      {' ' * (label + 2)}" + " │ ".join(fit(t, w) for t, w in zip(titles, widths)).rstrip()]
    lines += [f"    {'≠' if differs else ' '} {fit(name, label)}  " + " │ ".join(fit(c, w) for c, w in zip(row, widths))
              .rstrip() for name, row, differs in cells]
    return lines


def _markdown_comparison(comparison: Comparison) -> list[str]:
    titles = " | ".join(md(title) for title in comparison.titles)
    lines = ["", f"Side by side, `{md(comparison.value)}` (≠: differs):", "", f"| | {titles} |",
             "|---|" + "---|" * len(comparison.titles)]
    lines += [f"| {'≠ ' if differs else ''}{name} | " + " | ".join(md(cell) for cell in row) + " |"
              for name, row, differs in comparison.rows]
    return lines


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _details(finding: Finding, *, encoding: str = "utf-8") -> list[tuple[str, str]]:
    """The lines under a finding, in the order an admin acts on them.

    A suggested command holding letters the terminal cannot show is withheld rather than
    shown with ``?`` in their place: pasted, it would act on another value.
    """
    details = [("related", r.describe()) for r in finding.related] + [("fix", finding.fix)]
    if finding.powershell and _encodable(finding.powershell, encoding):
        details.append(("suggestion (review before running)", finding.powershell))
    elif finding.powershell:
        details.append(("suggestion", "not shown: it holds characters this terminal cannot show (see --format json)"))
    return details


#: Symbols of syncdash's own text and their ASCII forms, for terminals that are not UTF-8
#: (one character for the ellipsis that cuts table cells, so columns stay aligned).
_ASCII_FORMS = str.maketrans({"→": "->", "…": "~", "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


def is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def for_terminal(text: str, encoding: str) -> str:
    """Human-readable output as the terminal can show it: arrows and ellipses in ASCII
    where it is not UTF-8 (anything else it lacks becomes ``?`` on the way out)."""
    return text if is_utf8(encoding) else text.translate(_ASCII_FORMS)


# -- report ---------------------------------------------------------------------------
# Each format is a stream of chunks, one object at a time: a report of 100,000 objects in
# error is written as it is diagnosed, never held whole (nor as one string).
def _json_chunks(tenant: TenantStatus, complete: bool, diagnoses: Iterable[Diagnosis],
                 work: Mapping[str, AdminWork]) -> Iterator[str]:
    head = json.dumps(report_head(tenant, complete), indent=2, ensure_ascii=False)
    yield json_safe(head[: head.rindex("[]") + 1])
    separator = "\n"
    for diagnosis in diagnoses:
        record = json.dumps(report_object_record(diagnosis, _work_of(work, diagnosis.object)), indent=2,
                            ensure_ascii=False)
        yield json_safe(separator + textwrap.indent(record, "    "))
        separator = ",\n"
    yield "]\n}" if separator == "\n" else "\n  ]\n}"


def _csv_chunks(diagnoses: Iterable[Diagnosis], work: Mapping[str, AdminWork]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: a CR inside a cell gets quoted too
    writer.writerow(["kind", "displayName", "identity", "objectId", "step", "code", "severity",
                     "attribute", "value", "message", "related", "fix", "powershell", "docs", "source", "errorType",
                     "note", "done"])
    for diagnosis in diagnoses:
        obj = diagnosis.object
        assert obj is not None  # a report lists only objects that exist
        _, ticked = ticked_checks(diagnosis, _work_of(work, obj))
        done = "; ".join(f"{key} {at:%Y-%m-%dT%H:%M:%SZ}" if at else key for key, at in ticked)
        for step in diagnosis.steps:
            for f in step.findings:
                related = "; ".join(r.describe() for r in f.related)
                writer.writerow([csv_cell(cell) for cell in (
                    obj.kind.value, obj.display_name, obj.identity, obj.id if obj.in_entra else "", step.step,
                    f.code, f.severity.value, f.attribute, f.value, f.message, related, f.fix, f.powershell, f.docs,
                    f.source, f.error_type, _work_of(work, obj).note, done,
                )])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _markdown_chunks(tenant: TenantStatus, complete: bool, count: int, diagnoses: Iterable[Diagnosis],
                     work: Mapping[str, AdminWork], summary: str) -> Iterator[str]:
    scope = "complete scan" if complete else "partial list"
    name = tenant.name if isinstance(tenant.name, str) else "the tenant"
    status = "".join(f"\n- {md(line)}" for line in (tenant_line(tenant), *source_lines(tenant)))
    bars = f"\n\n{md(summary)}" if summary else ""
    yield f"# Directory sync errors in {md(name)}\n{status}\n\n{count} objects with sync errors ({scope}).{bars}\n"
    for diagnosis in diagnoses:
        obj = diagnosis.object
        assert obj is not None
        lines = ["", f"## {md(obj.display_name)} ({obj.kind.value}, {md(obj.identity)})", ""]
        for f in diagnosis.findings:
            lines.append(f"- **{f.severity.value}** `{f.code}`: {md(f.message)}")
            lines += [f"  - {label}: {code_span(text) if label.startswith('suggestion (') else md(text)}"
                      for label, text in _details(f)]
            lines.append(f"  - docs: <{f.docs}>")
        for comparison in comparisons(diagnosis):
            lines += _markdown_comparison(comparison)
        lines += _markdown_work(diagnosis, _work_of(work, obj))
        yield "\n".join(lines) + "\n"


def _markdown_work(diagnosis: Diagnosis, work: AdminWork) -> list[str]:
    """The admin's note and the manual checks ticked, under the object's findings."""
    lines = [f"- **note**: {md(work.note)}"] if work.note else []
    for step in diagnosis.steps:
        for check in step.manual:
            done, at = work.done(step.step, check.key)
            if done:
                when = f" ({at:%Y-%m-%d %H:%M} UTC)" if at else ""
                lines.append(f"- **done**{md(when)}: {md(check.text)}")
    return lines


def _table_chunks(tenant: TenantStatus, complete: bool, count: int, diagnoses: Iterable[Diagnosis],
                  columns: int | None, summary: str, work: Mapping[str, AdminWork]) -> Iterator[str]:
    """The table aligns its columns over every row: rows (a few strings each) are kept,
    the diagnoses they come from are not."""
    scope = "complete scan" if complete else "partial list"
    head = [tenant_line(tenant), *source_lines(tenant), f"{count} objects with sync errors ({scope})",
            *([summary] if summary else [])]
    yield "\n".join(part for line in head for part in (wrap(line, columns) if columns else [line]))
    rows = [row for diagnosis in diagnoses for row in error_rows((diagnosis,), work)]
    if count:
        yield f"\n{render_table(rows, columns)}"


def report_chunks(kind: str, tenant: TenantStatus, complete: bool, count: int,
                  diagnoses: Iterable[Diagnosis], work: Mapping[str, AdminWork] | None = None,
                  columns: int | None = None, summary: str = "") -> Iterator[str]:
    """The report in one of REPORT_FORMATS, chunk by chunk: what `report` prints and the
    dashboard exports. ``count`` is how many ``diagnoses`` will yield; ``work``, by
    object id, what the admin ticked and noted in the dashboard; ``columns``, the
    terminal's width a table is fitted to (None: a line a row); ``summary``, the bars
    (export.summary) that open the table and markdown."""
    work = work or {}
    if kind == "csv":
        return _csv_chunks(diagnoses, work)
    if kind == "json":
        return _json_chunks(tenant, complete, diagnoses, work)
    if kind == "markdown":
        return _markdown_chunks(tenant, complete, count, diagnoses, work, summary)
    return _table_chunks(tenant, complete, count, diagnoses, columns, summary, work)


class CountedDiagnoses(Protocol):
    """Diagnoses that know how many they are: a list, or the pipeline's lazy Diagnoses."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Diagnosis]: ...


def render_report(kind: str, tenant: TenantStatus, complete: bool, diagnoses: CountedDiagnoses,
                  work: Mapping[str, AdminWork] | None = None) -> str:
    """The whole report as one text (the dashboard's export of the rows on screen)."""
    return "".join(report_chunks(kind, tenant, complete, len(diagnoses), diagnoses, work))


# -- check ----------------------------------------------------------------------------
def check_json(tenant: TenantStatus, diagnosis: Diagnosis, work: AdminWork = NO_WORK) -> str:
    return json_safe(json.dumps(check_record(tenant, diagnosis, work), indent=2, ensure_ascii=False))


def check_text(tenant: TenantStatus, diagnosis: Diagnosis, *, encoding: str = "utf-8",
               work: AdminWork = NO_WORK) -> str:
    """The checklist as an admin reads it: a mark per step, findings and manual checks;
    on a terminal that is not UTF-8, with ASCII marks."""
    utf8 = is_utf8(encoding)
    obj = diagnosis.object
    title = (f"{obj.display_name} ({obj.kind.value}, {obj.identity})" if obj
             else f"{diagnosis.query} (not found in Entra ID)")
    lines = [safe_text(title), tenant_line(tenant), *source_lines(tenant), ""]
    if work.note:
        lines[1:1] = [f"note: {safe_text(work.note)}"]
    for step in diagnosis.steps:
        note = "" if step.needed else f"  ({NOT_NEEDED_NOTE})"
        lines.append(f"{step.mark(utf8)} Step {step.step}: {step.title}{note}")
        for reason in step.unknown:
            lines.append(f"    ? could not check: {safe_text(reason)}")
        for f in step.findings:
            lines.append(f"    {f.severity.value} [{f.code}] {safe_text(f.message)}")
            lines += [f"        {label}: {safe_text(text)}" for label, text in _details(f, encoding=encoding)]
            lines.append(f"        docs: {f.docs}")
        if step.step == 2:
            lines += [line for comparison in comparisons(diagnosis) for line in comparison_lines(comparison)]
        lines.append("    manual checks:")
        lines += [_manual(step.step, m, work) for m in step.manual]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


#: How many of several objects matching ``check OBJECT`` are listed.
MAX_LISTED = 20


def several_matches(query: str, matches: tuple[DirectoryObject, ...]) -> str:
    """``check`` given a name several objects answer to: some of them, and how to choose."""
    shown = matches[:MAX_LISTED]
    lines = [f"syncdash: {len(matches)} objects match {safe_text(query)!r}; name one:"]
    lines += [f"  {o.kind.value:8} {safe_text(o.id)}  {safe_text(o.display_name)}  {safe_text(o.identity)}"
              for o in shown]
    if len(matches) > len(shown):
        lines.append(f"  … and {len(matches) - len(shown)} more: give an id, a UPN or a longer name")
    return "\n".join(lines)


def did_you_mean(query: str, close: tuple[DirectoryObject, ...]) -> str:
    """``check`` given a name nothing answers to: the closest names, with ids to paste."""
    lines = [f"syncdash: nothing in Entra ID is named {safe_text(query)!r}; did you mean:"]
    lines += [f"  {o.kind.value:8} {safe_text(o.id)}  {safe_text(o.display_name)}  {safe_text(o.identity)}"
              for o in close]
    return "\n".join(lines)
