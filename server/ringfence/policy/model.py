"""The policy as data: zones, repository-wide settings, the in-house assistant, and decisions."""

from __future__ import annotations

from collections import namedtuple

from ringfence.policy.levels import BUILTIN_LEVELS, Level
from ringfence.policy.record import Record
from ringfence.policy.tools import ToolRule

DEFAULT_TRAILER_KEYS = ("co-authored-by", "assisted-by")
DEFAULT_AI_NAMES = ("claude", "codex", "copilot", "cursor", "aider", "gemini")
DEFAULT_AI_AUTHORS = ("(aider)", "copilot-swe-agent[bot]")


class Zone(
    namedtuple(
        "Zone",
        "name patterns level reason owner locked policy_file line base tools",
        defaults=("", "", False, "", 0, "", None),
    )
):
    """One ``[[zone]]`` table: a set of globs relative to the directory of its policy file.

    ``patterns`` is a tuple of globs; ``policy_file`` the repository-relative path of the declaring
    file, ``line`` the 1-based line of its ``[[zone]]`` header, ``base`` the repository-relative
    directory of the declaring file ("" at the root); ``tools`` its
    :class:`~ringfence.policy.tools.ToolRule` (None: no ``tools`` / ``models`` keys).
    """

    __slots__ = ()

    @property
    def rule(self) -> str:
        return f"{self.policy_file}:{self.line}"


class AssistantConfig(
    namedtuple(
        "AssistantConfig",
        "name kind endpoint model api_key_env command url origin source_file line",
        defaults=("openai", None, None, None, None, None, "repository", "", 0),
    )
):
    """The in-house assistant a handoff goes to (docs/policy.md ``[assistant]``).

    ``kind`` is openai | command | url; ``command`` a tuple of arguments; ``origin`` is repository
    or user (the user's own config is trusted).
    """

    __slots__ = ()

    def trusted_value(self) -> str | None:
        """The value that needs the user's approval before it is used (None for user config)."""
        if self.origin == "user":
            return None
        if self.kind == "command" and self.command:
            import shlex

            return shlex.join(
                self.command
            )  # unambiguous: ["sh", "-c", "a b"] != ["sh", "-c", "a", "b"]
        return {"openai": self.endpoint, "url": self.url}.get(self.kind)


class HistorySettings(
    namedtuple(
        "HistorySettings",
        "enabled trailer_keys ai_names ai_authors",
        defaults=(True, DEFAULT_TRAILER_KEYS, DEFAULT_AI_NAMES, DEFAULT_AI_AUTHORS),
    )
):
    """Which commit trailers and authors mark AI-written history (docs/ci.md)."""

    __slots__ = ()


class RepoSettings(Record):
    """Repository-wide keys, allowed only in the root policy."""

    __slots__ = (
        "default",
        "inhouse_tools",
        "ignore_case",
        "levels",
        "assistant",
        "import_enabled",
        "import_level",
        "provenance_style",
        "auto_tag_agents",
        "history",
        "tools",
    )

    def __init__(
        self,
        *,
        default: str = "open",
        inhouse_tools: tuple[str, ...] = (),
        ignore_case: bool = False,
        levels: dict[str, Level] | None = None,
        assistant: AssistantConfig | None = None,
        import_enabled: bool = True,
        import_level: str = "internal",
        provenance_style: str = "trace",  # trace | comment
        auto_tag_agents: bool = True,
        history: HistorySettings | None = None,
        tools: ToolRule | None = None,
    ) -> None:
        self.default = default
        self.inhouse_tools = inhouse_tools
        self.ignore_case = ignore_case
        self.levels = dict(BUILTIN_LEVELS) if levels is None else levels
        self.assistant = assistant
        self.import_enabled = import_enabled
        self.import_level = import_level
        self.provenance_style = provenance_style
        self.auto_tag_agents = auto_tag_agents
        self.history = HistorySettings() if history is None else history
        self.tools = tools  # the top-level [tools] / [models]: the repository default's tool rules

    def to_json(self) -> dict:
        """Plain JSON values (the loader's on-disk cache)."""
        return {
            **{name: getattr(self, name) for name in self.__slots__},
            "levels": {name: level._asdict() for name, level in self.levels.items()},
            "assistant": None if self.assistant is None else self.assistant._asdict(),
            "history": self.history._asdict(),
            "tools": None if self.tools is None else self.tools.to_json(),
        }


class Decision(Record):
    """How one path is classified (docs/policy.md), plus what the editor needs to show it.

    ``source`` is zone | marker | import | default; ``error`` is set when the decision failed
    closed because of a policy error.
    """

    __slots__ = (
        "path",
        "relpath",
        "level",
        "zone",
        "reason",
        "owner",
        "source",
        "rule",
        "exists",
        "error",
        "notes",
        "tools",
        "tool_base",
    )

    def __init__(
        self,
        path: str,
        relpath: str | None,
        level: Level,
        zone: Zone | None,
        reason: str,
        owner: str,
        source: str,
        rule: str | None,
        exists: bool,
        error: str | None = None,
        notes: list[str] | None = None,
        tools: tuple[ToolRule, ...] = (),
        tool_base: ToolRule | None = None,
    ) -> None:
        self.path = path
        self.relpath = relpath
        self.level = level
        self.zone = zone
        self.reason = reason
        self.owner = owner
        self.source = source
        self.rule = rule
        self.exists = exists
        self.error = error
        self.notes = [] if notes is None else notes
        self.tools = tools  # the tool rules on the path's way, default first (docs/policy.md)
        self.tool_base = tool_base  # the rule of the zone (or default) that set the level

    def copy(self) -> Decision:
        """An independent copy (its own notes list)."""
        return Decision(
            self.path,
            self.relpath,
            self.level,
            self.zone,
            self.reason,
            self.owner,
            self.source,
            self.rule,
            self.exists,
            self.error,
            list(self.notes),
            self.tools,
            self.tool_base,
        )

    def to_json(self) -> dict:
        out: dict = {
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
