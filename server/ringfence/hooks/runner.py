"""One hook invocation, end to end: payload in, the agent's answer out, evidence appended.

Fail closed (docs/hooks.md): malformed input, an invalid policy or any internal error denies a
pre-event in the agent's protocol (exit 2 with the reason on stderr for Claude Code, Codex,
Gemini, Windsurf and Kiro; deny JSON with exit 0 for Copilot, Cursor and Cline). Allowed events
print nothing and exit 0, except Cursor's read and preToolUse events and Cline's, which always
answer. A failing post-event reports on stderr and exits 1 (non-blocking everywhere), after
journaling what it could. Every event is answered within a fixed time budget
(``BUDGET_SECONDS``): a pre-event that runs out of it is denied.
"""

from __future__ import annotations

import importlib
import json
import os
from typing import TYPE_CHECKING, Any

from ringfence.hooks.agents import DEFAULT_PROTOCOL, protocol_for
from ringfence.hooks.events import IGNORED, POST_EDIT, PRE_KINDS, HookEvent, MalformedEvent
from ringfence.tool_ids import canonical_tool

if TYPE_CHECKING:
    from ringfence.evidence.journal import JournalEvent

BUDGET_SECONDS = 5.0  # well inside every agent's hook timeout (10 s as installed)
_MODULES = {
    "claude-code": "claude",
    "codex": "codex",
    "gemini": "gemini",
    "copilot": "copilot",
    "cursor": "cursor",
    "windsurf": "windsurf",
    "kiro": "kiro",
    "cline": "cline",
    "antigravity": "antigravity",
}


class Answer:
    """What the hook process prints and returns."""

    __slots__ = ("stdout", "stderr", "code")

    def __init__(self, stdout: str = "", stderr: str = "", code: int = 0) -> None:
        self.stdout, self.stderr, self.code = stdout, stderr, code


def run_hook(
    agent: str, raw: bytes, protocol: str | None = None, event_name: str | None = None
) -> Answer:
    """``event_name``: the event named on the command line, for agents whose payload lacks it
    (Antigravity CLI); a payload's own ``hook_event_name`` wins."""
    tool = canonical_tool(agent)
    adapter = importlib.import_module(f"ringfence.hooks.{_MODULES[protocol_for(tool, protocol)]}")
    try:
        payload = _payload(raw)
        if event_name:
            payload.setdefault("hook_event_name", event_name)
        event = adapter.parse(payload)
    except MalformedEvent as exc:
        reason = f"ringfence: malformed {agent} hook input: {exc}; denied (fail closed)"
        return Answer(*adapter.fail(None, reason))
    except Exception as exc:  # an input shape no adapter foresaw: still the agent's own answer
        reason = f"ringfence: unreadable {agent} hook input ({type(exc).__name__}: {exc}); denied"
        return Answer(*adapter.fail(None, reason))
    if event.kind == IGNORED:
        return Answer()
    if event.sender is not None and tool == DEFAULT_PROTOCOL:
        tool = event.sender  # Copilot CLI running the hooks of .claude/settings.json
    try:
        with _budget():
            if event.kind in PRE_KINDS:
                return _pre(adapter, event, tool)
            return _post(event, tool)
    except OutOfTime:
        reason = (
            f"ringfence: the {agent} hook did not finish within its {budget_seconds():g} s "
            "budget (a slow disk, a huge directory or a path it could not read in time)"
        )
        if event.kind in PRE_KINDS:
            return Answer(*adapter.fail(event, reason + "; denied (fail closed)"))
        return Answer("", reason + "\n", 1)
    except Exception as exc:  # the last line of defence: fail closed, one line, no traceback
        reason = f"ringfence: internal error in the {agent} hook: {type(exc).__name__}: {exc}"
        if event.kind in PRE_KINDS:
            return Answer(*adapter.fail(event, reason + "; denied (fail closed)"))
        (journal,) = _first_run(event, _fallback_journal(event, tool, exc))
        return Answer("", reason + "\n" + _append(journal), 1)


class OutOfTime(BaseException):
    """The hook's time budget ran out (a BaseException, so no ``except Exception`` swallows it)."""


def budget_seconds() -> float:
    """The hook's time budget: BUDGET_SECONDS, or less with ``RINGFENCE_HOOK_BUDGET`` (seconds)."""
    try:
        wanted = float(os.environ.get("RINGFENCE_HOOK_BUDGET", BUDGET_SECONDS))
    except ValueError:
        return BUDGET_SECONDS
    return min(BUDGET_SECONDS, wanted) if wanted > 0 else BUDGET_SECONDS


