"""Claude Code's hook protocol (https://code.claude.com/docs/en/hooks).

stdin: ``hook_event_name`` (``PreToolUse``/``PostToolUse``), ``session_id``, ``cwd``,
``tool_name``, ``tool_input`` (``file_path``/``notebook_path``, ``content``, ``old_string``/
``new_string``/``replace_all``, ``edits``, ``command``, ``pattern``/``path``/``glob``), and on
PostToolUse ``tool_response`` (``structuredPatch`` gives the exact lines written; on Bash,
``bashEditDiff`` lists every file the command changed with its hunks, when Claude Code computes
it: in auto and bypass modes, or with ``CLAUDE_CODE_BASH_EDIT_DIFF=1``). A deny is
``hookSpecificOutput.permissionDecision = "deny"`` on stdout with exit 0; a failure exits 2 with
the reason on stderr, which blocks the tool as well. Codex speaks the same format.
"""

from __future__ import annotations

import json

from ringfence.hooks import twins
from ringfence.hooks.events import (
    DELETE,
    EDIT,
    IGNORED,
    POST_EDIT,
    POST_SHELL,
    PRE_EDIT,
    READ,
    READ_FILE,
    SEARCH,
    SHELL,
    WRITE,
    Change,
    HookEvent,
    MalformedEvent,
    generic_changes,
    literal_prefix,
    require_object,
    require_path,
    require_text,
    structured_patch_lines,
    text_field,
    tool_event,
)

PRE, POST = "PreToolUse", "PostToolUse"
EDIT_TOOLS = ("Write", "Edit", "MultiEdit", "NotebookEdit")
READ_TOOLS = ("Read", "Grep", "Glob")
SHELL_TOOLS = ("Bash",)
# Copilot CLI also runs the hooks in .claude/settings.json: Claude's tool names, its own argument
# names (``path``, ``file_text``, ``old_str``/``new_str``, ``paths``). Both spellings are read.
FILE_KEYS = ("file_path", "path")


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hook_event_name")
    if event_name not in (PRE, POST):
        return HookEvent(IGNORED, event_name=event_name)
    tool = require_text(payload, "tool_name")
    tool_input = require_object(payload, "tool_input")
    event = tool_event(payload, event_name, tool)
    pre = event_name == PRE
    if twins.copilot_sent(payload):
        if not pre and twins.tool_failed(payload):
            return HookEvent(IGNORED, event_name=event_name, tool_name=tool)
        event.sender = twins.COPILOT
        event.call = twins.call_key(event.session, payload.get("timestamp"), pre, tool_input)
    event.kind, event.changes = tool_changes(tool, tool_input, pre, event.cwd)
    if event.kind in (SHELL, POST_SHELL):
        event.command = require_text(tool_input, "command")
    if event.kind == POST_SHELL:
        event.changes, event.complete_diff = bash_edit_diff(payload.get("tool_response"))
    if not pre and event.kind == POST_EDIT:
        added = structured_patch_lines(payload.get("tool_response"))
        if added is not None and len(event.changes) == 1:
            event.changes[0].added = added
    return event


def tool_changes(
    tool: str, tool_input: dict, pre: bool, cwd: str | None
) -> tuple[str, list[Change]]:
    """The event kind and changes for one of Claude Code's tools (shared with Codex)."""
    edit_kind = PRE_EDIT if pre else POST_EDIT
    if tool == "Write":
        content = text_field(tool_input, "content", "file_text")
        return edit_kind, [Change(require_path(tool_input, *FILE_KEYS), WRITE, content=content)]
    if tool == "Edit":
        return edit_kind, [
            Change(
                require_path(tool_input, *FILE_KEYS),
                EDIT,
                replacements=(_replacement(tool_input),),
            )
        ]
    if tool == "MultiEdit":
        edits = tool_input.get("edits")
        if not isinstance(edits, list) or not all(isinstance(e, dict) for e in edits):
            raise MalformedEvent("MultiEdit input has no 'edits' list")
        return edit_kind, [
            Change(
                require_path(tool_input, "file_path"),
                EDIT,
                replacements=tuple(_replacement(e) for e in edits),
            )
        ]
    if tool == "NotebookEdit":
        return edit_kind, [
            Change(
                require_path(tool_input, "notebook_path", "file_path"),
                WRITE,
                note="notebook cell edit; lines are not tracked",
            )
        ]
    if tool in SHELL_TOOLS:
        return (SHELL if pre else POST_SHELL), []
    if tool in READ_TOOLS:
        if not pre:
            return IGNORED, []
        if tool == "Read":
            return READ, [Change(require_path(tool_input, *FILE_KEYS), READ_FILE)]
        return READ, search_changes(tool_input, cwd, "glob" if tool == "Grep" else "pattern")
    return generic_changes(tool, tool_input, pre)


