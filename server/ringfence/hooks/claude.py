"""Claude Code's hook protocol (https://code.claude.com/docs/en/hooks).

stdin: ``hook_event_name`` (``PreToolUse``/``PostToolUse``), ``session_id``, ``cwd``,
``tool_name``, ``tool_input`` (``file_path``/``notebook_path``, ``content``, ``old_string``/
``new_string``/``replace_all``, ``edits``, ``command``, ``pattern``/``path``/``glob``), and on
PostToolUse ``tool_response`` (``structuredPatch`` gives the exact lines written). A deny is
``hookSpecificOutput.permissionDecision = "deny"`` on stdout with exit 0; a failure exits 2 with
the reason on stderr, which blocks the tool as well. Codex speaks the same format.
"""

from __future__ import annotations

import json

from ringfence.hooks.events import (
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


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hook_event_name")
    if event_name not in (PRE, POST):
        return HookEvent(IGNORED, event_name=event_name)
    tool = require_text(payload, "tool_name")
    tool_input = require_object(payload, "tool_input")
    event = tool_event(payload, event_name, tool)
    pre = event_name == PRE
    event.kind, event.changes = tool_changes(tool, tool_input, pre, event.cwd)
    if event.kind in (SHELL, POST_SHELL):
        event.command = require_text(tool_input, "command")
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
        content = text_field(tool_input, "content")
        return edit_kind, [Change(require_path(tool_input, "file_path"), WRITE, content=content)]
    if tool == "Edit":
        return edit_kind, [
            Change(
                require_path(tool_input, "file_path"),
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
            return READ, [Change(require_path(tool_input, "file_path"), READ_FILE)]
        return READ, search_changes(tool_input, cwd, "glob" if tool == "Grep" else "pattern")
    return generic_changes(tool, tool_input, pre)


def search_changes(tool_input: dict, cwd: str | None, glob_key: str) -> list[Change]:
    """A search reads its directory, and the directory its glob's literal prefix points into."""
    base = text_field(tool_input, "path") or cwd or "."
    changes = [Change(base, SEARCH)]
    pattern = text_field(tool_input, glob_key)
    if pattern:
        prefix = literal_prefix(pattern)
        if prefix:
            changes.append(
                Change(prefix if prefix.startswith("/") else f"{base.rstrip('/')}/{prefix}", SEARCH)
            )
    return changes


def _replacement(data: dict) -> tuple[str, str, bool]:
    old = text_field(data, "old_string")
    new = text_field(data, "new_string")
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
