"""``ringfence check`` and ``trace manifest``: AI evidence joined with the policy. No LSP here.

``run_check`` gathers the evidence of a scope (``check.evidence``), judges it
(``check.findings``) and returns a ``Report`` that ``check.formats`` renders as text, JSON or
SARIF. ``manifest`` lists every known AI-authored range of the working tree, whatever its zone.
"""

from __future__ import annotations

from ringfence.check.evidence import collect
from ringfence.check.findings import judge_all, pieces
from ringfence.check.model import Finding, Notice, Region, Report
from ringfence.check.scope import Scope
from ringfence.policy import Policy

__all__ = ["Finding", "Notice", "Region", "Report", "manifest", "run_check"]


def run_check(policy: Policy, scope: Scope, paths: list[str] | None = None) -> Report:
    evidence = collect(policy, scope, paths, only_relevant=True)
    findings = judge_all(policy, evidence)
    regions = sum(len(e.regions) for e in evidence.files.values())
    return Report(scope.name, scope.label, findings, evidence.notices, len(evidence.files), regions)


def manifest(
    policy: Policy, scope: Scope, paths: list[str] | None = None
) -> tuple[list[dict], list[Notice]]:
    """One entry per known AI-authored range.

    Each has path, start, end, tool, model, source, level, zone and state.
    """
    evidence = collect(policy, scope, paths, only_relevant=False)
    entries, seen = [], set()
    for entry in evidence.files.values():
        view = entry.view
        if view is None:
            continue
        for region in entry.regions:
            where = max(
                (w for _, _, w in pieces(view, region.start, region.end)),
                key=lambda w: w.level.rank,
            )
            item = {
                "path": region.path,
                "start": region.start,
                "end": region.end,
                "tool": region.tool,
                "model": region.model or None,
                "source": region.source,
                "level": where.level.name,
                "zone": where.zone,
                "state": _state(entry.covered, region),
            }
            key = tuple(item.values())
            if key not in seen:
                seen.add(key)
                entries.append(item)
    entries.sort(key=lambda e: (e["path"], e["start"] or 0, e["end"] or 0, e["source"]))
    return entries, evidence.notices


def _state(covered: dict[int, str], region: Region) -> str:
    if region.source in ("trace", "comment"):
        return region.state if region.matched else "untagged"
    if region.start is None or region.end is None:
        return "untagged"
    states = {covered.get(line) for line in range(region.start, region.end + 1)}
    if None in states:
        return "untagged"
    return "reviewed" if states == {"reviewed"} else "tagged"