BASH_DIFF_NOTE = "shell: lines from Claude Code's bashEditDiff"
BASH_CHANGED_NOTE = "shell: Claude Code reports a change here; lines unknown"


def bash_edit_diff(response: object) -> tuple[list[Change], bool]:
    """The files a Bash command changed, per ``tool_response.bashEditDiff``, and whether that
    list is complete (not cut short, not ``unavailable`` or ``skipped``).

    ``files[]`` carry ``filePath`` and ``hunks`` in ``structuredPatch`` form (``created`` /
    ``deleted`` flags); ``changedFiles`` names every changed file known, listed or not.
    """
    diff = response.get("bashEditDiff") if isinstance(response, dict) else None
    if not isinstance(diff, dict) or diff.get("skipped") is True:
        return [], False
    changes: list[Change] = []
    seen: set[str] = set()
    files = diff.get("files")
    for entry in files if isinstance(files, list) else []:
        path = text_field(entry, "filePath") if isinstance(entry, dict) else None
        if not path or path in seen:
            continue
        seen.add(path)
        if entry.get("deleted") is True:
            changes.append(Change(path, DELETE, note=BASH_DIFF_NOTE))
            continue
        added = structured_patch_lines({"structuredPatch": entry.get("hunks")})
        changes.append(Change(path, EDIT, added=added or [], note=BASH_DIFF_NOTE))
    listed = diff.get("changedFiles")
    for path in listed if isinstance(listed, list) else []:
        if isinstance(path, str) and path and path not in seen:
            seen.add(path)
            changes.append(Change(path, EDIT, added=[], note=BASH_CHANGED_NOTE))
    complete = diff.get("unavailable") is not True and diff.get("moreFiles") == 0
    return changes, complete


def search_changes(tool_input: dict, cwd: str | None, glob_key: str) -> list[Change]:
    """A search reads its directories (``path``, or Copilot's ``paths``: a string or a list), and
    the directory its glob's literal prefix points into below each of them."""
    bases = search_bases(tool_input) or [cwd or "."]
    pattern = text_field(tool_input, glob_key)
    prefix = literal_prefix(pattern) if pattern else ""
    changes = []
    for base in bases:
        changes.append(Change(base, SEARCH))
        if prefix:
            target = prefix if prefix.startswith("/") else f"{base.rstrip('/')}/{prefix}"
            changes.append(Change(target, SEARCH))
    return changes


def search_bases(tool_input: dict) -> list[str]:
    """The directories a search names: ``path``, and ``paths`` as a string or a list of them."""
    bases = [p for p in (text_field(tool_input, "path"),) if p]
    paths = tool_input.get("paths")
    if isinstance(paths, str):
        paths = [paths]
    if paths is not None:
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise MalformedEvent("search 'paths' is neither a string nor a list of strings")
        bases.extend(p for p in paths if p)
    return bases


def _replacement(data: dict) -> tuple[str, str, bool]:
    old = text_field(data, "old_string", "old_str")
    new = text_field(data, "new_string", "new_str")
    if old is None or new is None:
        raise MalformedEvent("edit without 'old_string' and 'new_string'")
    return old, new, data.get("replace_all") is True


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return _deny_json(reason), "", 0


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    """Fail closed: the deny JSON, and exit 2 with the reason on stderr (blocks on its own)."""
    return _deny_json(reason), reason + "\n", 2


def allow(event: HookEvent) -> tuple[str, str, int]:
    return "", "", 0


def _deny_json(reason: str) -> str:
    return (
        json.dumps(
            {
                "hookSpecificOutput": {
                    "hookEventName": PRE,
                    "permissionDecision": "deny",
                    "permissionDecisionReason": reason,
                }
            }
        )
        + "\n"
    )
