"""A duplicate's two sides (or more) in columns: the object in error and each holder of
the conflicting value, the attributes that decide the remedy in rows, rows that differ
marked. One builder for the dashboard's compare view, ``check`` and the markdown."""

from __future__ import annotations

from dataclasses import dataclass

from syncdash.diagnose.findings import Diagnosis, Related
from syncdash.model import SOURCE_TITLES

#: Step 2's findings whose related objects hold the value the object conflicts on.
HOLDER_CODES = ("duplicate-upn", "duplicate-proxy-address", "existing-object-conflict", "same-identity",
                "conflict-holder-deleted", "duplicate-in-ad")
#: The anchor is the object's immutableId (Graph) or sourceAnchor (Connect Health): equal
#: anchors are one identity, which a merge resolves, not a rename.
ROWS = ("kind", "state", "UPN or mail", "DN", "anchor", "read from")


@dataclass(frozen=True, slots=True)
class Comparison:
    value: str
    titles: tuple[str, ...]
    #: (attribute, one cell per column, whether the columns differ)
    rows: tuple[tuple[str, tuple[str, ...], bool], ...]


def _cells(side: Related, also_read: tuple[str, ...] = ()) -> tuple[str, ...]:
    state = "in AD" if side.source == "ad" else "synced" if side.synced else "cloud-only"
    read = ", ".join(SOURCE_TITLES.get(source, source) for source in (side.source, *also_read))
    return (side.kind.value, state + (", deleted" if side.deleted else ""), side.identity or "—",
            side.distinguished_name or "—", side.source_anchor or "—", read)


def _merged(sides: dict[str, Related]) -> list[tuple[Related, tuple[str, ...]]]:
    """An AD holder whose anchor is a cloud holder's is that holder's own source: one
    column (read from both), not two — at 80 columns a third side breaks every value."""
    cloud = {side.source_anchor: key for key, side in sides.items() if side.source != "ad" and side.source_anchor}
    also: dict[str, list[str]] = {}
    shown = []
    for key, side in sides.items():
        twin = cloud.get(side.source_anchor) if side.source == "ad" and side.source_anchor else None
        if twin is not None:
            also.setdefault(twin, []).append(side.source)
        else:
            shown.append(key)
    return [(sides[key], tuple(dict.fromkeys(also.get(key, [])))) for key in shown]


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
        merged = _merged(sides)
        columns = [_cells(this), *(_cells(side, also) for side, also in merged)]
        rows = tuple((name, tuple(column[i] for column in columns), len({column[i] for column in columns}) > 1)
                     for i, name in enumerate(ROWS))
        titles = ("this object", *(f"{side.display_name} (AD)" if side.source == "ad" else side.display_name
                                    for side, _ in merged))
        result.append(Comparison(value, titles, rows))
    return result
