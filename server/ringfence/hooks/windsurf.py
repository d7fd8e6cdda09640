"""Windsurf (Cascade) hook protocol (https://docs.windsurf.com/windsurf/cascade/hooks).

stdin: ``agent_action_name`` (the event), ``trajectory_id`` (the conversation),
``execution_id``, ``timestamp`` and ``tool_info``. Events used: ``pre_write_code`` /
``post_write_code`` ``{file_path, edits: [{old_string, new_string}]}``, ``pre_read_code
{file_path}``, ``pre_run_command`` / ``post_run_command`` ``{command_line, cwd}``. A pre-hook
blocks by exiting 2; its stderr is what Cascade shows. Any other exit lets the action run, so the
installed command ends in ``|| exit 2``. There is no ``cwd`` for file events: Cascade sends
absolute paths, and a relative one resolves against the hook's working directory.
"""

from __future__ import annotations

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
    optional_text,
    require_object,
    require_path,
    require_text,
    text_field,
)

WRITE_EVENTS = ("pre_write_code", "post_write_code")
SHELL_EVENTS = ("pre_run_command", "post_run_command")
READ_EVENT = "pre_read_code"


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "agent_action_name")
    if event_name not in (*WRITE_EVENTS, *SHELL_EVENTS, READ_EVENT):
        return HookEvent(IGNORED, event_name=event_name)
    info = require_object(payload, "tool_info")
    pre = event_name.startswith("pre_")
    event = HookEvent(
        IGNORED,
        event_name=event_name,
        tool_name=event_name,
        cwd=optional_text(info, "cwd"),
        session=optional_text(payload, "trajectory_id"),
        model=optional_text(payload, "model_name"),
    )
    if event_name in WRITE_EVENTS:
        event.kind = PRE_EDIT if pre else POST_EDIT
        event.changes = [_write(info)]
    elif event_name in SHELL_EVENTS:
        event.kind = SHELL if pre else POST_SHELL
        event.command = require_text(info, "command_line")
    else:
        event.kind, event.changes = READ, [Change(require_path(info, "file_path"), READ_FILE)]
    return event


def _write(info: dict) -> Change:
    """One edit list: ``old → new`` replacements; an edit from nothing writes the whole text."""
    path = require_path(info, "file_path")
    edits = info.get("edits")
    if edits is None:
        return Change(path, WRITE)
    if not isinstance(edits, list) or not all(isinstance(e, dict) for e in edits):
        raise MalformedEvent("'tool_info.edits' is not a list of objects")
    replacements = []
    for edit in edits:
        old, new = text_field(edit, "old_string"), text_field(edit, "new_string")
        if new is None:
            raise MalformedEvent("an edit without 'new_string'")
        if not old:
            if len(edits) == 1:
                return Change(path, WRITE, content=new)
            return Change(path, WRITE)
        replacements.append((old, new, False))
    return Change(path, EDIT, replacements=tuple(replacements))


def deny(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return "", reason + "\n", 2


def fail(event: HookEvent | None, reason: str) -> tuple[str, str, int]:
    return "", reason + "\n", 2


def allow(event: HookEvent) -> tuple[str, str, int]:
    return "", "", 0
