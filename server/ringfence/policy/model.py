"""The policy as data: zones, repository-wide settings, the in-house assistant, and decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ringfence.policy.levels import BUILTIN_LEVELS, Level

DEFAULT_TRAILER_KEYS = ("co-authored-by", "assisted-by")
DEFAULT_AI_NAMES = ("claude", "codex", "copilot", "cursor", "aider", "gemini")
DEFAULT_AI_AUTHORS = ("(aider)", "copilot-swe-agent[bot]")


@dataclass(frozen=True)
class Zone:
    """One ``[[zone]]`` table: a set of globs relative to the directory of its policy file."""

    name: str
    patterns: tuple[str, ...]
    level: str
    reason: str = ""
    owner: str = ""
    locked: bool = False
    policy_file: str = ""  # repository-relative path of the declaring file
    line: int = 0  # 1-based line of the [[zone]] header
    base: str = ""  # repository-relative directory of the declaring file ("" at the root)

    @property
    def rule(self) -> str:
        return f"{self.policy_file}:{self.line}"


@dataclass(frozen=True)
class AssistantConfig:
    """The in-house assistant a handoff goes to (SPEC §3 ``[assistant]``)."""

    name: str
    kind: str = "openai"  # openai | command | url
    endpoint: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    command: tuple[str, ...] | None = None
    url: str | None = None
    origin: str = "repository"  # repository | user (user config is trusted)
    source_file: str = ""
    line: int = 0

    def trusted_value(self) -> str | None:
        """The value that needs the user's approval before it is used (None for user config)."""
        if self.origin == "user":
            return None
        if self.kind == "command" and self.command:
            import shlex

            return shlex.join(self.command)  # unambiguous: ["sh", "-c", "a b"] != ["sh", "-c", "a", "b"]
        return {"openai": self.endpoint, "url": self.url}.get(self.kind)


@dataclass(frozen=True)
class HistorySettings:
    """Which commit trailers and authors mark AI-written history (SPEC §4 ``history``)."""

    enabled: bool = True
    trailer_keys: tuple[str, ...] = DEFAULT_TRAILER_KEYS
    ai_names: tuple[str, ...] = DEFAULT_AI_NAMES
    ai_authors: tuple[str, ...] = DEFAULT_AI_AUTHORS


@dataclass(frozen=True)
class RepoSettings:
    """Repository-wide keys, allowed only in the root policy."""

    default: str = "open"
    inhouse_tools: tuple[str, ...] = ()
    ignore_case: bool = False
    levels: dict[str, Level] = field(default_factory=lambda: dict(BUILTIN_LEVELS))
    assistant: AssistantConfig | None = None
    import_enabled: bool = True
    import_level: str = "internal"
    provenance_style: str = "trace"  # trace | comment
    auto_tag_agents: bool = True
    history: HistorySettings = field(default_factory=HistorySettings)


@dataclass
class Decision:
    """How one path is classified (SPEC §3.4), plus what the editor needs to show it."""

    path: str
    relpath: str | None
    level: Level
    zone: Zone | None
    reason: str
    owner: str
    source: str  # zone | marker | import | default
    rule: str | None
    exists: bool
    error: str | None = None  # set when the decision failed closed because of a policy error
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "level": self.level.name,
            "zone": self.zone.name if self.zone else None,
            "reason": self.reason or None,
            "owner": self.owner or None,
            "source": self.source,
            "rule": self.rule,
            "exists": self.exists,
        }
        if self.error:
            out["error"] = self.error
        return out
