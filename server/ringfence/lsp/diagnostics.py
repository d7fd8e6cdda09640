"""Diagnostics (docs/lsp.md): what each AI region, marker and policy file shows in the editor.

Everything here returns plain JSON-ready dicts: a file in a human-only zone may hold hundreds of
regions, and building lsprotocol objects only to unstructure them again would dominate the edit
path. Diagnostics cover whole lines: character 0 of a region's first line to the end of its last.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass

from pygls.uris import from_fs_path

from ringfence.evidence.regions import Region, line_content
from ringfence.lsp.policies import RepoPolicy
from ringfence.lsp.state import OpenDoc
from ringfence.policy import Decision, Level
from ringfence.policy.markers import RegionMarker

SOURCE = "ringfence"
ERROR, WARNING = 1, 2
REGION_CODES = ("RF001", "RF002", "RF003", "RF005")


@dataclass(frozen=True)
class Where:
    """Which rule gives a span of a file its level, for messages and ``relatedInformation``."""

    level: Level
    label: str  # "zone 'training-data'", "region (marked at line 12)", ...
    reason: str
    location: tuple[str, int] | None  # (uri, 0-based line) of the deciding rule
    zone_name: str | None = None
    failing_closed: bool = False


def rule_location(
    repo: RepoPolicy, rule: str | None, doc_uri: str | None = None, doc_relpath: str | None = None
) -> tuple[str, int] | None:
    """``FILE:LINE`` (or ``FILE``) of a rule as ``(uri, 0-based line)``."""
    if not rule:
        root_file = repo.active.root_file
        return (file_uri(repo.root, root_file), 0) if root_file else None
    path, sep, line = rule.rpartition(":")
    if not sep or not line.isdigit():
        path, line = rule, "1"
    if doc_uri is not None and path == doc_relpath:
        return doc_uri, int(line) - 1
    return file_uri(repo.root, path), max(int(line) - 1, 0)


def file_uri(root: str, relpath: str) -> str:
    return from_fs_path(posixpath.join(root, relpath)) or ""


def where(od: OpenDoc, first: int, last: int) -> Where:
    """The level of lines ``first..last`` of a document and the rule that set it."""
    view = od.view
    decision = view.decision
    level = view.levels_for(first, last)
    if level.rank > decision.level.rank:
        marker = _raising_marker(view.markers.regions, view.levels, level, first, last)
        if marker is not None:
            return Where(
                level,
                f"region (marked at line {marker.start + 1})",
                marker.reason or f"these lines are marked {level.name} in the file",
                (od.uri, marker.start),
            )
    return od.decision_where()


def decision_where(repo: RepoPolicy, decision: Decision, doc_uri: str | None = None) -> Where:
    location = rule_location(repo, decision.rule, doc_uri, decision.relpath)
    rule = decision.rule or ""
    if decision.source == "zone" and decision.zone is not None:
        label = f"zone '{decision.zone.name}'"
    elif decision.source == "marker":
        label = f"file (marked at line {rule.rpartition(':')[2]})"
    elif decision.source == "import":
        label = f"path (listed in {rule.rpartition(':')[0] if ':' in rule else rule})"
    else:
        label = "path (repository default)"
    reason = decision.reason or ""
    if decision.error:
        reason = f"{reason} [{decision.error}]" if reason else decision.error
    return Where(
        decision.level,
        label,
        reason,
        location,
        decision.zone.name if decision.zone else None,
        bool(decision.error),
    )


def _raising_marker(regions: list[RegionMarker], levels, level: Level, first: int, last: int):
    for marker in regions:
        if marker.start <= last and first <= marker.end and levels.get(marker.level) == level:
            return marker
    return None


def region_code(
    od: OpenDoc, region: Region, level: Level, inhouse: bool | None = None
) -> tuple[str, int] | None:
    """The diagnostic a region gets at ``level`` (None: the policy allows it as it stands)."""
    if region.pending:
        return None
    if region.source == "heuristic":
        return ("RF005", WARNING) if level.external_edits != "allow" else None
    policy = od.repo.active
    if inhouse is None:
        inhouse = policy.is_inhouse(region.tool)
    if od.view is not None:  # the region's own tool and model meet the zone's approved tools
        level = policy.for_tool(level, od.view.decision, region.tool, region.model).level
    permission = level.edits(inhouse)
    if permission == "deny":
        return ("RF003", ERROR) if inhouse else ("RF001", ERROR)
    if permission == "tag" and od.region_state(region) == "untagged":
        return "RF002", WARNING
    return None


def _tool_rule(od: OpenDoc, region: Region, at: Where) -> str:
    """Which approved-tools rule decided this region's diagnostic ("" when the level alone did)."""
    if od.view is None or not od.view.decision.tools:
        return ""
    judged = od.repo.active.for_tool(at.level, od.view.decision, region.tool, region.model)
    return f"{judged.why} ({judged.rule})" if judged.why else ""


def region_message(code: str, region: Region, at: Where, tool_rule: str = "") -> str:
    tail = f": {at.reason}" if at.reason else ""
    if tool_rule:
        tail = f" [{tool_rule}]{tail}"
    place = f"{at.level.name} {at.label}"
    if code == "RF001":
        return f"AI edit ({region.tool}) in {place}{tail}"
    if code == "RF003":
        return f"In-house AI edit ({region.tool}) in {place}{tail}"
    if code == "RF002":
        return f"AI edit ({region.tool}) without provenance in {place}{tail}"
    lines = region.line_count()
    return (
        f"Possible AI edit ({lines} line{'s' * (lines != 1)} inserted at once, "
        "origin not reported) "
        f"in {place}{tail}"
    )


