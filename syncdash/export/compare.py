"""A duplicate's two sides (or more) in columns: the object in error and each holder of
the conflicting value, the attributes that decide the remedy in rows, rows that differ
marked. One builder for the dashboard's compare view, ``check`` and the markdown."""

from __future__ import annotations

from dataclasses import dataclass

from syncdash.diagnose.findings import Diagnosis, Related
from syncdash.model import SOURCE_TITLES

#: Step 2's findings whose related objects hold the value the object conflicts on.
HOLDER_CODES = ("duplicate-upn", "duplicate-proxy-address", "existing-object-conflict", "same-identity",
                "conflict-holder-deleted")
#: The anchor is the object's immutableId (Graph) or sourceAnchor (Connect Health): equal
#: anchors are one identity, which a merge resolves, not a rename.
ROWS = ("kind", "state", "UPN or mail", "DN", "anchor", "read from")


@dataclass(frozen=True, slots=True)
class Comparison:
    value: str
    titles: tuple[str, ...]
    #: (attribute, one cell per column, whether the columns differ)
    rows: tuple[tuple[str, tuple[str, ...], bool], ...]


def _cells(side: Related) -> tuple[str, ...]:
    state = "synced" if side.synced else "cloud-only"
    return (side.kind.value, state + (", deleted" if side.deleted else ""), side.identity or "—",
            side.distinguished_name or "—", side.source_anchor or "—",
            SOURCE_TITLES.get(side.source, side.source))


def comparisons(diagnosis: Diagnosis) -> list[Comparison]:
    """One comparison per conflicting value step 2 found holders of."""
    obj = diagnosis.object
    if obj is None:
        return []
    this = Related.of(obj)
    holders: dict[str, dict[str, Related]] = {}
    for finding in diagnosis.steps[1].findings:
        if finding.code in HOLDER_CODES and finding.value and finding.related:
            found = holders.setdefault(finding.value, {})
            for side in finding.related:
                found.setdefault(side.id or f"{side.source}:{side.display_name}", side)
    result = []
    for value, sides in holders.items():
        columns = [_cells(this), *(_cells(side) for side in sides.values())]
        rows = tuple((name, tuple(column[i] for column in columns), len({column[i] for column in columns}) > 1)
                     for i, name in enumerate(ROWS))
        titles = ("this object", *(side.display_name for side in sides.values()))
        result.append(Comparison(value, titles, rows))
    return result
