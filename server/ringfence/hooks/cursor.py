"""Cursor's hook protocol (https://cursor.com/docs/agent/hooks).

stdin: ``hook_event_name`` (camelCase), ``conversation_id``, ``generation_id``,
``workspace_roots`` (no ``cwd``: relative paths resolve against the first root), optional
``model``. Events used: ``beforeReadFile {file_path, content}`` (answered ``{"permission":
"allow"|"deny"}``, always), ``beforeShellExecution {command, cwd}`` (a deny is ``{"permission":
"deny", …}``; allowed commands get no answer, so Cursor's own approval still applies),
``afterFileEdit``/``afterTabFileEdit {file_path, edits: [{old_string, new_string}]}`` and
``afterShellExecution {command}`` (journaled), and the generic ``preToolUse {tool_name,
tool_input, tool_use_id}`` (https://cursor.com/docs/hooks), which ``install-hooks`` registers for
the file tools (``Write``, ``StrReplace``, ``Edit``, ``MultiEdit``, ``Delete``, ``EditNotebook``)
with ``"failClosed": true``: an edit into a deny zone is answered ``{"permission": "deny"}``, and
a hook that crashes, hangs or prints nothing blocks the edit. A fail-closed hook must answer, so
an allowed ``preToolUse`` is answered ``{"permission": "allow"}``. Tab completions have no event
before the edit (``afterTabFileEdit`` is journaled and shown by the editor, not blocked).
"""

from __future__ import annotations

import json

from ringfence.hooks.events import (
    EDIT,
    IGNORED,
    POST_EDIT,
    POST_SHELL,
    READ,
    READ_FILE,
    SHELL,
    Change,
    HookEvent,
    MalformedEvent,
    generic_changes,
    optional_text,
    require_path,
    require_text,
    text_field,
)

READ_EVENT = "beforeReadFile"
EDIT_EVENTS = ("afterFileEdit", "afterTabFileEdit")
PRE_TOOL = "preToolUse"
FILE_TOOLS = ("Write", "StrReplace", "Edit", "MultiEdit", "Delete", "EditNotebook")


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hook_event_name")
    roots = payload.get("workspace_roots")
    cwd = optional_text(payload, "cwd")
    if cwd is None and isinstance(roots, list) and roots and isinstance(roots[0], str):
        cwd = roots[0]
    event = HookEvent(
        IGNORED,
        event_name=event_name,
        cwd=cwd,
        session=optional_text(payload, "conversation_id"),
        model=optional_text(payload, "model"),
    )
    if event_name == READ_EVENT:
        event.kind, event.changes = READ, [Change(require_path(payload, "file_path"), READ_FILE)]
    elif event_name in EDIT_EVENTS:
        event.kind, event.changes = POST_EDIT, [_edit(payload)]
    elif event_name in ("beforeShellExecution", "afterShellExecution"):
        event.kind = SHELL if event_name == "beforeShellExecution" else POST_SHELL
        event.command = require_text(payload, "command")
    elif event_name in ("preToolUse", "postToolUse"):
        tool, tool_input = payload.get("tool_name"), payload.get("tool_input")
        if isinstance(tool, str) and isinstance(tool_input, dict):
            event.tool_name = tool
            event.kind, event.changes = generic_changes(tool, tool_input, event_name == PRE_TOOL)
        if event_name == PRE_TOOL and tool in FILE_TOOLS and not event.changes:
            raise MalformedEvent(f"{tool} without a file path in 'tool_input'")
    return event


def _edit(payload: dict) -> Change:
    path = require_path(payload, "file_path")
    edits = payload.get("edits")
    if edits is None:
        return Change(path, EDIT)
    if not isinstance(edits, list) or not all(isinstance(e, dict) for e in edits):
        raise MalformedEvent("'edits' is not a list of objects")
    replacements = []
    for edit in edits:
        new = text_field(edit, "new_string")
        if new is None:
            raise MalformedEvent("an edit without 'new_string'")
        replacements.append((text_field(edit, "old_string") or "", new, False))
    return Change(path, EDIT, replacements=tuple(replacements))


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return (
        json.dumps({"permission": "deny", "user_message": reason, "agent_message": reason}) + "\n",
        "",
        0,
    )


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    stdout, _, _ = deny(event, reason)
    return stdout, reason + "\n", 0


def allow(event: HookEvent) -> tuple[str, str, int]:
    if event.event_name in (READ_EVENT, PRE_TOOL):
        return json.dumps({"permission": "allow"}) + "\n", "", 0
    return "", "", 0
