"""``ringfence check``'s findings: every AI region of the scope judged by ``findings.judge``.

The judgement itself (codes, severities, messages, deciding rules) lives in
``ringfence.findings``, shared with the language server. This module only walks the evidence: a
region spanning lines of different levels (region markers) is judged piece by piece, and where
edits need a tag only the lines no matching provenance record or comment block covers are
reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from ringfence.check.evidence import Evidence, FileEvidence
from ringfence.check.model import Finding, Region
from ringfence.findings import Judgement, Place, Subject, history_origin, judge, pieces
from ringfence.policy import Policy

__all__ = ["judge_all", "pieces"]


def judge_all(policy: Policy, evidence: Evidence) -> list[Finding]:
    """The findings of every region of ``evidence``, deduplicated and in file order."""
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for entry in evidence.files.values():
        for region in entry.regions:
            for finding in _judge_region(policy, entry, region):
                key = (
                    finding.code,
                    finding.path,
                    finding.start,
                    finding.end,
                    finding.tool,
                    finding.source,
                )
                if key not in seen:
                    seen.add(key)
                    findings.append(finding)
    findings.sort(key=lambda f: (f.path, f.start or 0, f.end or 0, f.code))
    return findings


def subject(region: Region) -> Subject:
    """What the judgement needs of a region gathered from the scope's evidence."""
    lines = None if region.start is None or region.end is None else region.end - region.start + 1
    origin = ""
    if region.source == "history":
        evidence = region.evidence
        origin = history_origin(
            str(evidence.get("kind", "")),
            str(evidence.get("commit", "")),
            str(evidence.get("signal", "")),
        )
    return Subject(
        region.tool, region.model, region.source, "untagged", lines, region.matched, origin
    )


def _judge_region(policy: Policy, entry: FileEvidence, region: Region) -> Iterator[Finding]:
    view = entry.view
    if view is None:
        return
    about = subject(region)
    for first, last, place in pieces(view, region.start, region.end):
        judged = judge(policy, view.decision, place, about)
        if judged is None:
            continue
        if judged.permission == "deny":  # tags and reviews never clear a deny
            yield _finding(region, first, last, place, judged)
            continue
        for a, b in _uncovered(entry, first, last):
            yield _finding(region, a, b, place, judged)


def _uncovered(
    entry: FileEvidence, first: int | None, last: int | None
) -> Iterator[tuple[int | None, int | None]]:
    """Sub-ranges of ``first..last`` no provenance covers (file-level: covered only if all is)."""
    if first is None or last is None:
        if not entry.covered or entry.lines is None or len(entry.covered) < len(entry.lines):
            yield first, last
        return
    run_start = None
    for line in range(first, last + 2):
        bare = line <= last and line not in entry.covered
        if bare and run_start is None:
            run_start = line
        elif not bare and run_start is not None:
            yield run_start, line - 1
            run_start = None


def _finding(
    region: Region, first: int | None, last: int | None, place: Place, judged: Judgement
) -> Finding:
    return Finding(
        judged.code,
        judged.severity,
        region.path,
        first,
        last,
        judged.message,
        region.tool,
        region.model,
        region.source,
        place.level.name,
        place.zone,
        place.reason,
        place.owner,
        judged.rule,
        _evidence(region),
    )


def _evidence(region: Region) -> dict:
    data = {key: value for key, value in region.evidence.items() if value is not None}
    if region.content_hash:
        data["content_hash"] = region.content_hash
    if not region.matched:
        data["matched"] = False
    if region.recorded is not None:
        data["recorded_lines"] = list(region.recorded)
    return data
