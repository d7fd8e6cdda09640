"""Gemini CLI's hook protocol (google-gemini/gemini-cli ``docs/hooks/reference.md``).

stdin: ``hook_event_name`` (``BeforeTool``/``AfterTool``), ``session_id``, ``cwd``,
``tool_name``, ``tool_input`` (and ``tool_response`` after). The tools and argument names are
those of Gemini CLI 0.61 (its tool schemas, and the payloads in
``tests/fixtures/hooks/gemini/real-*.json`` recorded from the real binary): ``write_file
{file_path, content}``, ``replace {file_path, instruction, old_string, new_string,
allow_multiple}`` (an empty ``old_string`` creates the file; older builds sent
``expected_replacements``), ``read_file {file_path, start_line, end_line}`` (older builds
``absolute_path``, old docs ``path``), ``read_many_files {include, exclude}`` (older ``paths``),
``grep_search {pattern, dir_path, include_pattern, exclude_pattern}`` (legacy name
``search_file_content``), ``glob {pattern, dir_path}``, ``list_directory {dir_path}``,
``run_shell_command {command, dir_path}``. A deny is ``{"decision": "deny", "reason": …}`` with
exit 0; exit 2 with the reason on stderr also blocks.
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
    text_field,
    tool_event,
)

BEFORE, AFTER = "BeforeTool", "AfterTool"
SHELL_TOOLS = ("run_shell_command",)
GREP_TOOLS = ("grep_search", "search_file_content", "grep")
# Where a search tool names its directory, and which of its arguments are globs below it.
SEARCH_DIR_KEYS = ("dir_path", "path")
SEARCH_GLOBS = {
    "grep_search": ("include_pattern", "include"),
    "search_file_content": ("include_pattern", "include"),
    "grep": ("include_pattern", "include"),
    "glob": ("pattern",),
    "list_directory": (),
}


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hook_event_name")
    if event_name not in (BEFORE, AFTER):
        return HookEvent(IGNORED, event_name=event_name)
    tool = require_text(payload, "tool_name")
    tool_input = require_object(payload, "tool_input")
    pre = event_name == BEFORE
    response = payload.get("tool_response")
    if not pre and isinstance(response, dict) and response.get("error"):
        return HookEvent(IGNORED, event_name=event_name, tool_name=tool)  # the tool wrote nothing
    event = tool_event(payload, event_name, tool)
    if tool in SHELL_TOOLS:
        event.kind = SHELL if pre else POST_SHELL
        event.command = require_text(tool_input, "command")
        directory = text_field(tool_input, "dir_path", "directory")
        if directory:
            event.cwd = (
                directory
                if directory.startswith("/") or not event.cwd
                else f"{event.cwd}/{directory}"
            )
        return event
    event.kind, event.changes = _tool_changes(tool, tool_input, pre, event.cwd)
    return event


def _tool_changes(
    tool: str, tool_input: dict, pre: bool, cwd: str | None
) -> tuple[str, list[Change]]:
    edit_kind = PRE_EDIT if pre else POST_EDIT
    if tool == "write_file":
        return edit_kind, [
            Change(
                require_path(tool_input, "file_path", "path"),
                WRITE,
                content=text_field(tool_input, "content"),
            )
        ]
    if tool == "replace":
        path = require_path(tool_input, "file_path", "path")
        old, new = text_field(tool_input, "old_string"), text_field(tool_input, "new_string")
        if old is None or new is None:
            raise MalformedEvent("replace without 'old_string' and 'new_string'")
        if not old:
            return edit_kind, [Change(path, WRITE, content=new)]
        count = tool_input.get("expected_replacements")
        every = tool_input.get("allow_multiple") is True or (isinstance(count, int) and count > 1)
        return edit_kind, [Change(path, EDIT, replacements=((old, new, every),))]
    if not pre:
        return IGNORED, []
    if tool == "read_file":
        return READ, [
            Change(require_path(tool_input, "file_path", "absolute_path", "path"), READ_FILE)
        ]
    if tool == "read_many_files":
        return READ, _many(tool_input, cwd)
    if tool in SEARCH_GLOBS:
        return READ, _search(tool_input, cwd, SEARCH_GLOBS[tool])
    return generic_changes(tool, tool_input, pre)


def _search(tool_input: dict, cwd: str | None, glob_keys: tuple[str, ...]) -> list[Change]:
    """A search or listing reads its ``dir_path``, and the directory each glob's literal prefix
    points into below it (``include_pattern: "training/**"`` reads ``training``)."""
    base = text_field(tool_input, *SEARCH_DIR_KEYS) or cwd or "."
    changes = [Change(base, SEARCH)]
    for key in glob_keys:
        pattern = text_field(tool_input, key)
        prefix = literal_prefix(pattern) if pattern else ""
        if prefix:
            where = prefix if prefix.startswith("/") else f"{base.rstrip('/')}/{prefix}"
            changes.append(Change(where, SEARCH))
    return changes


def _many(tool_input: dict, cwd: str | None) -> list[Change]:
    paths = tool_input.get("include", tool_input.get("paths"))
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise MalformedEvent("read_many_files without an 'include' list")
    changes = []
    for path in paths:
        prefix = literal_prefix(path) if any(ch in path for ch in "*?[{") else path
        changes.append(Change(prefix or cwd or ".", READ_FILE if prefix == path else SEARCH))
    return changes


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return json.dumps({"decision": "deny", "reason": reason}) + "\n", "", 0


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return json.dumps({"decision": "deny", "reason": reason}) + "\n", reason + "\n", 2


def allow(event: HookEvent) -> tuple[str, str, int]:
    return "", "", 0
