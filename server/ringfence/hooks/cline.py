"""Cline's hook protocol (cline/cline ``.clinerules/hooks/README.md``, ``proto/cline/hooks.proto``).

A hook is an executable file named after its event in ``.clinerules/hooks/``. stdin:
``clineVersion``, ``hookName``, ``timestamp``, ``taskId``,
``workspaceRoots`` (no ``cwd``: relative paths resolve against the first root), ``userId``,
``model {provider, slug}``, and ``preToolUse``/``postToolUse {toolName, parameters}`` (post also
``result``, ``success``). The VS Code extension names the events ``PreToolUse``/``PostToolUse``;
the Cline CLI and SDK (``sdk/packages/core/src/hooks/subprocess.ts``) run the same files with
``hookName`` ``tool_call``/``tool_result``, the tool's real input in ``tool_call {id, name,
input}`` and the legacy ``preToolUse``/``postToolUse`` objects alongside. ``parameters`` is a
string map: a list or object argument arrives as
its JSON text (``sdk/hooks-adapter.ts`` ``toStringRecord``). Tools (``sdk/packages/core/src/
extensions/tools/schemas.ts``): ``write_to_file {path, content}``, ``replace_in_file {path,
diff}`` (SEARCH/REPLACE blocks), ``editor {path, old_text, new_text, insert_line}``,
``apply_patch {input}``, ``delete_file {path}``, ``read_file``/``read_files {path | files}``,
``list_files``/``search_files``/``list_code_definition_names {path}``, ``search_codebase``,
``execute_command {command}`` and ``run_commands {commands}``. The answer is JSON on stdout,
``{"cancel": true, "errorMessage": …}`` to block, with exit 0: Cline lets the tool run when a
hook exits non-zero without JSON (fail-open), so ringfence always answers in JSON.
"""

from __future__ import annotations

import json
import re
import shlex

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
    optional_text,
    require_path,
    require_text,
    text_field,
)
from ringfence.hooks.patch import parse_patch, patch_changes

PRE, POST = "PreToolUse", "PostToolUse"
EVENTS = {PRE: True, POST: False, "tool_call": True, "tool_result": False}
SHELL_TOOLS = ("execute_command", "run_commands")
READ_TOOLS = ("read_file", "read_files")
SEARCH_TOOLS = ("list_files", "search_files", "list_code_definition_names", "search_codebase")
_BLOCK = re.compile(
    r"^-{3,} SEARCH\n(?P<old>.*?)\n?^={3,}\n(?P<new>.*?)\n?^\+{3,} REPLACE", re.S | re.M
)


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hookName")
    if event_name not in EVENTS:
        return HookEvent(IGNORED, event_name=event_name)
    pre = EVENTS[event_name]
    data = payload.get("preToolUse" if pre else "postToolUse")
    if not isinstance(data, dict):
        raise MalformedEvent(f"payload has no '{'preToolUse' if pre else 'postToolUse'}' object")
    tool = require_text(data, "toolName")
    if not pre and data.get("success") is False:
        return HookEvent(IGNORED, event_name=event_name, tool_name=tool)  # nothing was written
    params = _input(payload, pre) or data.get("parameters") or {}
    if not isinstance(params, dict):
        raise MalformedEvent("'parameters' is not an object")
    event = HookEvent(
        IGNORED,
        event_name=event_name,
        tool_name=tool,
        cwd=_first_root(payload),
        session=optional_text(payload, "taskId"),
        model=_model(payload),
    )
    if tool in SHELL_TOOLS:
        event.kind = SHELL if pre else POST_SHELL
        event.command = _command(params)
        return event
    kind, changes = _tool_changes(tool, params, pre, event.cwd)
    event.kind, event.changes = kind, changes
    return event


def _input(payload: dict, pre: bool) -> dict | None:
    """The CLI's unflattened tool input (``tool_call.input`` / ``tool_result.input``)."""
    record = payload.get("tool_call" if pre else "tool_result")
    value = record.get("input") if isinstance(record, dict) else None
    if isinstance(value, dict):
        return value
    if isinstance(value, str):  # apply_patch and run_commands also take a bare string
        return {"input": value, "commands": [value], "files": [value]}
    if isinstance(value, list):
        return {"commands": value, "files": value}
    return None


