"""The decision core: policy, markers, protected paths and the in-house check → allow or deny.

Every path is judged in the repository that holds it (by its own path and, through symlinks,
by where it really is: the stricter answer wins). An edit is judged at the strictest level of
the lines it replaces, so an edit overlapping a raised region, or removing a marker line, is
judged at that region's level; a whole-file write or delete at the strictest level anywhere in
the file. A read is denied to external tools where external-context is ``deny``. Reasons name
the file, zone, level and policy reason, and what to do instead.
"""

from __future__ import annotations

import os
import posixpath

from ringfence.evidence.journal import JournalEvent
from ringfence.hooks import protected
from ringfence.hooks.events import (
    DELETE,
    EDIT,
    PRE_EDIT,
    READ,
    READ_FILE,
    SEARCH,
    SHELL,
    WRITE,
    Change,
    HookEvent,
    MalformedEvent,
)
from ringfence.policy import Policy
from ringfence.policy.engine import MAX_MARKER_BYTES
from ringfence.policy.files import read_regular
from ringfence.policy.levels import INTERNAL, Level
from ringfence.policy.links import hard_links
from ringfence.policy.markers import MARKER_WORD, RegionMarker
from ringfence.policy.paths import WINDOWS, clean, find_root, git_common_dir, kernel_path

WALK_LIMIT = 1000  # files examined under a directory a shell command deletes, writes or prints
MAX_MENTIONS = 512  # paths of a partly unknown command judged for deny zones
_WHOLE_FILE = 1 << 30


class Located:
    """A path resolved into the repository that holds it."""

    __slots__ = ("absolute", "root", "policy", "relpath")

    def __init__(self, absolute: str, root: str, policy: Policy, relpath: str | None) -> None:
        self.absolute = absolute
        self.root = root
        self.policy = policy
        self.relpath = relpath

    @property
    def in_repository(self) -> bool:
        return self.relpath is not None and (
            self.policy.root_file is not None or git_common_dir(self.root) is not None
        )


class Workspace:
    """The repositories one event touches, each policy loaded once, and who is asking."""

    def __init__(self, cwd: str | None, tool: str, model: str | None = None) -> None:
        here = os.getcwd()
        self.cwd = clean(cwd, here) if cwd else clean(here, "/")
        self.tool = tool
        self.model = model or ""  # the payload's model id, for models.deny (docs/policy.md)
        self._policies: dict[str, Policy] = {}

    def policy(self, root: str) -> Policy:
        policy = self._policies.get(root)
        if policy is None:
            policy = self._policies[root] = Policy(root)
        return policy

    def locate(self, path: str) -> list[Located]:
        """Where ``path`` is, by every spelling that can reach a file; the strictest one wins.

        Its normalised path; where the kernel puts it (symlinks resolved before ``..``:
        ``link/../x`` is not always ``x``); the real path of the normalised one; on POSIX, the
        spelling with ``\\`` read as ``/`` (a file name there, but a separator to Windows
        tools and to anyone who copies the tree there); and its other hard links.
        """
        absolute = clean(path, self.cwd)
        real = kernel_path(path, self.cwd)
        spellings = [absolute, real, clean(os.path.realpath(absolute), "/")]
        if not WINDOWS and "\\" in path:
            spellings.append(clean(path.replace("\\", "/"), self.cwd.replace("\\", "/")))
        found = [self._located(spelled) for spelled in dict.fromkeys(spellings)]
        found.extend(self._located(other) for other in hard_links(real, found[0].root))
        return found

    def _located(self, absolute: str) -> Located:
        root = clean(str(find_root(absolute)), "/")
        policy = self.policy(root)
        return Located(absolute, root, policy, policy.relpath(absolute, "/"))

    def inhouse(self, located: Located) -> bool:
        return located.policy.is_inhouse(self.tool)

    def for_tool(self, located: Located, decision, level: Level):
        """This agent's level where ``decision`` holds and the lines' level is ``level``
        (a :class:`~ringfence.policy.tools.ToolVerdict`: the zone's approved tools applied)."""
        return located.policy.for_tool(level, decision, self.tool, self.model)

    def for_zone(self, located: Located, zone):
        """This agent's level in ``zone`` (for zones below a directory)."""
        return located.policy.zone_for_tool(zone, self.tool, self.model)


