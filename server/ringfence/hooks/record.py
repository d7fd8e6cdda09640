"""Post-events: the journal line for every file an agent wrote, and its provenance record.

For each written file the hook finds the lines the agent wrote in the file as it is now (the
agent's own line numbers when it reports them, else the written text located in the file and
diffed against what it replaced), hashes them, and appends one journal event with only the
fields docs/hooks.md ("After an edit") lists. In zones whose edits need a tag, with
``auto-tag-agents`` on, it also
appends an Agent Trace record (source ``agent``) for those lines. Files are never modified.
"""

from __future__ import annotations

import posixpath

from ringfence.evidence.hashing import content_hash
from ringfence.evidence.journal import JournalEvent
from ringfence.hooks import protected
from ringfence.hooks.decide import Located, Workspace, read_text, strictest_over
from ringfence.hooks.events import DELETE, EDIT, WRITE, Change, HookEvent
from ringfence.provenance.trace import make_record

# A post-event records an edit that happened: "deny" would tell the editor and ``check`` that
# nothing was written, so an edit the level denies (Cursor cannot block one) is "logged" too.
DECISIONS = {"allow": "allow", "tag": "logged", "deny": "logged"}
DENIED_NOTE = "written where the policy denies this tool's edits"


class Evidence:
    """What a post-event leaves behind: journal events and trace records, per repository."""

    def __init__(self) -> None:
        self.journal: list[tuple[str, JournalEvent]] = []
        self.records: list[tuple[str, dict]] = []


def post_edit(event: HookEvent, ws: Workspace) -> Evidence:
    evidence = Evidence()
    for change in event.changes:
        located = ws.locate(change.path)[0]
        if located.in_repository:
            _record_change(ws, event, change, located, evidence)
    return evidence


def _record_change(
    ws: Workspace, event: HookEvent, change: Change, located: Located, evidence: Evidence
) -> None:
    relpath = located.relpath or "."  # located in a repository: never None
    text = read_text(located.absolute)
    lines = split_lines(text or "")
    notes = [change.note] if change.note else []
    ranges = change.added if change.added is not None else written_ranges(change, text, notes)
    ranges = [(s, e) for s, e in merge(ranges) if 1 <= s <= e <= len(lines)]
    hashes = [content_hash(lines[s - 1 : e]) for s, e in ranges]
    view = located.policy.view(located.absolute, content=text)
    level, _ = _level_of(view, ranges)
    inhouse = ws.inhouse(located)
    permission = ws.for_tool(located, view.decision, level).level.edits(inhouse)
    why = protected.protected_reason(located.absolute, located.relpath, located.root)
    if why is not None and why != protected.PYPROJECT_TABLE:
        permission = "deny"
        notes.append(f"protected: {why}")
    elif permission == "deny":
        notes.append(DENIED_NOTE)
    tagged = permission == "tag" and located.policy.settings.auto_tag_agents and bool(ranges)
    if permission == "tag" and not tagged:
        notes.append("needs provenance: tag it in the editor")
    evidence.journal.append(
        (
            located.root,
            JournalEvent(
                "edit",
                relpath,
                agent=ws.tool,
                session=event.session,
                model=event.model,
                ranges=tuple(ranges),
                hashes=tuple(hashes),
                decision=DECISIONS[permission],
                source="agent",
                state="tagged" if tagged else "untagged",
                note="; ".join(notes) or None,
            ),
        )
    )
    if tagged:
        zone = view.decision.zone.name if view.decision.zone else None
        evidence.records.append(
            (
                located.root,
                make_record(
                    located.root,
                    relpath,
                    [(s, e, h) for (s, e), h in zip(ranges, hashes, strict=True)],
                    tool=ws.tool,
                    model=event.model,
                    zone=zone,
                    level=level.name,
                    source="agent",
                    state="tagged",
                ),
            )
        )


def _level_of(view, ranges):
    if not ranges:
        return strictest_over(view, 0, 1 << 30)
    best = strictest_over(view, ranges[0][0] - 1, ranges[0][1] - 1)
    for start, end in ranges[1:]:
        candidate = strictest_over(view, start - 1, end - 1)
        if candidate[0].rank > best[0].rank:
            best = candidate
    return best


