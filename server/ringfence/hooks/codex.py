"""OpenAI Codex CLI's hook protocol (https://developers.openai.com/codex/hooks).

The wire format is Claude Code's (``hook_event_name``, ``session_id``, ``cwd``, ``model``,
``tool_name``, ``tool_input``; deny through ``hookSpecificOutput.permissionDecision``; exit 2
blocks). File edits arrive as ``apply_patch`` with the patch in ``tool_input.command``: every
path in it counts. Codex reads files through its shell, so there is no read event to gate.
Codex 0.169 (payloads recorded from the real binary: tests/fixtures/hooks/codex/real-*.json)
adds ``turn_id`` and a ``transcript_path``, and its ``exec_command`` tool arrives as ``Bash``.
"""

from __future__ import annotations

from ringfence.hooks import claude
from ringfence.hooks.events import (
    IGNORED,
    POST_EDIT,
    POST_SHELL,
    PRE_EDIT,
    SHELL,
    HookEvent,
    require_object,
    require_text,
    text_field,
    tool_event,
)
from ringfence.hooks.patch import contains_patch, parse_patch, patch_changes

PATCH_TOOLS = ("apply_patch", "Edit", "Write")

deny, fail, allow = claude.deny, claude.fail, claude.allow


def parse(payload: dict) -> HookEvent:
    event_name = require_text(payload, "hook_event_name")
    if event_name not in (claude.PRE, claude.POST):
        return HookEvent(IGNORED, event_name=event_name)
    tool = require_text(payload, "tool_name")
    tool_input = require_object(payload, "tool_input")
    pre = event_name == claude.PRE
    event = tool_event(payload, event_name, tool)
    patch = text_field(tool_input, "command", "input", "patch")
    if (
        tool in PATCH_TOOLS
        and patch is not None
        and (tool == "apply_patch" or contains_patch(patch))
    ):
        event.kind = PRE_EDIT if pre else POST_EDIT
        event.changes = patch_changes(parse_patch(patch))
        return event
    event.kind, event.changes = claude.tool_changes(tool, tool_input, pre, event.cwd)
    if event.kind in (SHELL, POST_SHELL):
        event.command = require_text(tool_input, "command")
    return event
