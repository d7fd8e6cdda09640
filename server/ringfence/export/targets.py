"""The files ``ringfence export`` writes, and the tool names ``--tool`` accepts for them."""

from __future__ import annotations

from dataclasses import dataclass

from ringfence.errors import UsageError


@dataclass(frozen=True)
class Target:
    name: str  # the canonical --tool name
    path: str  # repository-relative file
    dialect: str  # gitignore | aiexclude | copilot | claude | opencode
    aliases: tuple[str, ...] = ()
    tool: str = ""  # who reads it, for messages
    agent: str = ""  # its tool id (ringfence/tool_ids.py) for approved tools; "" = the name itself

    @property
    def tool_id(self) -> str:
        """The id this file's tool has in the policy's approved-tools rules (docs/policy.md)."""
        return self.agent or self.name

    @property
    def names(self) -> frozenset[str]:
        return frozenset({self.name, self.path, *self.aliases})


TARGETS: tuple[Target, ...] = (
    Target("cursor", ".cursorignore", "gitignore", tool="Cursor"),
    Target(
        "gemini-code-assist",
        ".aiexclude",
        "aiexclude",
        ("aiexclude", "gemini", "android-studio"),
        tool="Gemini Code Assist and Android Studio",
        agent="gemini",
    ),
    Target(
        "jetbrains",
        ".aiignore",
        "gitignore",
        ("aiignore", "junie"),
        tool="JetBrains AI Assistant and Junie",
    ),
    Target("windsurf", ".codeiumignore", "gitignore", ("codeium",), tool="Windsurf"),
    Target("aider", ".aiderignore", "gitignore", tool="aider"),
    Target(
        "gemini-cli", ".geminiignore", "gitignore", ("gemini",), tool="Gemini CLI", agent="gemini"
    ),
    Target("continue", ".continueignore", "gitignore", tool="Continue"),
    Target("cline", ".clineignore", "gitignore", tool="Cline"),
    Target("roo", ".rooignore", "gitignore", ("roo-code",), tool="Roo Code"),
    Target("kiro", ".kiroignore", "gitignore", ("kiro-cli",), tool="Kiro"),
    Target("kilocode", ".kilocodeignore", "gitignore", ("kilo", "kilo-code"), tool="Kilo Code"),
    Target("claude-code", ".claude/settings.json", "claude", ("claude",), tool="Claude Code"),
    Target("opencode", "opencode.json", "opencode", ("opencode-ai",), tool="OpenCode"),
    Target(
        "copilot",
        "copilot-content-exclusion.yml",
        "copilot",
        ("github-copilot", "github_copilot"),
        tool="GitHub Copilot (paste into the repository's settings)",
    ),
)
BY_PATH = {t.path: t for t in TARGETS}


def select(names: list[str] | None) -> list[Target]:
    """The targets named by ``--tool`` values (comma-separated allowed; none or ``all``: all)."""
    wanted = [n.strip().lower() for value in names or [] for n in value.split(",") if n.strip()]
    if not wanted or "all" in wanted:
        return list(TARGETS)
    chosen: list[Target] = []
    for name in wanted:
        matches = [t for t in TARGETS if name in t.names]
        if not matches:
            valid = ", ".join(["all", *(t.name for t in TARGETS)])
            raise UsageError(
                f"unknown tool {name!r}; choose from {valid} (or a file name such as .cursorignore)"
            )
        chosen.extend(t for t in matches if t not in chosen)
    return [t for t in TARGETS if t in chosen]
