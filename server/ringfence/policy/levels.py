"""Levels: named bundles of who may write and who may read, ranked: "raise" means "stricter"."""

from __future__ import annotations

from collections import namedtuple

PERMISSIONS = ("allow", "tag", "deny")
_STRICTNESS = {name: i for i, name in enumerate(PERMISSIONS)}
ATTRIBUTES = ("external_edits", "inhouse_edits", "external_context")


class Level(namedtuple("Level", "name rank external_edits inhouse_edits external_context")):
    """A named level: its strictness rank and the three permissions (allow | tag | deny)."""

    __slots__ = ()

    def edits(self, inhouse: bool) -> str:
        """The permission for an AI edit by an in-house or an external tool."""
        return self.inhouse_edits if inhouse else self.external_edits

    def at_least_as_strict_as(self, other: Level) -> bool:
        return all(
            _STRICTNESS[getattr(self, a)] >= _STRICTNESS[getattr(other, a)] for a in ATTRIBUTES
        )

    def weaker_attributes(self, other: Level) -> list[str]:
        """The attributes (policy-file spelling) where this level is less strict than ``other``."""
        return [
            a.replace("_", "-")
            for a in ATTRIBUTES
            if _STRICTNESS[getattr(self, a)] < _STRICTNESS[getattr(other, a)]
        ]

    def attributes(self) -> dict[str, str]:
        return {
            "externalEdits": self.external_edits,
            "inhouseEdits": self.inhouse_edits,
            "externalContext": self.external_context,
        }


BUILTIN_LEVELS: dict[str, Level] = {
    "open": Level("open", 0, "allow", "allow", "allow"),
    "tagged": Level("tagged", 10, "tag", "allow", "allow"),
    "internal": Level("internal", 20, "deny", "tag", "deny"),
    "human-only": Level("human-only", 30, "deny", "deny", "deny"),
}

OPEN = BUILTIN_LEVELS["open"]
INTERNAL = BUILTIN_LEVELS["internal"]


def strictest(a: Level, b: Level) -> Level:
    return b if b.rank > a.rank else a


def stricter_of(a: Level, b: Level) -> Level:
    """A level at least as strict as both: one of them when it is, else their attribute-wise
    maximum (levels of two repositories need not be ranked against each other)."""
    if a.at_least_as_strict_as(b) and a.rank >= b.rank:
        return a
    if b.at_least_as_strict_as(a):
        return b
    if a.at_least_as_strict_as(b):
        return a
    high = a if a.rank >= b.rank else b
    worst = [max(getattr(a, n), getattr(b, n), key=_STRICTNESS.__getitem__) for n in ATTRIBUTES]
    return Level(high.name, high.rank, *worst)
