"""The canonical tool ids (docs/policy.md, "Approved tools"): the one table of AI tools.

Every part of ringfence names a tool by one of these ids: the hooks (``ringfence hook AGENT``),
git evidence (commit trailers, git-ai notes, Agent Trace ``ai_tool`` and ``model_id``), the
editor's ``ringfence/editOrigin`` reports, the policy's tool rules and the editor clients. Each
source's own spelling (``Claude``, ``GitHub Copilot``, ``github_copilot``, ``gemini-cli``) is
an alias mapped by :func:`canonical_tool`. The clients keep their own copies of the editor-side
names (``clients/vscode/src/origins.ts``, ``clients/neovim/lua/ringfence/integrations.lua``);
``tests/test_tool_ids.py`` fails when they disagree with this table. Core: no imports at all.
"""

from __future__ import annotations

from typing import NamedTuple


class Tool(NamedTuple):
    """One AI tool ringfence knows by name."""

    id: str  # canonical id
    name: str  # as people write it
    aliases: tuple[str, ...] = ()  # other spellings (lower case, ``-`` for spaces/underscores)
    provider: str | None = None  # Agent Trace ``model_id`` provider (``anthropic/…``)
    vscode_extensions: tuple[str, ...] = ()  # VS Code extension ids whose edits are this tool's
    neovim_clients: tuple[str, ...] = ()  # words in a Neovim inline-completion client's name


UNKNOWN = "unknown"  # an edit whose tool nobody named

TOOLS = (
    Tool(
        "claude-code",
        "Claude Code",
        ("claude", "claudecode", "anthropic"),
        provider="anthropic",
        vscode_extensions=("anthropic.claude-code",),
    ),
    Tool(
        "codex",
        "Codex",
        ("codex-cli", "openai-codex"),
        provider="openai",
        vscode_extensions=("openai.chatgpt",),
    ),
    Tool(
        "copilot",
        "GitHub Copilot",
        ("github-copilot", "githubcopilot", "copilot-cli"),
        provider="github",
        vscode_extensions=("github.copilot", "github.copilot-chat"),
        neovim_clients=("copilot",),
    ),
    Tool(
        "cursor",
        "Cursor",
        ("cursor-agent",),
        provider="cursor",
        vscode_extensions=("cursor.cursor",),
    ),
    Tool(
        "gemini",
        "Gemini",
        ("gemini-cli", "google-gemini"),
        provider="google",
        vscode_extensions=("google.geminicodeassist",),
    ),
    Tool("antigravity", "Antigravity", ("agy", "antigravity-cli", "google-antigravity")),
    Tool(
        "windsurf",
        "Windsurf",
        ("codeium", "cascade", "windsurf-cascade"),
        provider="windsurf",
        vscode_extensions=("codeium.codeium", "codeium.windsurf"),
        neovim_clients=("codeium", "windsurf"),
    ),
    Tool("kiro", "Kiro", ("kiro-cli", "amazon-q", "q-cli")),
    Tool("cline", "Cline", ("cline-cli",)),
    Tool("opencode", "opencode", ("opencode-ai", "sst-opencode")),
    Tool("aider", "aider", provider="aider"),
    Tool("supermaven", "Supermaven", neovim_clients=("supermaven",)),
    Tool(UNKNOWN, "an unnamed tool"),
)
BY_ID = {tool.id: tool for tool in TOOLS}
CANONICAL = tuple(BY_ID)
ALIASES = {alias: tool.id for tool in TOOLS for alias in (tool.id, *tool.aliases)}
PROVIDERS = {tool.id: tool.provider for tool in TOOLS if tool.provider}


def canonical_tool(name: str | None) -> str:
    """The canonical id for ``name`` (case, spaces and ``_`` do not matter: ``GitHub Copilot``,
    ``claude_code``); a name that is no alias (an in-house assistant) is returned lower-cased."""
    key = (name or "").strip().lower()
    if not key:
        return UNKNOWN
    folded = "-".join(key.replace("_", " ").split())
    return ALIASES.get(key) or ALIASES.get(folded) or key


def provider_of(tool: str) -> str:
    """The Agent Trace provider of ``tool`` (``claude-code`` -> ``anthropic``), else the id."""
    return PROVIDERS.get(tool, tool or UNKNOWN)
