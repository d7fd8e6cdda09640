"""Editor settings (docs/lsp.md): they tune detection, never the policy."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

log = logging.getLogger(__name__)

GRACE_SECONDS = 0.3  # how long a client has to report the origin of a large insertion


@dataclass(frozen=True)
class Settings:
    heuristics_enabled: bool = True
    heuristics_min_lines: int = 3
    heuristics_min_chars: int = 120
    history_enabled: bool = True


_KEYS = {
    "heuristics.enabled": ("heuristics_enabled", bool),
    "heuristics.minLines": ("heuristics_min_lines", int),
    "heuristics.minChars": ("heuristics_min_chars", int),
    "history.enabled": ("history_enabled", bool),
}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"heuristics": {"minLines": 4}}`` and ``{"heuristics.minLines": 4}`` alike."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(item, dict):
                out.update(_flatten(item, name))
            else:
                out[name] = item
    return out


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client payload (with or without the ``ringfence`` key); bad values are
    reported and ignored, keeping ``base``."""
    settings = base or Settings()
    if isinstance(raw, dict) and isinstance(raw.get("ringfence"), dict):
        raw = raw["ringfence"]
    problems: list[str] = []
    if raw is None:
        return settings, problems
    if not isinstance(raw, dict):
        return settings, [f"ringfence settings must be an object, not {type(raw).__name__}"]
    for key, value in _flatten(raw).items():
        if key not in _KEYS:
            continue
        field, kind = _KEYS[key]
        if value is None:
            continue
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            problems.append(f"ringfence.{key} must be a positive integer, not {value!r}")
        elif kind is bool and not isinstance(value, bool):
            problems.append(f"ringfence.{key} must be true or false, not {value!r}")
        else:
            settings = replace(settings, **{field: value})
    return settings, problems
