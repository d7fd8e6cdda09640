"""Kiro CLI's hook protocol (https://kiro.dev/docs/cli/hooks).

Hooks live in an agent configuration (``.kiro/agents/NAME.json``, key ``hooks``). stdin:
``hook_event_name`` (``preToolUse``/``postToolUse``), ``cwd``, ``tool_name``, ``tool_input``,
and on post-events ``tool_response``. Built-in tools (https://kiro.dev/docs/cli/reference/
built-in-tools; the Amazon Q Developer CLI's ``fs_write.rs`` for the write input): ``write``
(formerly ``fs_write``) ``{command: create|str_replace|insert|append, path, file_text, old_str,
new_str, insert_line}``, ``read`` (``fs_read``) ``{operations: [{mode, path}]}`` or ``{path}``,
``glob``/``grep`` ``{pattern, path}``, ``shell`` (``execute_bash``) ``{command}``. Exit 2 blocks
a pre-event and hands stderr to the model; any other failure only warns, so the installed
command ends in ``|| exit 2``. The Kiro IDE's ``.kiro/hooks/*.kiro.hook`` files get no tool
input and cannot gate anything.
"""

from __future__ import annotations

from ringfence.hooks.claude import search_changes
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
    require_object,
    require_path,
    require_text,
    text_field,
    tool_event,
)

PRE, POST = "preToolUse", "postToolUse"
WRITE_TOOLS = ("write", "fs_write")
READ_TOOLS = ("read", "fs_read")
SEARCH_TOOLS = ("glob", "grep")
SHELL_TOOLS = ("shell", "execute_bash", "execute_cmd")


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hook_event_name")
    if event_name not in (PRE, POST):
        return HookEvent(IGNORED, event_name=event_name)
    tool = require_text(payload, "tool_name")
    tool_input = require_object(payload, "tool_input")
    pre = event_name == PRE
    event = tool_event(payload, event_name, tool)
    if tool in SHELL_TOOLS:
        event.kind = SHELL if pre else POST_SHELL
        event.command = require_text(tool_input, "command")
    elif tool in WRITE_TOOLS:
        event.kind, event.changes = (PRE_EDIT if pre else POST_EDIT), [_write(tool_input)]
    elif not pre:
        event.kind = IGNORED
    elif tool in READ_TOOLS:
        event.kind, event.changes = READ, _reads(tool_input, event.cwd)
    elif tool in SEARCH_TOOLS:
        event.kind, event.changes = READ, search_changes(tool_input, event.cwd, "pattern")
    else:
        event.kind, event.changes = generic_changes(tool, tool_input, pre)
    return event


def _write(tool_input: dict) -> Change:
    path = require_path(tool_input, "path")
    command = text_field(tool_input, "command") or "create"
    new = text_field(tool_input, "new_str")
    if command == "create":
        return Change(path, WRITE, content=text_field(tool_input, "file_text") or new)
    if command == "str_replace":
        old = text_field(tool_input, "old_str")
        if not old or new is None:
            raise MalformedEvent("str_replace without 'old_str' and 'new_str'")
        return Change(path, EDIT, replacements=((old, new, False),))
    return Change(path, WRITE)  # insert / append: judged over the whole file


def _reads(tool_input: dict, cwd: str | None) -> list[Change]:
    operations = tool_input.get("operations")
    if operations is None:
        operations = [tool_input]
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise MalformedEvent("read without an 'operations' list")
    changes = []
    for operation in operations:
        path = text_field(operation, "path")
        if not path:
            raise MalformedEvent("a read operation without 'path'")
        mode = (text_field(operation, "mode") or "").lower()
        changes.append(Change(path, SEARCH if mode in ("directory", "search") else READ_FILE))
        for image in operation.get("image_paths") or []:
            if isinstance(image, str):
                changes.append(Change(image, READ_FILE))
    return changes or [Change(cwd or ".", SEARCH)]


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return "", reason + "\n", 2


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return "", reason + "\n", 2


def allow(event: HookEvent) -> tuple[str, str, int]:
    return "", "", 0
