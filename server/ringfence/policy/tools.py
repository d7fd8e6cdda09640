"""Approved tools per zone (docs/policy.md, "Approved tools"): which external tool and model
may edit or read a path, on top of the path's level.

A zone's ``tools`` / ``models`` tables (and the root policy's top-level ``[tools]`` /
``[models]``, the repository default) become one :class:`ToolRule` each. A path collects the
chain of rules on its way (the default, then the matching zone of each policy file from the
root down), and :func:`for_tool` turns the path's level into the level one tool's edit gets.
It is the one place where a level meets a tool: the language server, the hooks and ``check``
all call it through :meth:`ringfence.policy.engine.Policy.for_tool`.

Tool ids are the canonical ones of :mod:`ringfence.tool_ids` (the one tool-id table).
"""

from __future__ import annotations

from collections import namedtuple

from ringfence.policy.levels import Level, strictest


class ToolRule(
    namedtuple("ToolRule", "rule allow deny level models_deny", defaults=(None, (), (), ()))
):
    """The tool rules of one zone (or of the repository default).

    ``rule`` is where they are written (``FILE:LINE`` of the zone, or ``FILE [tools]``);
    ``allow`` None when not given, else the only tools allowed; ``level`` a tuple of
    ``(tool, level name)`` pairs; ``models_deny`` fnmatch-style globs on model ids.
    """

    __slots__ = ()

    def level_for(self, tool: str) -> str | None:
        return next((name for t, name in self.level if t == tool), None)

    def denies(self, tool: str, model: str) -> str | None:
        """Why this rule denies ``tool`` (with ``model``), or None."""
        if tool in self.deny:
            return f"{tool} is in tools.deny"
        if self.allow is not None and tool not in self.allow:
            allowed = ", ".join(self.allow) or "no tool"
            return f"{tool} is not in tools.allow ({allowed})"
        if model:
            from fnmatch import fnmatchcase

            lowered = model.lower()
            glob = next((g for g in self.models_deny if fnmatchcase(lowered, g.lower())), None)
            if glob is not None:
                return f"model {model} matches models.deny {glob!r}"
        return None

    def to_json(self) -> list:
        return [
            self.rule,
            None if self.allow is None else list(self.allow),
            list(self.deny),
            [list(pair) for pair in self.level],
            list(self.models_deny),
        ]

    @classmethod
    def from_json(cls, data: list | None) -> ToolRule | None:
        if data is None:
            return None
        rule, allow, deny, level, models = data
        return cls(
            rule,
            None if allow is None else tuple(allow),
            tuple(deny),
            tuple((t, n) for t, n in level),
            tuple(models),
        )


class ToolVerdict(namedtuple("ToolVerdict", "level rule why", defaults=(None, ""))):
    """The level one tool's edit gets: ``level`` (its ``external_edits`` / ``external_context``
    are that tool's permissions); ``rule`` the tool rule that decided (None: the level alone);
    ``why`` a short reason ("claude-code is in tools.deny")."""

    __slots__ = ()

    def to_json(self) -> dict:
        return {
            "level": self.level.name,
            "edits": self.level.external_edits,
            "context": self.level.external_context,
            "rule": self.rule,
            "why": self.why or None,
        }


def denied(level: Level) -> Level:
    """``level`` with external edits and external context denied (a tool not approved there)."""
    return level._replace(external_edits="deny", external_context="deny")


def for_tool(
    level: Level,
    chain: tuple[ToolRule, ...],
    base: ToolRule | None,
    raised: bool,
    tool: str,
    model: str,
    levels: dict[str, Level],
) -> ToolVerdict:
    """The level an external ``tool``'s edit gets where the path's level is ``level``.

    ``chain``: the tool rules on the path's way; ``base``: the rule of the zone (or default)
    that set the level; ``raised``: a marker or an import raised the level above that zone's.
    Precedence is "raise only": any rule of the chain may deny the tool, only the deciding
    zone's per-tool level may lower the level for that tool, and the others only raise it.
    """
    for rule in chain:
        why = rule.denies(tool, model)
        if why is not None:
            return ToolVerdict(denied(level), rule.rule, why)
    effective, decided, why = level, None, ""
    own = base.level_for(tool) if base is not None else None
    if base is not None and own is not None and own in levels:
        effective = strictest(levels[own], level) if raised else levels[own]
        decided, why = base.rule, f"tools.level {tool} = {own!r}"
    for rule in chain:
        name = rule.level_for(tool) if rule is not base else None
        if name is not None and name in levels and levels[name].rank > effective.rank:
            effective, decided, why = levels[name], rule.rule, f"tools.level {tool} = {name!r}"
    return ToolVerdict(effective, decided, why)