class Verdict:
    """The outcome of a pre-event: denial reasons (none: allowed) and journal lines to append."""

    def __init__(self) -> None:
        self.denials: list[str] = []
        self.journal: list[tuple[str, JournalEvent]] = []  # (repository root, event)

    @property
    def allowed(self) -> bool:
        return not self.denials

    def deny(self, reason: str) -> None:
        if reason not in self.denials:
            self.denials.append(reason)


def decide(event: HookEvent, ws: Workspace) -> Verdict:
    """Judge a pre-event (pre-edit, read or shell)."""
    verdict = Verdict()
    if event.kind == PRE_EDIT:
        for change in event.changes:
            judge_edit(ws, change, verdict)
    elif event.kind == READ:
        for change in event.changes:
            judge_read(ws, change, verdict, event)
    elif event.kind == SHELL:
        judge_shell(ws, event, verdict)
    return verdict


# ----- edits ---------------------------------------------------------------------------------


def protection(located: Located) -> str | None:
    """Why ``located`` is protected, in its repository or in any repository around it (whose
    policy and protected paths a nested repository cannot cut)."""
    found = protected.protected_reason(located.absolute, located.relpath, located.root)
    outer = located.policy.outer
    while outer is not None and found in (None, protected.PYPROJECT_TABLE):
        relpath = outer.relpath(located.absolute, "/")
        found = protected.protected_reason(located.absolute, relpath, outer.root) or found
        outer = outer.outer
    return found


def judge_edit(ws: Workspace, change: Change, verdict: Verdict) -> None:
    for located in ws.locate(change.path):
        why = protection(located)
        if why == protected.PYPROJECT_TABLE:
            if touches_policy_table(located.absolute, change):
                verdict.deny(
                    protected_text(
                        located,
                        "the [tool.ringfence] table of the root pyproject.toml "
                        "is ringfence's policy",
                    )
                )
        elif why is not None:
            verdict.deny(protected_text(located, why))
        if located.relpath is None:
            continue
        text = read_text(located.absolute)
        view = located.policy.view(located.absolute, content=text)
        if view.decision.error:
            verdict.deny(invalid_policy_text(located))
            continue
        level, region = edit_level(located, view, change, text)
        inhouse = ws.inhouse(located)
        judged = ws.for_tool(located, view.decision, level)
        if judged.level.edits(inhouse) == "deny":
            verdict.deny(
                edit_text(ws, located, view.decision, judged.level, region, inhouse, judged)
            )


def edit_level(
    located: Located, view, change: Change, text: str | None
) -> tuple[Level, RegionMarker | None]:
    """The strictest level over the lines ``change`` replaces (the whole file when unknown)."""
    if change.op == WRITE and change.content and MARKER_WORD in change.content:
        after = located.policy.view(located.absolute, content=change.content)
        return _stricter(
            strictest_over(view, 0, _WHOLE_FILE), strictest_over(after, 0, _WHOLE_FILE)
        )
    if change.op != EDIT or text is None or not change.replacements:
        return strictest_over(view, 0, _WHOLE_FILE)
    best = (view.decision.level, None)
    for old, new, _ in change.replacements:
        if not old or MARKER_WORD in old or MARKER_WORD in new:
            return strictest_over(view, 0, _WHOLE_FILE)
        position = text.find(old)
        if position < 0:
            return strictest_over(
                view, 0, _WHOLE_FILE
            )  # the agent's view of the file is stale: be strict
        while position >= 0:
            first = text.count("\n", 0, position)
            last = first + old.rstrip("\n").count("\n")
            best = _stricter(best, strictest_over(view, first, last))
            position = text.find(old, position + len(old))
    return best