def related(at: Where) -> list[dict]:
    if at.location is None:
        return []
    uri, line = at.location
    what = f"{at.label} is {at.level.name}"
    return [{"location": {"uri": uri, "range": _line_range(line, 0)}, "message": what}]


def _line_range(line: int, end_char: int) -> dict:
    return {"start": {"line": line, "character": 0}, "end": {"line": line, "character": end_char}}


class RenderedDiagnostic:
    """A diagnostic held as its JSON text: the range is spliced into a cached rest.

    A file in a human-only zone may hold hundreds of regions, all re-published on every
    keystroke; serialising each one anew would dominate the edit path.
    """

    __slots__ = ("json",)

    def __init__(self, start: int, end: int, end_char: int, rest: str) -> None:
        self.json = (
            f'{{"range":{{"start":{{"line":{start},"character":0}},'
            f'"end":{{"line":{end},"character":{end_char}}}}},{rest}'
        )

    def to_dict(self) -> dict:
        return json.loads(self.json)


def region_diagnostics(server, od: OpenDoc) -> list[RenderedDiagnostic]:
    """RF001/RF002/RF003/RF005 for every AI region of the document."""
    out: list[RenderedDiagnostic] = []
    if od.view is None:
        return out
    base = od.decision_where()
    decision_rank = od.view.decision.level.rank
    raising = any(
        od.view.levels.get(m.level, base.level).rank > decision_rank
        for m in od.view.markers.regions
    )
    inhouse: dict[str, bool] = {}
    for region in od.regions:
        if region.pending:
            continue
        at = where(od, region.start, region.end) if raising else base
        if region.tool not in inhouse:
            inhouse[region.tool] = od.repo.active.is_inhouse(region.tool)
        found = region_code(od, region, at.level, inhouse[region.tool])
        if found is None:
            continue
        key = (
            found,
            region.tool,
            region.model,
            region.source,
            region.line_count() if found[0] == "RF005" else 0,
            at,
            region.revision,
        )
        cached = od.rendered.get(region.id)
        if cached is None or cached[0] != key:
            end_units = od.text.line_end_units(region.end)
            body = json.dumps(
                {
                    "severity": found[1],
                    "code": found[0],
                    "source": SOURCE,
                    "message": region_message(found[0], region, at, _tool_rule(od, region, at)),
                    "relatedInformation": related(at),
                    "data": {"regionId": region.id},
                },
                separators=(",", ":"),
            )
            cached = (key, end_units, body[1:], None)
        diagnostic = cached[3]
        if diagnostic is None or diagnostic[0] != region.start:
            diagnostic = (
                region.start,
                RenderedDiagnostic(region.start, region.end, cached[1], cached[2]),
            )
        od.rendered[region.id] = (*cached[:3], diagnostic)
        out.append(diagnostic[1])
    if len(od.rendered) > 2 * len(od.regions) + 16:  # forget regions that are gone
        for region_id in [k for k in od.rendered if od.regions.get(k) is None]:
            del od.rendered[region_id]
    return out


def marker_diagnostics(server, od: OpenDoc) -> list[dict]:
    """RF102 (unbalanced region marker), RF104 (a marker lowering a level or naming no level)."""
    if od.view is None:
        return []
    out = []
    for problem in od.view.markers.problems:
        severity = ERROR if problem.code == "RF102" else WARNING
        out.append(_line_diagnostic(od, problem.line, problem.code, severity, problem.message))
    header = od.view.markers.header
    for note in od.view.decision.notes:
        code, _, message = note.partition(": ")
        if code == "RF104" and header is not None:
            out.append(_line_diagnostic(od, header.line, code, WARNING, message))
    return out


def _line_diagnostic(od: OpenDoc, line: int, code: str, severity: int, message: str) -> dict:
    line = min(line, max(len(od.lines) - 1, 0))
    end = od.text.line_end(line).character
    return {
        "range": _line_range(line, end),
        "severity": severity,
        "code": code,
        "source": SOURCE,
        "message": message,
    }


def policy_file_diagnostics(server, repo: RepoPolicy) -> dict[str, list[dict]]:
    """RF100 (invalid policy file) and RF101 (rule below a locked floor), keyed by policy file."""
    out: dict[str, list[dict]] = {}
    for error in repo.errors():
        file = error.file or repo.active.root_file or ".ringfence.toml"
        line = max((error.line or 1) - 1, 0)
        message = error.message
        if not repo.good:
            message += " (no valid policy yet: every path is treated as 'internal')"
        else:
            message += " (the last valid policy stays in force until this is fixed)"
        out.setdefault(file, []).append(
            _file_line_diagnostic(server, repo, file, line, "RF100", ERROR, message)
        )
    for zone, floor in repo.active.floor_violations():
        message = (
            f"zone '{zone.name}' ({zone.level}) is below the locked zone '{floor.name}' "
            f"({floor.level}, {floor.rule}) and is ignored for those paths"
        )
        diagnostic = _file_line_diagnostic(
            server, repo, zone.policy_file, zone.line - 1, "RF101", WARNING, message
        )
        diagnostic["relatedInformation"] = [
            {
                "location": {
                    "uri": file_uri(repo.root, floor.policy_file),
                    "range": _line_range(floor.line - 1, 0),
                },
                "message": f"locked zone '{floor.name}' is {floor.level}",
            }
        ]
        out.setdefault(zone.policy_file, []).append(diagnostic)
    return out


def _file_line_diagnostic(
    server, repo: RepoPolicy, relpath: str, line: int, code: str, severity: int, message: str
) -> dict:
    text = line_content(server.file_line(repo.root, relpath, line))
    return {
        "range": _line_range(line, server.client_units(text)),
        "severity": severity,
        "code": code,
        "source": SOURCE,
        "message": message,
    }
