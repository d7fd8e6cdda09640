"""Antigravity CLI's (``agy``) hook protocol, Google's successor to Gemini CLI.

Not run by ringfence's tests: ``agy`` is a closed-source binary with no npm package
(``npm view @google/antigravity-cli`` is a 404; ``antigravity-cli`` is a 0.0.1 placeholder). The
shape below is what two independent live tests of agy 1.0.5 and 1.1.2 report (sources in
docs/security.md, "Payload fields ringfence relies on"):

- hooks in ``.agents/hooks.json`` (project) and ``~/.gemini/config/hooks.json`` (user); events
  ``PreToolUse`` and ``PostToolUse``; the matcher is a tool name;
- stdin is camelCase protojson **without an event name**: ``conversationId``, ``stepIdx``,
  ``toolCall {name, args}``, ``workspacePaths``, ``transcriptPath``, ``modelName``; a PostToolUse
  adds ``error`` and may have ``toolCall: null``. The installed command therefore names the event
  (``ringfence hook antigravity --event PreToolUse``);
- tool arguments are PascalCase: ``run_command {CommandLine, Cwd}``, ``write_to_file
  {TargetFile, CodeContent}``, ``replace_file_content``/``edit_file`` (``TargetFile``,
  ``ReplacementChunks [{TargetContent, ReplacementContent, AllowMultiple}]``), ``view_file
  {AbsolutePath}``, ``list_dir {DirectoryPath}``, ``grep_search {SearchPath, Includes}``,
  ``find_by_name {SearchDirectory, Pattern}``;
- the answer is ``{"decision": "allow"|"deny"|"ask"|"force_ask", "reason": …}`` on stdout; a
  missing or malformed decision fails closed (agy asks the user), so every PreToolUse answer
  carries an explicit decision. (``{"allowTool": false, "denyReason": …}``, named elsewhere, is
  reported by no live test and not sent.)
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
    optional_text,
    require_path,
    require_text,
    text_field,
)

PRE, POST = "PreToolUse", "PostToolUse"
EVENT_KEY = "hook_event_name"  # set by ``ringfence hook --event`` (agy's payload has none)
SHELL_TOOLS = ("run_command",)
WRITE_TOOLS = ("write_to_file", "create_file")
EDIT_TOOLS = ("replace_file_content", "multi_replace_file_content", "edit_file")
READ_TOOLS = ("view_file", "view_file_outline", "view_code_item")
FILE_KEYS = ("TargetFile", "AbsolutePath", "FilePath", "File", "Path")
# search tools: their directory argument, and the glob arguments below it
SEARCH_TOOLS = {
    "list_dir": (("DirectoryPath", "SearchPath"), ()),
    "grep_search": (("SearchPath", "SearchDirectory", "DirectoryPath"), ("Includes",)),
    "find_by_name": (("SearchDirectory", "SearchPath", "DirectoryPath"), ("Pattern", "Includes")),
    "codebase_search": (("TargetDirectories", "SearchPath"), ()),
}


def parse(payload: dict) -> HookEvent:
    event_name = text_field(payload, EVENT_KEY, "hookEventName") or ""
    if event_name not in (PRE, POST):
        raise MalformedEvent(
            "no PreToolUse/PostToolUse event (install the hook with 'ringfence install-hooks "
            "--agent antigravity', which passes --event)"
        )
    pre = event_name == PRE
    call = payload.get("toolCall")
    if not pre and (not isinstance(call, dict) or payload.get("error")):
        return HookEvent(IGNORED, event_name=event_name)  # the tool failed: it wrote nothing
    if not isinstance(call, dict):
        raise MalformedEvent("payload has no 'toolCall' object")
    tool = require_text(call, "name")
    args = call.get("args")
    if not isinstance(args, dict):
        args = {}
    event = HookEvent(
        IGNORED,
        event_name=event_name,
        tool_name=tool,
        cwd=_workspace(payload),
        session=optional_text(payload, "conversationId"),
        model=optional_text(payload, "modelName"),
    )
    if tool in SHELL_TOOLS:
        event.kind = SHELL if pre else POST_SHELL
        event.command = require_text(args, "CommandLine")
        directory = text_field(args, "Cwd")
        if directory:
            event.cwd = (
                directory
                if directory.startswith("/") or not event.cwd
                else (f"{event.cwd}/{directory}")
            )
        return event
    event.kind, event.changes = _tool_changes(tool, args, pre, event.cwd)
    return event


def _workspace(payload: dict) -> str | None:
    paths = payload.get("workspacePaths")
    if isinstance(paths, list) and paths and isinstance(paths[0], str):
        return paths[0]
    return optional_text(payload, "cwd")


def _tool_changes(tool: str, args: dict, pre: bool, cwd: str | None) -> tuple[str, list[Change]]:
    edit_kind = PRE_EDIT if pre else POST_EDIT
    if tool in WRITE_TOOLS:
        path = require_path(args, *FILE_KEYS)
        return edit_kind, [Change(path, WRITE, content=text_field(args, "CodeContent"))]
    if tool in EDIT_TOOLS:
        path = require_path(args, *FILE_KEYS)
        return edit_kind, [Change(path, EDIT, replacements=_replacements(args))]
    if not pre:
        return IGNORED, []
    if tool in READ_TOOLS:
        return READ, [Change(require_path(args, *FILE_KEYS), READ_FILE)]
    if tool in SEARCH_TOOLS:
        return READ, _search(args, cwd, *SEARCH_TOOLS[tool])
    return generic_changes(tool, _snake(args), pre)


def _replacements(args: dict) -> tuple[tuple[str, str, bool], ...]:
    chunks = args.get("ReplacementChunks")
    if not isinstance(chunks, list):
        chunks = [args]
    out = []
    for chunk in chunks:
        old = text_field(chunk, "TargetContent") if isinstance(chunk, dict) else None
        new = text_field(chunk, "ReplacementContent") if isinstance(chunk, dict) else None
        if old is None or new is None:
            raise MalformedEvent("an edit without 'TargetContent' and 'ReplacementContent'")
        out.append((old, new, chunk.get("AllowMultiple") is True))
    if not out:
        raise MalformedEvent("an edit without replacement chunks")
    return tuple(out)


def _search(
    args: dict, cwd: str | None, dir_keys: tuple[str, ...], glob_keys: tuple[str, ...]
) -> list[Change]:
    bases = [v for k in dir_keys for v in _strings(args.get(k))] or [cwd or "."]
    changes = [Change(base, SEARCH) for base in bases]
    for pattern in (v for k in glob_keys for v in _strings(args.get(k))):
        prefix = literal_prefix(pattern)
        if prefix:
            for base in bases:
                where = prefix if prefix.startswith("/") else f"{base.rstrip('/')}/{prefix}"
                changes.append(Change(where, SEARCH))
    return changes


def _strings(value: object) -> list[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _snake(args: dict) -> dict:
    """PascalCase arguments with the path under a key the generic heuristic knows."""
    path = text_field(args, *FILE_KEYS)
    return {**args, "file_path": path} if path else args


def _answer(decision: str, reason: str | None = None) -> str:
    body = {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
    return json.dumps(body) + "\n"


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return _answer("deny", reason), "", 0


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return _answer("deny", reason), reason + "\n", 2


def allow(event: HookEvent) -> tuple[str, str, int]:
    # agy treats a missing decision as "ask the user" (fail closed): say allow explicitly.
    return (_answer("allow") if event.is_pre else ""), "", 0
