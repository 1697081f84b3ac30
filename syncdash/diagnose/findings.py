"""What the diagnosis says: steps, statuses, findings and the checks left to a human."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from syncdash.model import DirectoryObject, ObjectKind


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Status(str, enum.Enum):
    """``problem``: an error or warning found; ``clear``: checked, nothing wrong;
    ``unknown``: a check could not run (the step says which and why)."""

    PROBLEM = "problem"
    CLEAR = "clear"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Related:
    """Another object a finding is about, described the way Connect Health does."""

    id: str
    kind: ObjectKind
    display_name: str
    identity: str
    deleted: bool
    synced: bool
    #: Which source named it; Connect Health also gives its on-premises identity.
    source: str = "graph"
    distinguished_name: str | None = None
    object_guid: str | None = None
    source_anchor: str | None = None

    @classmethod
    def of(cls, obj: DirectoryObject) -> Related:
        return cls(
            id=obj.id,
            kind=obj.kind,
            display_name=obj.display_name,
            identity=obj.upn or obj.mail or "",
            deleted=obj.is_deleted,
            synced=obj.sync_enabled is True,
            distinguished_name=obj.distinguished_name,
            source_anchor=obj.immutable_id,
        )

    def describe(self) -> str:
        """``Ann Lee <ann@contoso.com> (user, cloud-only, deleted)``."""
        traits = [self.kind.value, "synced" if self.synced else "cloud-only"]
        if self.deleted:
            traits.append("deleted")
        who = f"{self.display_name} <{self.identity}>" if self.identity else self.display_name
        return f"{who} ({', '.join(traits)})"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    attribute: str | None
    value: str | None
    fix: str
    docs: str
    related: tuple[Related, ...] = ()
    #: A one-line on-premises PowerShell command (ActiveDirectory module), a suggestion
    #: for the admin to read and adapt, never run by syncdash.
    powershell: str | None = None
    #: The evidence source it comes from ("graph", "connect-health").
    source: str = "graph"
    #: An export error's type as Entra Connect names it (export-error findings).
    error_type: str | None = None


@dataclass(frozen=True, slots=True)
class ManualCheck:
    """A check only the Connect server or the portal can answer, ticked by the admin.

    ``key`` is stable so saved ticks survive wording changes.
    """

    key: str
    text: str
    docs: str
    #: Set when a source answered the check itself: what it found, and when.
    answered: str | None = None


#: Each step's mark, the same in ``check``, ``report`` and the dashboard (ASCII where the
#: terminal is not UTF-8); ``None`` is a step not needed because an earlier one found the cause.
STEP_MARKS: dict[bool, dict[Status | None, str]] = {
    True: {Status.CLEAR: "✓", Status.PROBLEM: "✗", Status.UNKNOWN: "?", None: "–"},
    False: {Status.CLEAR: "[ok]", Status.PROBLEM: "[X]", Status.UNKNOWN: "[?]", None: "[-]"},
}
NOT_NEEDED_NOTE = "not needed: an earlier step found the cause"


@dataclass(frozen=True, slots=True)
class StepResult:
    step: int
    title: str
    status: Status
    #: False for step 3 when an earlier step already found the cause (the article runs
    #: step 3 only when steps 1 and 2 find nothing); it is evaluated all the same.
    needed: bool
    findings: tuple[Finding, ...]
    manual: tuple[ManualCheck, ...]
    #: Why a check of this step could not run (makes the status unknown when no problem).
    unknown: tuple[str, ...] = ()

    def mark(self, utf8: bool = True) -> str:
        """The step's mark wherever it is shown: its status, or ``–`` when not needed
        (which only a step without findings can be)."""
        return STEP_MARKS[utf8][self.status if self.needed else None]


@dataclass(frozen=True, slots=True)
class Diagnosis:
    query: str
    object: DirectoryObject | None
    steps: tuple[StepResult, StepResult, StepResult]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(finding for step in self.steps for finding in step.findings)

    @property
    def all_clear(self) -> bool:
        return all(step.status is Status.CLEAR for step in self.steps)