def strictest_over(view, first: int, last: int) -> tuple[Level, RegionMarker | None]:
    """The level of 0-based lines ``first..last``: the file's, raised by overlapping regions."""
    level, region = view.decision.level, None
    for candidate in view.markers.regions:
        if candidate.start <= last and first <= candidate.end:
            raised = view.levels.get(candidate.level, INTERNAL)
            if raised.rank > level.rank:
                level, region = raised, candidate
    return level, region


def _stricter(a, b):
    return b if b[0].rank > a[0].rank else a


def touches_policy_table(absolute: str, change: Change) -> bool:
    """Whether ``change`` to the root pyproject.toml alters its ``[tool.ringfence]`` table."""
    before = read_text(absolute)
    if change.op == DELETE:
        return _policy_table(before) is not None
    if change.op == WRITE:
        if change.content is None:
            return _policy_table(before) is not None
        after = change.content
    else:
        after = before or ""
        for old, new, replace_all in change.replacements:
            if not old or old not in after:
                return "ringfence" in old or "ringfence" in new
            after = after.replace(old, new, -1 if replace_all else 1)
    new_table = _policy_table(after)
    if new_table == _UNPARSABLE:
        return _policy_table(before) is not None or "ringfence" in after
    return new_table != _policy_table(before)


_UNPARSABLE = ("unparsable",)


def _policy_table(text: str | None):
    if text is None:
        return None
    from ringfence import toml

    try:
        data = toml.loads(text)
    except ValueError:
        return _UNPARSABLE
    tool = data.get("tool")
    return tool.get("ringfence") if isinstance(tool, dict) else None


# ----- reads ---------------------------------------------------------------------------------


def judge_read(
    ws: Workspace, change: Change, verdict: Verdict, event: HookEvent, journal: bool = True
) -> None:
    for located in ws.locate(change.path):
        if located.relpath is None:
            continue
        view = located.policy.view(located.absolute)
        if view.decision.error:
            verdict.deny(invalid_policy_text(located))
            continue
        if ws.inhouse(located):
            continue
        level, region = strictest_over(view, 0, _WHOLE_FILE)
        judged = ws.for_tool(located, view.decision, level)
        if judged.level.external_context != "deny":
            continue
        verdict.deny(read_text_reason(ws, located, view.decision, judged.level, region, judged))
        if journal:
            zone = view.decision.zone
            _journal_denied_read(
                ws, located, verdict, event, f"{level.name}{', zone ' + zone.name if zone else ''}"
            )


def _journal_denied_read(
    ws: Workspace, located: Located, verdict: Verdict, event: HookEvent, what: str
) -> None:
    """The egress ledger: one journal line per refused read."""
    verdict.journal.append(
        (
            located.root,
            JournalEvent(
                "read",
                located.relpath or ".",
                agent=ws.tool,
                session=event.session,
                model=event.model,
                decision="deny",
                source="agent",
                note=f"{event.tool_name or event.event_name}: external context denied ({what})",
            ),
        )
    )