def written_ranges(change: Change, text: str | None, notes: list[str]) -> list[tuple[int, int]]:
    """1-based ranges of the lines ``change`` wrote into ``text`` (the file after the edit)."""
    if text is None or change.op == DELETE:
        if change.op == DELETE:
            notes.append("deleted")
        return []
    if change.op == WRITE:
        if change.content is None and change.note:
            return []
        count = len(split_lines(text))
        return [(1, count)] if count else []
    if change.op != EDIT or not change.replacements:
        notes.append("lines not reported by the agent")
        return []
    ranges: list[tuple[int, int]] = []
    for old, new, replace_all in change.replacements:
        if not new:
            continue
        positions = _occurrences(text, new)
        if not positions:
            notes.append("written text not found in the file; lines unknown")
            continue
        if len(positions) > 1 and not replace_all:
            notes.append(f"written text occurs {len(positions)} times; every occurrence recorded")
        added = added_lines(old, new)
        for position in positions:
            base = text.count("\n", 0, position) + 1
            ranges.extend((base + first, base + last) for first, last in added)
    return ranges


def _occurrences(text: str, needle: str) -> list[int]:
    found, position = [], text.find(needle)
    while position >= 0:
        found.append(position)
        position = text.find(needle, position + len(needle))
    return found


def added_lines(old: str, new: str) -> list[tuple[int, int]]:
    """0-based inclusive line spans of ``new`` that are not carried over from ``old``."""
    new_lines = _trimmed(new)
    if not old:
        return [(0, len(new_lines) - 1)] if new_lines else []
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, _trimmed(old), new_lines, autojunk=False)
    return [
        (j1, j2 - 1) for tag, _, _, j1, j2 in matcher.get_opcodes() if tag in ("replace", "insert")
    ]


def _trimmed(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def split_lines(text: str) -> list[str]:
    """Lines as editors count them (``\\n`` separated; a final newline ends the last line)."""
    return _trimmed(text)


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def post_shell(event: HookEvent, ws: Workspace) -> Evidence:
    """Journal what a finished shell command wrote and what ringfence could not analyse.

    Files the agent itself reports (Claude Code's bashEditDiff, in ``event.changes``) are
    journaled with their exact lines, like an edit; when that report is complete it is the whole
    story. Otherwise each file a recognised command wrote is journaled with lines unknown.
    """
    evidence = post_edit(event, ws)
    if event.complete_diff:
        return evidence
    reported = {ws.locate(c.path)[0].absolute for c in event.changes}
    here = ws.locate(ws.cwd)[0]
    if event.command is None:
        _note(evidence, event, ws, here, f"shell: {event.tool_name or 'command'} not analysed")
        return evidence
    from ringfence.hooks.shell import analyse

    analysis = analyse(event.command, ws.cwd)
    for target in analysis.writes:
        located = ws.locate(target.path)[0]
        if not located.in_repository or located.absolute in reported:
            continue
        view = located.policy.view(located.absolute)
        level, _ = strictest_over(view, 0, 1 << 30)
        permission = ws.for_tool(located, view.decision, level).level.edits(ws.inhouse(located))
        evidence.journal.append(
            (
                located.root,
                JournalEvent(
                    "edit",
                    located.relpath or ".",
                    agent=ws.tool,
                    session=event.session,
                    model=event.model,
                    decision=DECISIONS[permission],
                    source="agent",
                    state="untagged",
                    note=f"shell: {target.program} wrote here; lines unknown"
                    + (f"; {DENIED_NOTE}" if permission == "deny" else ""),
                ),
            )
        )
    unknown = sorted(set(analysis.unanalysed))
    if unknown or analysis.problems:
        what = ", ".join(unknown) if unknown else "; ".join(analysis.problems)
        _note(evidence, event, ws, here, f"shell: not analysed: {what}")
    return evidence


def _note(evidence: Evidence, event: HookEvent, ws: Workspace, here: Located, note: str) -> None:
    if here.in_repository:
        evidence.journal.append(
            (
                here.root,
                JournalEvent(
                    "edit",
                    posixpath.normpath(here.relpath or "."),
                    agent=ws.tool,
                    session=event.session,
                    model=event.model,
                    decision="logged",
                    source="agent",
                    state="untagged",
                    note=note,
                ),
            )
        )
