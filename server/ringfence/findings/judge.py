"""The one judgement: the finding an AI region gets at its place, for the editor and for CI.

``judge`` answers code, severity, message and deciding rule (docs/lsp.md "Diagnostics",
docs/ci.md "What is reported"):

- edits of the region's tool (and model) denied there: RF001 (external tool), RF003 (in-house
  tool), RF010 (lines that git history attributes to an AI tool), all errors; RF005 (a heuristic
  guess, origin not reported) a warning. Tags and reviews never clear a deny.
- edits need a tag and no provenance covers the lines: RF002 (RF005 for a heuristic guess),
  warnings.

RF010 is an error wherever it is shown: history's AI lines in a deny zone are the same breach as
RF001, and the editor shows what the CI gate will fail on.
"""

from __future__ import annotations

from typing import NamedTuple

from ringfence.findings.place import Place
from ringfence.policy import Decision, Policy

ERROR, WARNING = "error", "warning"
SEVERITY = {"RF001": ERROR, "RF003": ERROR, "RF010": ERROR, "RF002": WARNING, "RF005": WARNING}
CODES = tuple(SEVERITY)


class Subject(NamedTuple):
    """What the judgement needs of an AI region.

    ``source`` is client | agent | trace | comment | heuristic | history; ``state`` whether
    provenance covers the lines (untagged | tagged | reviewed); ``lines`` the region's line count
    (None for file-level evidence); ``matched`` False when a record's lines changed after it was
    written; ``origin`` the commit or note a history region comes from (``history_origin``).
    """

    tool: str
    model: str = ""
    source: str = "client"
    state: str = "untagged"
    lines: int | None = None
    matched: bool = True
    origin: str = ""


class Judgement(NamedTuple):
    """A finding: its code and severity, the message, and the rule that decided it.

    ``rule`` is ``FILE:LINE`` of the deciding zone or marker (None for the default level);
    ``decided_by`` the kind of that rule (zone | marker | region | import | default);
    ``tool_rule`` the approved-tools rule that decided for this tool ("" when the level alone
    did); ``permission`` deny | tag.
    """

    code: str
    severity: str
    message: str
    rule: str | None
    decided_by: str
    tool_rule: str
    permission: str


def judge(policy: Policy, decision: Decision, place: Place, subject: Subject) -> Judgement | None:
    """The finding ``subject`` gets at ``place`` in the file ``decision`` classifies, or None."""
    inhouse = policy.is_inhouse(subject.tool)
    verdict = policy.for_tool(place.level, decision, subject.tool, subject.model)
    permission = verdict.level.edits(inhouse)
    if permission == "allow" or (permission == "tag" and subject.state != "untagged"):
        return None
    code = _code(subject.source, permission, inhouse)
    tool_rule = f"{verdict.why} ({verdict.rule})" if verdict.why else ""
    return Judgement(
        code,
        SEVERITY[code],
        message(code, subject, place, tool_rule),
        place.rule,
        place.kind,
        tool_rule,
        permission,
    )


def _code(source: str, permission: str, inhouse: bool) -> str:
    if source == "heuristic":
        return "RF005"
    if permission == "tag":
        return "RF002"
    if source == "history":
        return "RF010"
    return "RF003" if inhouse else "RF001"


def message(code: str, subject: Subject, place: Place, tool_rule: str = "") -> str:
    """``<what> in <level> <place> [<tool rule>]: <reason>`` plus a note on moved records."""
    where = place.described
    tool = subject.tool
    if code == "RF001":
        head = f"AI edit ({tool}) in {where}"
    elif code == "RF003":
        head = f"In-house AI edit ({tool}) in {where}"
    elif code == "RF002":
        head = f"AI edit ({tool}) without provenance in {where}"
    elif code == "RF010":
        named = f"{tool}, {subject.model}" if subject.model else tool
        head = f"AI-authored lines from history ({named}; {subject.origin}) in {where}"
    else:
        head = f"Possible AI edit ({_inserted(subject.lines)}origin not reported) in {where}"
    if tool_rule:
        head += f" [{tool_rule}]"
    reason = place.explanation
    text = f"{head}: {reason}" if reason else head
    if not subject.matched:
        text += (
            " [the provenance record no longer matches these lines]"
            if subject.source == "trace" and code == "RF002"
            else " [the recorded lines changed after the record; checked at the recorded position]"
        )
    return text


def _inserted(lines: int | None) -> str:
    if lines is None:
        return ""
    return f"{lines} line{'s' * (lines != 1)} inserted at once, "


def history_origin(kind: str, commit: str, signal: str) -> str:
    """Where history's AI lines come from: ``commit <sha>: <signal>`` or a git-ai note."""
    if kind == "note":
        return f"git-ai note on commit {commit[:12]}"
    return f"commit {commit[:12]}: {signal}"