def _first_root(payload: dict) -> str | None:
    roots = payload.get("workspaceRoots")
    if isinstance(roots, list) and roots and isinstance(roots[0], str) and roots[0]:
        return roots[0]
    return None


def _model(payload: dict) -> str | None:
    model = payload.get("model")
    return optional_text(model, "slug") if isinstance(model, dict) else None


def _decoded(value: object) -> object:
    """A parameter as Cline meant it: JSON text of a list or object is decoded."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _command(params: dict) -> str:
    command = text_field(params, "command", "cmd")
    if command is not None and "commands" not in params:
        return command
    commands = _decoded(params.get("commands"))
    if isinstance(commands, str):
        commands = [commands]
    if not isinstance(commands, list) or not commands:
        raise MalformedEvent("run_commands without 'commands'")
    lines = []
    for entry in commands:
        if isinstance(entry, dict):
            words = [entry.get("command"), *(entry.get("args") or [])]
            if not all(isinstance(w, str) for w in words):
                raise MalformedEvent("a structured command with a non-text word")
            lines.append(shlex.join(words))
        elif isinstance(entry, str):
            lines.append(entry)
        else:
            raise MalformedEvent("a command that is neither text nor {command, args}")
    return "\n".join(lines)


def _tool_changes(tool: str, params: dict, pre: bool, cwd: str | None):
    edit_kind = PRE_EDIT if pre else POST_EDIT
    if tool == "write_to_file":
        return edit_kind, [
            Change(require_path(params, "path"), WRITE, content=text_field(params, "content"))
        ]
    if tool == "replace_in_file":
        return edit_kind, [_search_replace(require_path(params, "path"), params)]
    if tool == "editor":
        return edit_kind, [_editor(params)]
    if tool == "apply_patch":
        patch = text_field(params, "input", "patch", "diff")
        if not patch:
            raise MalformedEvent("apply_patch without 'input'")
        return edit_kind, patch_changes(parse_patch(patch))
    if tool == "delete_file":
        return edit_kind, [Change(require_path(params, "path"), DELETE)]
    if not pre:
        return IGNORED, []
    if tool in READ_TOOLS:
        return READ, _reads(params)
    if tool in SEARCH_TOOLS:
        return READ, [Change(text_field(params, "path") or cwd or ".", SEARCH)]
    return generic_changes(tool, params, pre)


def _search_replace(path: str, params: dict) -> Change:
    diff = text_field(params, "diff")
    blocks = [(m["old"], m["new"], False) for m in _BLOCK.finditer(diff or "")]
    if not blocks or any(not old for old, _, _ in blocks):
        return Change(path, WRITE)  # not understood: judged over the whole file
    return Change(path, EDIT, replacements=tuple(blocks))


def _editor(params: dict) -> Change:
    path = require_path(params, "path")
    old, new = text_field(params, "old_text", "old_str"), text_field(params, "new_text", "new_str")
    if new is None:
        raise MalformedEvent("editor without 'new_text'")
    if params.get("insert_line") not in (None, "", "null"):
        return Change(path, WRITE)
    if old:
        return Change(path, EDIT, replacements=((old, new, False),))
    return Change(path, WRITE, content=new)


def _reads(params: dict) -> list[Change]:
    files = _decoded(params.get("files") or params.get("paths") or params.get("file_paths"))
    if files is None:
        return [Change(require_path(params, "path", "file_path", "filePath"), READ_FILE)]
    if isinstance(files, (str, dict)):
        files = [files]
    if not isinstance(files, list) or not files:
        raise MalformedEvent("read_files without 'files'")
    changes = []
    for entry in files:
        path = entry if isinstance(entry, str) else None
        if isinstance(entry, dict):
            path = text_field(entry, "path", "file_path", "filePath")
        if not path:
            raise MalformedEvent("a read request without 'path'")
        changes.append(Change(path, READ_FILE))
    return changes


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return json.dumps({"cancel": True, "errorMessage": reason}) + "\n", "", 0


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    stdout, _, _ = deny(event, reason)
    return stdout, reason + "\n", 0


def allow(event: HookEvent) -> tuple[str, str, int]:
    return json.dumps({"cancel": False}) + "\n", "", 0