def judge_tree_read(ws: Workspace, target, verdict: Verdict, event: HookEvent) -> None:
    """A command that prints what is below a directory (``grep -r``, ``git grep``, ``git log
    -p``): denied when the directory, a zone anchored below it (outside ``target.excluded``) or,
    scanning up to WALK_LIMIT files, a file below it keeps its content from this tool."""
    judge_read(ws, Change(target.path, SEARCH), verdict, event)
    if not verdict.allowed:
        return
    for located in ws.locate(target.path):
        if located.relpath is None or ws.inhouse(located) or not os.path.isdir(located.absolute):
            continue
        excluded = [clean(path, "/") for path in target.excluded]
        zone = _context_zone_below(ws, located, excluded)
        if zone is not None:
            level = located.policy.level(zone.level)
            verdict.deny(
                f"ringfence: {target.program} prints what is below {located.relpath or '.'}/, "
                f"which holds the {zone.level} zone '{zone.name}' ({zone.rule}): its content must "
                f"not reach external AI tools ({ws.tool}). Reason: "
                f"{zone.reason or 'none given'}. Instead: name the paths to read, leaving the "
                "zone out (git: ':!PATH')."
            )
            _journal_denied_read(ws, located, verdict, event, f"{level.name}, zone {zone.name}")
            return
        if _walk_reads(ws, located, excluded, verdict, event):
            return


def _context_zone_below(ws: Workspace, located: Located, excluded: list[str]):
    """A zone below the directory whose level keeps content from external tools (anchored
    zones by their prefix; zones that match at any depth count unless excluded wholesale)."""
    rel = located.relpath or ""
    for parsed in located.policy.policy_files():
        for zone in parsed.zones:
            if ws.for_zone(located, zone).level.external_context != "deny":
                continue
            for pattern in zone.patterns:
                prefix = _anchored_prefix(pattern)
                if prefix is None:
                    continue
                prefix = f"{parsed.base}/{prefix}" if parsed.base else prefix
                absolute = posixpath.join(located.root, prefix)
                if any(absolute == e or absolute.startswith(e + "/") for e in excluded):
                    continue
                if not rel or prefix == rel or prefix.startswith(rel + "/"):
                    return zone
    return None


def _walk_reads(ws, located: Located, excluded: list[str], verdict, event) -> bool:
    """Check files below the directory (up to WALK_LIMIT) as reads; True once one is denied."""
    seen = 0
    for directory, dirnames, filenames in os.walk(located.absolute):
        dirnames[:] = sorted(
            d for d in dirnames if d != ".git" and posixpath.join(directory, d) not in excluded
        )
        for name in sorted(filenames):
            path = posixpath.join(directory, name)
            if path in excluded:
                continue
            seen += 1
            if seen > WALK_LIMIT:
                return False  # best effort: the rest is not examined (docs/security.md)
            judge_read(ws, Change(path, READ_FILE), verdict, event)
            if not verdict.allowed:
                return True
    return False


# ----- shell ---------------------------------------------------------------------------------


def judge_shell(ws: Workspace, event: HookEvent, verdict: Verdict) -> None:
    here = ws._located(ws.cwd)
    if here.policy.root_failed:
        verdict.deny(invalid_policy_text(here))
        return
    if event.command is None:
        return  # a shell ringfence cannot parse (PowerShell): allowed, journaled afterwards
    from ringfence.hooks.shell import analyse

    analysis = analyse(event.command, ws.cwd)
    for reason in analysis.refusals:
        verdict.deny(reason)
    for target in analysis.writes:
        judge_shell_write(ws, target, verdict)
    for target in analysis.reads:
        if target.recursive:
            judge_tree_read(ws, target, verdict, event)
        else:
            judge_read(ws, Change(target.path, READ_FILE), verdict, event)
    if analysis.problems:
        _judge_unknowns(ws, analysis, verdict, event)
    _judge_embedded_patch(ws, event.command, verdict)


def _judge_unknowns(ws: Workspace, analysis, verdict: Verdict, event: HookEvent) -> None:
    """A command with parts the analysis cannot pin down is denied when it names a path in a
    zone that denies this tool's edits or reads, or a protected path; otherwise it may pass."""
    why = "; ".join(analysis.problems)
    seen: set[str] = set()
    for mention in analysis.mentions[:MAX_MENTIONS]:
        if mention.path in seen:
            continue
        seen.add(mention.path)
        probe = Verdict()
        judge_shell_write(ws, mention, probe, walk=False)
        judge_read(ws, Change(mention.path, READ_FILE), probe, event, journal=False)
        if not probe.allowed:
            verdict.deny(
                f"ringfence: this command cannot be fully analysed ({why}) and it names a path "
                f"that is restricted, so it is denied. {probe.denials[0]}"
            )
            return


