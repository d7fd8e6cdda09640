"""Tool ids (docs/policy.md, Approved tools) and which hook protocol each agent speaks.

The ``AGENT`` argument of ``ringfence hook`` is the tool id that the policy's in-house check sees.
The agents with hooks (Claude Code, Codex, Gemini CLI, Copilot CLI, Cursor, Windsurf, Kiro
CLI, Cline, Antigravity CLI) speak their own protocol; any other id (an in-house assistant such as
``metacode``) speaks Claude Code's, the format Codex shares, unless ``--protocol`` says otherwise.
"""

from __future__ import annotations

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
CANONICAL = (
    "claude-code",
    "codex",
    "copilot",
    "cursor",
    "gemini",
    "antigravity",
    "windsurf",
    "kiro",
    "cline",
    "opencode",
    "aider",
    "unknown",
)
DEFAULT_PROTOCOL = "claude-code"

_ALIASES = {
    "claude": "claude-code",
    "claude_code": "claude-code",
    "claudecode": "claude-code",
    "anthropic": "claude-code",
    "github_copilot": "copilot",
    "github-copilot": "copilot",
    "copilot-cli": "copilot",
    "copilot_cli": "copilot",
    "githubcopilot": "copilot",
    "gemini-cli": "gemini",
    "gemini_cli": "gemini",
    "google-gemini": "gemini",
    "agy": "antigravity",
    "antigravity-cli": "antigravity",
    "google-antigravity": "antigravity",
    "codex-cli": "codex",
    "codex_cli": "codex",
    "openai-codex": "codex",
    "cursor-agent": "cursor",
    "cursor_agent": "cursor",
    "codeium": "windsurf",
    "cascade": "windsurf",
    "windsurf-cascade": "windsurf",
    "kiro-cli": "kiro",
    "kiro_cli": "kiro",
    "amazon-q": "kiro",
    "q-cli": "kiro",
    "cline-cli": "cline",
    "opencode-ai": "opencode",
    "sst-opencode": "opencode",
}


def canonical_tool(name: str) -> str:
    """The canonical id for ``name``: aliases (``Copilot``, ``claude``) mapped, case-insensitive."""
    key = name.strip().lower()
    return _ALIASES.get(key, key) or "unknown"


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
