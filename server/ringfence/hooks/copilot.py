"""GitHub Copilot CLI's hook protocol (github/docs ``cli-hooks-reference.md``).

Two payload shapes, chosen by the event-name spelling in the hook file. camelCase
(``preToolUse``): ``{sessionId, timestamp, cwd, toolName, toolArgs}`` with no event name;
``toolArgs`` is a JSON string or an object, and a payload with ``toolResult`` is a post-event.
PascalCase (``PreToolUse``, VS Code compatible): ``{hook_event_name, session_id, cwd, tool_name,
tool_input}``. Tools: ``create {path, file_text}``, ``edit {path, old_str, new_str}``, ``view
{path}``, ``bash``/``powershell {command}``, ``glob``/``grep {pattern, paths}`` (``paths`` a
string or a list); VS Code's ``create_file``, ``replace_string_in_file``, ``read_file``
(``filePath``) are understood too. A deny is ``{"permissionDecision": "deny",
"permissionDecisionReason": …}`` with exit 0 (1.0.102 refuses a tool on any non-zero exit too;
older builds skipped a failing hook). The same call also runs the hooks of
``.claude/settings.json`` (``ringfence.hooks.twins``). Shapes as recorded from the real binary:
``tests/fixtures/hooks/copilot/real-*.json``.
"""

from __future__ import annotations

import json

from ringfence.hooks import twins
from ringfence.hooks.claude import search_changes
from ringfence.hooks.events import (
    EDIT,
    IGNORED,
    POST_EDIT,
    POST_SHELL,
    PRE_EDIT,
    READ,
    READ_FILE,
    SHELL,
    WRITE,
    Change,
    HookEvent,
    MalformedEvent,
    generic_changes,
    optional_text,
    require_path,
    text_field,
)

SHELL_TOOLS = ("bash", "shell")
UNANALYSABLE_SHELLS = ("powershell", "pwsh")
_PATH = ("path", "filePath", "file_path")


def parse(payload: dict) -> HookEvent:
    pascal = "hook_event_name" in payload
    if pascal:
        event_name = payload.get("hook_event_name")
        if event_name not in ("PreToolUse", "PostToolUse", "preToolUse", "postToolUse"):
            return HookEvent(IGNORED, event_name=str(event_name))
        pre = event_name.lower() == "pretooluse"
        tool, args = payload.get("tool_name"), payload.get("tool_input")
        session = optional_text(payload, "session_id")
    else:
        pre = "toolResult" not in payload
        event_name = "preToolUse" if pre else "postToolUse"
        tool, args = payload.get("toolName"), payload.get("toolArgs")
        session = optional_text(payload, "sessionId")
    if not isinstance(tool, str) or not tool:
        raise MalformedEvent("payload has no tool name ('toolName' or 'tool_name')")
    if not pre and twins.tool_failed(payload):
        return HookEvent(IGNORED, event_name=event_name, tool_name=tool)
    args = _arguments(args)
    event = HookEvent(
        IGNORED,
        event_name=event_name,
        tool_name=tool,
        cwd=optional_text(payload, "cwd"),
        session=session,
        model=optional_text(payload, "model"),
        pascal=pascal,
        call=twins.call_key(session, payload.get("timestamp"), pre, args),
    )
    if tool in SHELL_TOOLS or tool in UNANALYSABLE_SHELLS:
        command = text_field(args, "command")
        if command is None:
            raise MalformedEvent(f"{tool} without a 'command'")
        event.kind = SHELL if pre else POST_SHELL
        event.command = command if tool in SHELL_TOOLS else None  # PowerShell is not analysed
        return event
    event.kind, event.changes = _tool_changes(tool, args, pre, event.cwd)
    return event


def _arguments(args: object) -> dict:
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError as exc:
            raise MalformedEvent(f"toolArgs is not JSON: {exc}") from None
    if args is None:
        return {}
    if not isinstance(args, dict):
        raise MalformedEvent("toolArgs is not an object")
    return args


def _tool_changes(tool: str, args: dict, pre: bool, cwd: str | None) -> tuple[str, list[Change]]:
    edit_kind = PRE_EDIT if pre else POST_EDIT
    if tool in ("create", "create_file"):
        return edit_kind, [
            Change(
                require_path(args, *_PATH), WRITE, content=text_field(args, "file_text", "content")
            )
        ]
    if tool in ("edit", "str_replace", "replace_string_in_file"):
        old = text_field(args, "old_str", "oldString", "old_string")
        new = text_field(args, "new_str", "newString", "new_string")
        path = require_path(args, *_PATH)
        if new is None:
            return edit_kind, [Change(path, WRITE)]
        if not old:
            return edit_kind, [Change(path, WRITE, content=new)]
        return edit_kind, [Change(path, EDIT, replacements=((old, new, False),))]
    if tool == "editFiles":
        files = args.get("files")
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise MalformedEvent("editFiles without a 'files' list")
        return edit_kind, [Change(path, WRITE) for path in files]
    if not pre:
        return IGNORED, []
    if tool in ("view", "read_file"):
        return READ, [Change(require_path(args, *_PATH), READ_FILE)]
    if tool in ("grep", "glob"):
        return READ, search_changes(args, cwd, "glob" if tool == "grep" else "pattern")
    return generic_changes(tool, args, pre)


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    answer: dict = {"permissionDecision": "deny", "permissionDecisionReason": reason}
    if event is not None and event.pascal:
        answer["hookSpecificOutput"] = {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    return json.dumps(answer) + "\n", "", 0


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    stdout, _, _ = deny(event, reason)
    return stdout, reason + "\n", 0


def allow(event: HookEvent) -> tuple[str, str, int]:
    return "", "", 0