class _budget:
    """Raise OutOfTime in the main thread once the budget is spent (a timer signal: it also
    interrupts a system call that blocks). Elsewhere (a thread, no SIGALRM) it does nothing."""

    def __enter__(self):
        import signal

        self._signal = signal
        self._armed = False
        if not hasattr(signal, "setitimer"):
            return self
        try:
            self._previous = signal.signal(signal.SIGALRM, _out_of_time)
        except ValueError:  # not the main thread
            return self
        self._armed = True
        signal.setitimer(signal.ITIMER_REAL, budget_seconds())
        return self

    def __exit__(self, *exc_info):
        if self._armed:
            self._signal.setitimer(self._signal.ITIMER_REAL, 0)
            self._signal.signal(self._signal.SIGALRM, self._previous)
        return False


def _out_of_time(signum, frame):
    raise OutOfTime()


def _payload(raw: bytes) -> dict:
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedEvent(f"not JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise MalformedEvent("the event is not a JSON object")
    return payload


def _pre(adapter, event: HookEvent, tool: str) -> Answer:
    from ringfence.hooks import fastpath

    if fastpath.allowed(event, tool):
        return Answer(*adapter.allow(event))
    from ringfence.hooks.decide import Workspace, decide

    snapshot = fastpath.Snapshot(event)
    ws = Workspace(event.cwd, tool, event.model)
    verdict = decide(event, ws)
    (journal,) = _first_run(event, verdict.journal)
    problems = _append(journal)
    if verdict.allowed:
        fastpath.remember(snapshot, ws)
        stdout, stderr, code = adapter.allow(event)
        return Answer(stdout, stderr + problems, code)
    stdout, stderr, code = adapter.deny(event, "\n".join(verdict.denials))
    return Answer(stdout, stderr + problems, code)


def _post(event: HookEvent, tool: str) -> Answer:
    from ringfence.hooks.decide import Workspace
    from ringfence.hooks.record import post_edit, post_shell

    ws = Workspace(event.cwd, tool, event.model)
    evidence = post_edit(event, ws) if event.kind == POST_EDIT else post_shell(event, ws)
    journal, records = _first_run(event, evidence.journal, evidence.records)
    problems = _append(journal)
    if records:
        from ringfence.provenance.trace import append_record

        for root, record in records:
            try:
                append_record(root, record)
            except OSError as exc:
                problems += f"ringfence: cannot write the provenance record in {root}: {exc}\n"
    return Answer("", problems, 1 if problems else 0)


def _fallback_journal(
    event: HookEvent, tool: str, exc: Exception
) -> list[tuple[str, JournalEvent]]:
    """When a post-event fails: still one journal line per written file, without its lines."""
    from ringfence.evidence.journal import JournalEvent
    from ringfence.policy.paths import clean, find_root, relative_to

    cwd = clean(event.cwd, os.getcwd()) if event.cwd else os.getcwd()
    journal: list[tuple[str, JournalEvent]] = []
    for change in event.changes or []:
        absolute = clean(change.path, cwd)
        root = clean(str(find_root(absolute)), "/")
        relpath = relative_to(absolute, root)
        if relpath is not None:
            journal.append(
                (
                    root,
                    JournalEvent(
                        "edit",
                        relpath,
                        agent=tool,
                        session=event.session,
                        model=event.model,
                        decision="logged",
                        source="agent",
                        state="untagged",
                        note=f"ringfence hook error ({type(exc).__name__}); lines not recorded",
                    ),
                )
            )
    return journal


def _first_run(event: HookEvent, *groups: list[tuple[str, Any]]) -> list[list[tuple[str, Any]]]:
    """The (root, entry) lists this run writes: all of them, except in a repository where the
    call's twin run (Copilot CLI runs ringfence from two hook files) has already claimed it."""
    if event.call is None or not any(groups):
        return list(groups)
    from ringfence.evidence.journal import journal_path
    from ringfence.hooks.twins import claim

    won: dict[str, bool] = {}
    for group in groups:
        for root, _ in group:
            if root not in won:
                won[root] = claim(str(journal_path(root).parent), event.call)
    return [[(root, entry) for root, entry in group if won[root]] for group in groups]


def _append(journal: list[tuple[str, JournalEvent]]) -> str:
    """Append each event; every failure is reported, none stops the others."""
    if not journal:
        return ""
    from ringfence.evidence.journal import append_event

    problems = ""
    for root, entry in journal:
        try:
            append_event(root, entry)
        except OSError as exc:
            problems += f"ringfence: cannot append to the journal of {root}: {exc}\n"
    return problems