def judge_shell_write(ws: Workspace, target, verdict: Verdict, walk: bool = True) -> None:
    for located in ws.locate(target.path):
        why = protection(located)
        if why == protected.PYPROJECT_TABLE:
            if "ringfence" in (read_text(located.absolute) or ""):
                verdict.deny(
                    protected_text(
                        located,
                        "a shell command cannot be checked for changes to the "
                        "[tool.ringfence] table of the root pyproject.toml",
                    )
                )
        elif why is not None:
            verdict.deny(protected_text(located, why))
        if located.relpath is None:
            continue
        if target.recursive and os.path.isdir(located.absolute):
            _judge_tree(ws, located, verdict, walk)
            continue
        judge_edit(ws, Change(located.absolute, WRITE), verdict)


def _judge_tree(ws: Workspace, located: Located, verdict: Verdict, walk: bool = True) -> None:
    """A directory a command removes or overwrites: its level, zones below it, then its files."""
    inhouse = ws.inhouse(located)
    view = located.policy.view(located.absolute)
    if view.decision.error:
        verdict.deny(invalid_policy_text(located))
        return
    judged = ws.for_tool(located, view.decision, view.decision.level)
    if judged.level.edits(inhouse) == "deny":
        verdict.deny(edit_text(ws, located, view.decision, judged.level, None, inhouse, judged))
        return
    zone = _denying_zone_below(ws, located, inhouse)
    if zone is not None:
        verdict.deny(
            f"ringfence: {located.relpath or '.'}/ holds the {zone.level} zone '{zone.name}' "
            f"({zone.rule}): AI tools ({ws.tool}) may not write or delete it. Reason: "
            f"{zone.reason or 'none given'}. Instead: "
            f"{instead_text(located, ws, inhouse, located.policy.level(zone.level))}."
        )
        return
    if not walk:
        return
    seen = 0
    for directory, dirnames, filenames in os.walk(located.absolute):
        if ".git" in dirnames or ".git" in filenames:
            verdict.deny(
                protected_text(
                    located, "it holds a git directory (hooks, config, ringfence's journal)"
                )
            )
            return
        dirnames.sort()
        for name in sorted(filenames):
            seen += 1
            if seen > WALK_LIMIT:
                return  # best effort: the rest is not examined (docs/security.md)
            before = len(verdict.denials)
            judge_edit(ws, Change(posixpath.join(directory, name), WRITE), verdict)
            if len(verdict.denials) > before:
                return


def _denying_zone_below(ws: Workspace, located: Located, inhouse: bool):
    """A zone anchored below the directory whose level denies this tool's edits."""
    rel = located.relpath or ""
    for parsed in located.policy.policy_files():
        for zone in parsed.zones:
            if ws.for_zone(located, zone).level.edits(inhouse) != "deny":
                continue
            for pattern in zone.patterns:
                prefix = _anchored_prefix(pattern)
                if prefix is None:
                    continue
                prefix = f"{parsed.base}/{prefix}" if parsed.base else prefix
                if not rel or prefix == rel or prefix.startswith(rel + "/"):
                    return zone
    return None


def _anchored_prefix(pattern: str) -> str | None:
    body = pattern.rstrip("/")
    if "/" not in body:
        return None  # matches at any depth: only the walk can tell
    parts = []
    for part in body.lstrip("/").split("/"):
        if any(ch in part for ch in "*?[\\"):
            break
        parts.append(part)
    return "/".join(parts) or None


def _judge_embedded_patch(ws: Workspace, command: str, verdict: Verdict) -> None:
    from ringfence.hooks.patch import contains_patch, parse_patch, patch_changes

    if contains_patch(command):
        try:
            changes = patch_changes(parse_patch(command))
        except MalformedEvent:
            return
        for change in changes:
            judge_edit(ws, change, verdict)


