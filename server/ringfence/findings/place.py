"""Which rule gives a span of a file its level: a zone, a marker, an import or the default level.

Lines are 1-based and inclusive here, as in ``FILE:LINE`` and in ``ringfence check``'s output;
the language server converts its 0-based lines at its edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ringfence.policy import Decision, FileView, Level
from ringfence.policy.levels import strictest
from ringfence.policy.markers import RegionMarker

DEFAULT_LABEL = "path (the default level)"


class Place(NamedTuple):
    """The deciding rule of a span: its level, how it reads in a message, and where it is.

    ``kind`` is zone | marker (a file's header marker) | region (a region marker) | import |
    default; ``rule`` is ``FILE:LINE`` of the deciding zone or marker (the ignore-file entry for
    an import; None for the default level); ``error`` is set while the policy fails closed.
    """

    level: Level
    kind: str
    label: str  # "zone 'training-data'", "region (marked at line 12)", "path (the default level)"
    reason: str
    rule: str | None
    zone: str | None = None
    owner: str = ""
    error: str = ""

    @property
    def described(self) -> str:
        """The place as messages name it: ``human-only zone 'training-data'``."""
        return f"{self.level.name} {self.label}"

    @property
    def explanation(self) -> str:
        """The reason, with the fail-closed error when there is one."""
        if not self.error:
            return self.reason
        return f"{self.reason} [{self.error}]" if self.reason else self.error


def file_place(decision: Decision) -> Place:
    """The place of a whole file: the rule of its decision."""
    rule = decision.rule or ""
    if decision.source == "zone" and decision.zone is not None:
        kind, label = "zone", f"zone '{decision.zone.name}'"
    elif decision.source == "marker":
        kind, label = "marker", f"file (marked at line {rule.rpartition(':')[2]})"
    elif decision.source == "import":
        kind, label = (
            "import",
            f"path (listed in {rule.rpartition(':')[0] if ':' in rule else rule})",
        )
    else:
        kind, label = "default", DEFAULT_LABEL
    return Place(
        decision.level,
        kind,
        label,
        decision.reason or "",
        decision.rule,
        decision.zone.name if decision.zone else None,
        decision.owner or "",
        decision.error or "",
    )


def place_of(view: FileView, first: int, last: int, whole: Place | None = None) -> Place:
    """The place of lines ``first..last``: the strictest region marker over them, else the file's.

    ``whole`` is the file's place when the caller already has it (the editor caches it).
    """
    marker = _raising_marker(view, first, last)
    if marker is None:
        return whole if whole is not None else file_place(view.decision)
    level = view.levels[marker.level]
    line = marker.start + 1
    decision = view.decision
    return Place(
        level,
        "region",
        f"region (marked at line {line})",
        marker.reason or f"these lines are marked {level.name} in the file",
        f"{decision.relpath}:{line}",
    )


def _raising_marker(view: FileView, first: int, last: int) -> RegionMarker | None:
    """The region marker over 1-based ``first..last`` raising the level most (None: none does)."""
    level, deciding = view.decision.level, None
    for marker in view.markers.regions:
        if marker.start <= last - 1 and first - 1 <= marker.end:
            marked = view.levels.get(marker.level)
            if marked is not None and strictest(level, marked) is not level:
                level, deciding = marked, marker
    return deciding


def pieces(
    view: FileView, start: int | None, end: int | None
) -> Iterator[tuple[int | None, int | None, Place]]:
    """Split ``start..end`` (1-based) where region markers change the level; each with its place."""
    whole = file_place(view.decision)
    if start is None or end is None:
        yield start, end, whole
        return
    cuts = {start, end + 1}
    for marker in view.markers.regions:
        cuts.update(c for c in (marker.start + 1, marker.end + 2) if start < c <= end)
    bounds = sorted(cuts)
    for first, after in zip(bounds, bounds[1:], strict=False):
        yield first, after - 1, place_of(view, first, after - 1, whole)
