"""Diagnostics (docs/lsp.md): what each AI region, marker and policy file shows in the editor.

The judgement of an AI region (code, severity, message, deciding rule) is ``ringfence.findings``,
the same one ``ringfence check`` uses; this module only turns it into LSP diagnostics. Everything
here returns plain JSON-ready dicts: a file in a human-only zone may hold hundreds of regions,
and building lsprotocol objects only to unstructure them again would dominate the edit path.
Diagnostics cover whole lines: character 0 of a region's first line to the end of its last.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass

from pygls.uris import from_fs_path

from ringfence.evidence.regions import Region, line_content
from ringfence.findings import Judgement, Place, Subject, file_place, judge, place_of
from ringfence.lsp.policies import RepoPolicy
from ringfence.lsp.state import OpenDoc
from ringfence.policy import Decision, Level

SOURCE = "ringfence"
ERROR, WARNING = 1, 2
LSP_SEVERITY = {"error": ERROR, "warning": WARNING}
REGION_CODES = ("RF001", "RF002", "RF003", "RF005")


@dataclass(frozen=True)
class Where:
    """A place (``findings.Place``) with the ``(uri, 0-based line)`` of its deciding rule."""

    place: Place
    location: tuple[str, int] | None

    @property
    def level(self) -> Level:
        return self.place.level

    @property
    def label(self) -> str:  # "zone 'training-data'", "region (marked at line 12)", ...
        return self.place.label

    @property
    def reason(self) -> str:
        return self.place.explanation

    @property
    def zone_name(self) -> str | None:
        return self.place.zone

    @property
    def failing_closed(self) -> bool:
        return bool(self.place.error)


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
    """The place of 0-based lines ``first..last`` of a document and where its rule is."""
    assert od.view is not None
    whole = od.decision_where()
    place = place_of(od.view, first + 1, last + 1, whole.place)
    if place is whole.place:
        return whole
    return Where(place, rule_location(od.repo, place.rule, od.uri, od.relpath))


def decision_where(repo: RepoPolicy, decision: Decision, doc_uri: str | None = None) -> Where:
    """The place of a whole file and where its rule is."""
    place = file_place(decision)
    return Where(place, rule_location(repo, decision.rule, doc_uri, decision.relpath))


def subject(od: OpenDoc, region: Region) -> Subject:
    """What the judgement needs of an editor region (its provenance state in the document)."""
    state = "untagged" if region.source == "heuristic" else od.region_state(region)
    return Subject(region.tool, region.model, region.source, state, region.line_count())


def region_judgement(od: OpenDoc, region: Region, at: Where) -> Judgement | None:
    """The finding a region gets at ``at`` (None: the policy allows it as it stands)."""
    if region.pending or od.view is None:
        return None
    return judge(od.repo.active, od.view.decision, at.place, subject(od, region))


def region_code(od: OpenDoc, region: Region, at: Where) -> tuple[str, int] | None:
    """The code and LSP severity of a region's finding at ``at`` (None: no finding)."""
    found = region_judgement(od, region, at)
    return None if found is None else (found.code, LSP_SEVERITY[found.severity])


def diagnostic_body(judged: Judgement, at: Where, data: dict) -> dict:
    """The LSP form of a judgement, without its range."""
    return {
        "severity": LSP_SEVERITY[judged.severity],
        "code": judged.code,
        "source": SOURCE,
        "message": judged.message,
        "relatedInformation": related(at),
        "data": data,
    }


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
    for region in od.regions:
        if region.pending:
            continue
        at = where(od, region.start, region.end)
        judged = region_judgement(od, region, at)
        if judged is None:
            continue
        key = (judged, at, region.revision)
        cached = od.rendered.get(region.id)
        if cached is None or cached[0] != key:
            end_units = od.text.line_end_units(region.end)
            body = json.dumps(
                diagnostic_body(judged, at, {"regionId": region.id}), separators=(",", ":")
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