# ----- reasons -------------------------------------------------------------------------------


def where_text(located: Located, decision, level: Level, region: RegionMarker | None) -> str:
    rel = located.relpath or located.absolute
    if region is not None:
        return (
            f"lines {region.start + 1}-{region.end + 1} of {rel} are a {level.name} region "
            f"({rel}:{region.start + 1})"
        )
    if decision.source == "zone" and decision.zone is not None:
        return f"{rel} is in the {level.name} zone '{decision.zone.name}' ({decision.rule})"
    if decision.source == "marker":
        return f"{rel} is marked {level.name} ({decision.rule})"
    if decision.source == "import":
        return f"{rel} is {level.name} ({decision.rule}, an AI ignore file the policy imports)"
    return f"{rel} is {level.name} (the policy's default level)"


def _reason_of(decision, region: RegionMarker | None) -> str:
    reason = (region.reason if region is not None else "") or decision.reason or "none given"
    return reason.rstrip(".")


def instead_text(located: Located, ws: Workspace, inhouse: bool, level: Level) -> str:
    assistant = located.policy.assistant
    if not inhouse and assistant is not None and level.inhouse_edits != "deny":
        return (
            f"hand this change to {assistant.name}, the in-house assistant (the editor's "
            f"'Move to {assistant.name}' action), or make it by hand"
        )
    return "a human must make this change by hand"


def edit_text(
    ws: Workspace, located: Located, decision, level: Level, region, inhouse: bool, judged=None
) -> str:
    who = "in-house" if inhouse else "external"
    owner = f" Owner: {decision.owner}." if decision.owner and region is None else ""
    return (
        f"ringfence: {where_text(located, decision, level, region)}: "
        f"{who} AI edits ({ws.tool}) are "
        f"denied{tool_rule_text(judged)}. Reason: {_reason_of(decision, region)}. Instead: "
        f"{instead_text(located, ws, inhouse, level)}.{owner}"
    )


def tool_rule_text(judged) -> str:
    """`` here (claude-code is not in tools.allow (copilot); .ringfence.toml:7)`` when a tool
    rule decided, else nothing."""
    if judged is None or not judged.why:
        return ""
    return f" here ({judged.why}; {judged.rule})"


def read_text_reason(
    ws: Workspace, located: Located, decision, level: Level, region, judged=None
) -> str:
    assistant = located.policy.assistant
    instead = (
        f"use {assistant.name}, the in-house assistant, for work that needs this file"
        if assistant is not None
        else "ask a human for what you need from this file"
    )
    owner = f" Owner: {decision.owner}." if decision.owner and region is None else ""
    return (
        f"ringfence: {where_text(located, decision, level, region)}: its content must not reach "
        f"external AI tools ({ws.tool}){tool_rule_text(judged)}. "
        f"Reason: {_reason_of(decision, region)}. "
        f"Instead: {instead}.{owner}"
    )


def protected_text(located: Located, why: str) -> str:
    rel = located.relpath if located.relpath is not None else located.absolute
    return (
        f"ringfence: {rel} is protected: {why}, and no AI agent may edit, create or delete it. "
        f"Instead: ask a human to make this change."
    )


def invalid_policy_text(located: Located) -> str:
    errors = located.policy.errors
    first = str(errors[0]) if errors else "a policy file could not be read"
    return (
        f"ringfence: the policy is invalid ({first}); ringfence denies AI agent actions in "
        f"{located.root} until a human fixes it ('ringfence explain PATH' shows every error)."
    )


def read_text(path: str) -> str | None:
    """A file's text (None if missing, a directory or binary); only the head of huge files."""
    try:
        data = read_regular(path, MAX_MARKER_BYTES)
    except (OSError, ValueError):
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")
