"""Render a check ``Report``: text (grouped by file), JSON, and SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import hashlib
import json
from itertools import groupby
from urllib.parse import quote

from ringfence import __version__
from ringfence.check.model import Finding, Report
from ringfence.findings import SEVERITY

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"

# code -> (name, short description, full description, security-severity); the level of each code
# is the judgement's (``findings.SEVERITY``), not repeated here.
RULES = {
    "RF001": (
        "ExternalAIEditInDenyZone",
        "External AI edit where external AI edits are denied",
        "An external AI tool (reported by the editor client, an agent hook or an Agent Trace "
        "record) wrote these lines in a zone whose external-edits is deny. Provenance records do "
        "not clear it: revert the lines, or redo the work by hand or with the in-house assistant.",
        "8.0",
    ),
    "RF002": (
        "AIEditWithoutProvenance",
        "AI edit without provenance where edits need a tag",
        "AI-written lines in a zone whose edits are 'tag' have no matching provenance record "
        "(Agent Trace record or ringfence ai-begin/ai-end comment). Tag their provenance or mark "
        "them human-reviewed.",
        "4.0",
    ),
    "RF003": (
        "InhouseAIEditInDenyZone",
        "In-house AI edit where in-house AI edits are denied",
        "The in-house assistant wrote these lines in a zone whose inhouse-edits is deny "
        "(human-only).",
        "7.0",
    ),
    "RF005": (
        "PossibleAIEdit",
        "Possible AI edit (heuristic) where AI edits are denied or need a tag",
        "The editor saw a large insertion it could not attribute: a guess, not certain evidence. "
        "Dismiss it in the editor if you wrote it.",
        "3.0",
    ),
    "RF010": (
        "AIAuthoredHistoryInDenyZone",
        "AI-authored lines from history in a deny zone",
        "git history marks these lines as AI-authored (an AI commit trailer or author, or a git-ai "
        "authorship note) and they sit in a zone that denies AI edits.",
        "8.0",
    ),
}


# ----- text ----------------------------------------------------------------------------------


def render_text(report: Report) -> str:
    out: list[str] = []
    for path, group in groupby(report.findings, key=lambda f: f.path):
        out.append(path)
        for finding in group:
            lines = (
                "file"
                if finding.start is None
                else (
                    f"{finding.start}"
                    if finding.start == finding.end
                    else f"{finding.start}-{finding.end}"
                )
            )
            out.append(f"  {lines:<10} {finding.severity:<8} {finding.code}  {finding.message}")
            details = [
                f"rule {finding.rule}" if finding.rule else "",
                f"owner {finding.owner}" if finding.owner else "",
            ]
            if any(details):
                out.append(f"  {'':<10} {'':<8}        {' · '.join(d for d in details if d)}")
        out.append("")
    errors, warnings = report.count("error"), report.count("warning")
    files = len({f.path for f in report.findings})
    if report.findings:
        out.append(f"{errors} error(s), {warnings} warning(s) in {files} file(s) ({report.label})")
    else:
        out.append(
            f"no AI-authored lines where the policy forbids them ({report.label}; "
            f"{report.regions} AI region(s) in {report.files_checked} restricted file(s) checked)"
        )
    if report.partial:
        out.append(
            "PARTIAL: some evidence could not be read (see the warnings above); these results "
            "are incomplete"
        )
    return "\n".join(out) + "\n"


# ----- json ----------------------------------------------------------------------------------


def render_json(report: Report) -> str:
    data = {
        "version": 1,
        "tool": {"name": "ringfence", "version": __version__},
        "scope": report.scope,
        "label": report.label,
        "partial": report.partial,
        "notices": [
            {"level": n.level, "text": n.text, "partial": n.partial} for n in report.notices
        ],
        "summary": {
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "files": len({f.path for f in report.findings}),
        },
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ----- sarif ---------------------------------------------------------------------------------


def render_sarif(report: Report, root: str) -> str:
    rule_ids = list(RULES)
    seen: dict[str, int] = {}
    run = {
        "tool": {
            "driver": {
                "name": "ringfence",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(code) for code in rule_ids],
            }
        },
        "automationDetails": {"id": f"ringfence/check/{report.scope}/"},
        "originalUriBaseIds": {SRCROOT: {"uri": "file://" + quote(root.rstrip("/") + "/")}},
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": n.level,
                        "message": {"text": n.text},
                        "descriptor": {"id": "partial-results" if n.partial else "run-note"},
                    }
                    for n in report.notices
                ],
                "properties": {"partial": report.partial, "scope": report.scope},
            }
        ],
        "results": [_result(f, rule_ids.index(f.code), seen) for f in report.findings],
        "properties": {"partial": report.partial},
    }
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str) -> dict:
    name, short, full, severity = RULES[code]
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": full, "markdown": f"**{short}.** {full}"},
        "defaultConfiguration": {"level": SEVERITY[code]},
        "properties": {
            "tags": ["security", "ai-provenance"],
            "precision": "high" if code != "RF005" else "low",
            "security-severity": severity,
        },
    }


def _location(path: str, start: int | None, end: int | None) -> dict:
    region = {"startLine": start or 1}
    if start is not None and end is not None and end != start:
        region["endLine"] = end
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(path), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _result(finding: Finding, index: int, seen: dict[str, int]) -> dict:
    result = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": finding.severity,
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.start, finding.end)],
        "partialFingerprints": {"ringfence/v1": _fingerprint(finding, seen)},
        "properties": {
            key: value
            for key, value in {
                "zone": finding.zone,
                "level": finding.level,
                "tool": finding.tool,
                "model": finding.model or None,
                "source": finding.source,
                "reason": finding.reason or None,
                "owner": finding.owner or None,
                "fileLevel": finding.start is None,
                "evidence": finding.evidence,
            }.items()
            if value is not None
        },
    }
    if finding.rule and ":" in finding.rule:
        rule_file, _, line = finding.rule.rpartition(":")
        if line.isdigit():
            related = _location(rule_file, int(line), int(line))
            related.update(id=1, message={"text": f"the rule that sets this {finding.level} level"})
            result["relatedLocations"] = [related]
    return result


def _fingerprint(finding: Finding, seen: dict[str, int]) -> str:
    """Stable across runs when lines move: rule, file, tool, source and proof, not line numbers."""
    proof = (
        finding.evidence.get("commit")
        or finding.evidence.get("record")
        or finding.evidence.get("content_hash")
        or ""
    )
    identity = f"{finding.code}|{finding.path}|{finding.tool}|{finding.source}|{proof}"
    base = hashlib.sha256(identity.encode()).hexdigest()[:32]
    seen[base] = seen.get(base, 0) + 1
    return f"{base}:{seen[base]}"
