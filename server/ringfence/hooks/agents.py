"""Which hook protocol each agent speaks (tool ids themselves: :mod:`ringfence.tool_ids`).

The ``AGENT`` argument of ``ringfence hook`` is the tool id that the policy's in-house check sees.
The agents with hooks (Claude Code, Codex, Gemini CLI, Copilot CLI, Cursor, Windsurf, Kiro
CLI, Cline, Antigravity CLI) speak their own protocol; any other id (an in-house assistant such as
``metacode``) speaks Claude Code's, the format Codex shares, unless ``--protocol`` says otherwise.
"""

from __future__ import annotations

from ringfence.tool_ids import canonical_tool

PROTOCOLS = (
    "claude-code",
    "codex",
    "gemini",
    "copilot",
    "cursor",
    "windsurf",
    "kiro",
    "cline",
    "antigravity",
)
DEFAULT_PROTOCOL = "claude-code"


def protocol_for(tool: str, requested: str | None = None) -> str:
    """The protocol to speak: ``requested``, else the agent's own, else Claude Code's."""
    if requested:
        protocol = canonical_tool(requested)
        if protocol not in PROTOCOLS:
            from ringfence.errors import UsageError

            raise UsageError(
                f"unknown hook protocol {requested!r}; choose one of {', '.join(PROTOCOLS)}"
            )
        return protocol
    return tool if tool in PROTOCOLS else DEFAULT_PROTOCOL
