"""Judge AI regions against the policy (the codes of docs/lsp.md "Diagnostics",
as ``ringfence check`` reports them).

- external-edits (or inhouse-edits for in-house tools) = deny: RF001 (client, agent, trace,
  comment evidence), RF003 (in-house tool), RF010 (history): errors. Tags and reviews never
  clear a deny.
- = tag: RF002 warning on the lines no matching provenance record or comment block covers.
- heuristic (possible AI) evidence where edits are denied or need a tag: RF005 warning.

A region spanning lines of different levels (region markers) is judged piece by piece.
"""

from __future__ import annotations

from collections.abc import Iterator

from ringfence.check.evidence import Evidence, FileEvidence
from ringfence.check.model import Finding, Region
from ringfence.policy import FileView, Level, Policy
from ringfence.policy.levels import strictest


def judge(policy: Policy, evidence: Evidence) -> list[Finding]:
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


class Where:
    """The rule that gives a piece of a file its level: a zone, marker, import or the default."""

    def __init__(
        self, view: FileView, level: Level, region_line: int | None, region_reason: str
    ) -> None:
        decision = view.decision
        self.level = level
        if region_line is not None:
            self.zone, self.owner = None, ""
            self.rule = f"{decision.relpath}:{region_line}"
            self.reason = region_reason or f"marked {level.name} in the file"
            self.label = f"{level.name} region (marker at line {region_line})"
            return
        self.zone = decision.zone.name if decision.zone else None
        self.owner = decision.owner
        self.rule = decision.rule
        self.reason = decision.reason
        if decision.zone is not None:
            self.label = f"{level.name} zone '{decision.zone.name}'"
        elif decision.source == "marker":
            self.label = f"{level.name} file (marker at {decision.rule})"
        elif decision.source == "import":
            self.label = f"{level.name} path ({decision.reason})"
        else:
            self.label = f"{level.name} path (the default level)"


def pieces(
    view: FileView, start: int | None, end: int | None
) -> Iterator[tuple[int | None, int | None, Where]]:
    """Split ``start..end`` (1-based) where region markers change the level."""
    if start is None or end is None:
        yield start, end, Where(view, view.decision.level, None, "")
        return
    cuts = {start, end + 1}
    for region in view.markers.regions:
        cuts.update(c for c in (region.start + 1, region.end + 2) if start < c <= end)
    bounds = sorted(cuts)
    for first, after in zip(bounds, bounds[1:], strict=False):
        yield first, after - 1, _where(view, first, after - 1)


def _where(view: FileView, first: int, last: int) -> Where:
    level = view.decision.level
    deciding = None
    for region in view.markers.regions:
        if region.start <= last - 1 and first - 1 <= region.end:
            region_level = view.levels.get(region.level)
            if region_level is not None and strictest(level, region_level) is not level:
                level, deciding = region_level, region
    if deciding is None:
        return Where(view, level, None, "")
    return Where(view, level, deciding.start + 1, deciding.reason)


def _judge_region(policy: Policy, entry: FileEvidence, region: Region) -> Iterator[Finding]:
    inhouse = policy.is_inhouse(region.tool)
    for first, last, where in pieces(entry.view, region.start, region.end):
        judged = policy.for_tool(where.level, entry.view.decision, region.tool, region.model)
        permission = judged.level.edits(inhouse)
        if permission == "allow":
            continue
        if permission == "deny":
            code = _deny_code(region, inhouse)
            found = _finding(
                region, first, last, where, code, "warning" if code == "RF005" else "error"
            )
            if judged.why:  # an approved-tools rule decided (docs/policy.md)
                found.message = f"{found.message} [{judged.why} ({judged.rule})]"
            yield found
            continue
        for a, b in _uncovered(entry, first, last):
            code = "RF005" if region.source == "heuristic" else "RF002"
            yield _finding(region, a, b, where, code, "warning")


def _deny_code(region: Region, inhouse: bool) -> str:
    if region.source == "heuristic":
        return "RF005"
    if region.source == "history":
        return "RF010"
    return "RF003" if inhouse else "RF001"


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
    region: Region, first: int | None, last: int | None, where: Where, code: str, severity: str
) -> Finding:
    return Finding(
        code,
        severity,
        region.path,
        first,
        last,
        _message(region, where, code),
        region.tool,
        region.model,
        region.source,
        where.level.name,
        where.zone,
        where.reason,
        where.owner,
        where.rule,
        _evidence(region),
    )


def _message(region: Region, where: Where, code: str) -> str:
    tool = region.tool + (
        f", {region.model}" if region.model and region.source == "history" else ""
    )
    head = {
        "RF001": f"AI edit ({tool}) in {where.label}",
        "RF003": f"In-house AI edit ({tool}) in {where.label}",
        "RF010": (
            f"AI-authored lines from history ({tool}; {_history_origin(region)}) in {where.label}"
        ),
        "RF002": f"AI edit ({tool}) without provenance in {where.label}",
        "RF005": f"Possible AI edit (heuristic) in {where.label}",
    }[code]
    text = f"{head}: {where.reason}" if where.reason else head
    if not region.matched:
        text += (
            " [the recorded lines changed after the record; checked at the recorded position]"
            if region.source != "trace" or code != "RF002"
            else " [the provenance record no longer matches these lines]"
        )
    return text


def _history_origin(region: Region) -> str:
    commit = str(region.evidence.get("commit", ""))[:12]
    kind = region.evidence.get("kind")
    if kind == "note":
        return f"git-ai note on commit {commit}"
    return f"commit {commit}: {region.evidence.get('signal', '')}"


def _evidence(region: Region) -> dict:
    data = {key: value for key, value in region.evidence.items() if value is not None}
    if region.content_hash:
        data["content_hash"] = region.content_hash
    if not region.matched:
        data["matched"] = False
    if region.recorded is not None:
        data["recorded_lines"] = list(region.recorded)
    return data
