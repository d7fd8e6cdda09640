"""Reading and validating policy files (docs/policy.md) into zones and repository settings.

Every problem becomes a :class:`PolicyError` located at ``FILE:LINE:COL``; the loader collects
all of them instead of stopping at the first, so the editor can mark each offending line.
"""

from __future__ import annotations

import functools
import json
import os
import re

from ringfence import toml
from ringfence.errors import PolicyError
from ringfence.lazylog import LazyLogger
from ringfence.policy import cache
from ringfence.policy.globs import glob_problem
from ringfence.policy.levels import BUILTIN_LEVELS, PERMISSIONS, Level
from ringfence.policy.model import AssistantConfig, HistorySettings, RepoSettings, Zone
from ringfence.policy.record import Record
from ringfence.policy.toml_positions import KeyPositions
from ringfence.policy.tools import ToolRule

TYPE_CHECKING = False  # typing itself costs a hook ~3 ms to import
if TYPE_CHECKING:
    from typing import Any

ROOT_KEYS = {
    "version",
    "default",
    "inhouse-tools",
    "ignore-case",
    "levels",
    "assistant",
    "import",
    "provenance",
    "history",
    "zone",
    "tools",
    "models",
}
NESTED_KEYS = {"version", "zone"}
ZONE_KEYS = {"name", "path", "level", "reason", "owner", "locked", "tools", "models"}
TOOLS_KEYS = {"allow", "deny", "level"}
MODELS_KEYS = {"deny"}
ASSISTANT_KEYS = {"name", "kind", "endpoint", "model", "api-key-env", "command", "url"}
ASSISTANT_KINDS = ("openai", "command", "url")
IMPORT_KEYS = {"enabled", "level"}
PROVENANCE_KEYS = {"style", "auto-tag-agents"}
PROVENANCE_STYLES = ("trace", "comment")
HISTORY_KEYS = {"enabled", "trailer-keys", "ai-names", "ai-authors"}
LEVEL_KEYS = {"rank", "external-edits", "inhouse-edits", "external-context"}

log = LazyLogger(__name__)
_CACHE_MIN_BYTES = 0  # cache every policy file: a warm start imports neither tomllib nor pathspec
# Patterns, not compiled expressions: ``re`` compiles each on first use (most runs need none).
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_TOOL_TABLE = r"(?m)^\s*\[+\s*tool\s*\.\s*ringfence\b|^\s*tool\s*\.\s*ringfence\b"
_ZONE_HEADER = r"""(?m)^[ \t]*\[\[[ \t]*(?:zone|"zone"|'zone')[ \t]*\]\]"""
_ZONE_HEADER_PYPROJECT = (
    r"(?m)^[ \t]*\[\[[ \t]*tool[ \t]*\.[ \t]*ringfence[ \t]*\.[ \t]*zone[ \t]*\]\]"
)
_TOML_POSITION = r"\s*\(at line (\d+), column (\d+)\)\s*$"


class ParsedPolicy(Record):
    """One policy file after validation.

    ``settings`` only for the root policy; ``present`` is False for a pyproject.toml without
    ``[tool.ringfence]``.
    """

    __slots__ = ("relpath", "base", "zones", "settings", "errors", "present", "warnings")

    def __init__(
        self,
        relpath: str,
        base: str,
        zones: list[Zone] | None = None,
        settings: RepoSettings | None = None,
        errors: list[PolicyError] | None = None,
        present: bool = True,
        warnings: list[str] | None = None,
    ) -> None:
        self.relpath = relpath
        self.base = base
        self.zones = [] if zones is None else zones
        self.settings = settings
        self.errors = [] if errors is None else errors
        self.present = present
        self.warnings = [] if warnings is None else warnings


class _Checker:
    """Type and key checks that record located errors instead of raising.

    Key positions are found only when needed (an error, the assistant): a valid file costs
    one quick scan for its ``[[zone]]`` headers.
    """

    def __init__(self, relpath: str, text: str, prefix: tuple[str, ...] = ()) -> None:
        self.relpath = relpath
        self.text = text
        self.prefix = prefix
        self.errors: list[PolicyError] = []
        self._positions: KeyPositions | None = None
        self._zone_lines: list[int] | None = None

    @property
    def positions(self) -> KeyPositions:
        if self._positions is None:
            self._positions = KeyPositions(self.text, self.prefix)
        return self._positions

    def zone_line(self, index: int, count: int) -> int:
        """The 1-based line of the ``index``-th of ``count`` ``[[zone]]`` headers."""
        if self._zone_lines is None:
            self._zone_lines = []
            if (
                '"""' not in self.text and "'''" not in self.text
            ):  # no multi-line string hides a header
                header = _ZONE_HEADER_PYPROJECT if self.prefix else _ZONE_HEADER
                line, offset = 1, 0
                for match in re.finditer(header, self.text):
                    line += self.text.count("\n", offset, match.start())
                    offset = match.start()
                    self._zone_lines.append(line)
        if len(self._zone_lines) == count:
            return self._zone_lines[index]
        return self.positions.find(("zone", index))[0]

    def error(self, path: tuple, message: str) -> None:
        line, col = self.positions.find(path)
        self.errors.append(PolicyError(message, self.relpath, line, col))

    def keys(self, table: dict, allowed: set[str], path: tuple, what: str) -> None:
        for key in table:
            if key not in allowed:
                hint = _close(key, sorted(allowed), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.error((*path, key), f"unknown key {key!r} in {what}{suggestion}")

    def typed(self, table: dict, key: str, kind: type | tuple, path: tuple, what: str) -> Any:
        value = table.get(key)
        if value is None:
            return None
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            expected = {str: "a string", bool: "true or false", int: "an integer", list: "an array"}
            name = (
                expected.get(kind, "a table") if isinstance(kind, type) else "a string or an array"
            )
            self.error((*path, key), f"{what}.{key} must be {name}, not {type(value).__name__}")
            return None
        return value

    def choice(self, table: dict, key: str, choices, path: tuple, what: str) -> str | None:
        value = self.typed(table, key, str, path, what)
        if value is not None and value not in choices:
            hint = _close(value, list(choices), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.error(
                (*path, key),
                f"{what}.{key}: unknown value {value!r}; expected one of "
                f"{', '.join(choices)}{suggestion}",
            )
            return None
        return value

    def strings(self, table: dict, key: str, path: tuple, what: str) -> tuple[str, ...] | None:
        value = self.typed(table, key, list, path, what)
        if value is None:
            return None
        if not all(isinstance(v, str) for v in value):
            self.error((*path, key), f"{what}.{key} must be an array of strings")
            return None
        return tuple(value)


def _close(word: str, choices, n: int = 1) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, list(choices), n=n)


def toml_error(exc: ValueError, relpath: str) -> PolicyError:
    message = str(exc)
    match = re.search(_TOML_POSITION, message)
    if match:
        return PolicyError(
            f"TOML syntax: {message[: match.start()]}",
            relpath,
            int(match.group(1)),
            int(match.group(2)),
        )
    return PolicyError(f"TOML syntax: {message}", relpath, 1, 1)


def parse_policy(
    text: str,
    relpath: str,
    base: str,
    *,
    is_root: bool,
    levels: dict[str, Level] | None = None,
    pyproject: bool = False,
    submodule: bool = False,
) -> ParsedPolicy:
    """Validate one policy file; ``levels`` are the root's levels when parsing a nested file.

    ``submodule``: a nested file at the root of a submodule (or nested repository). Its
    repository-wide keys are its own repository's business: they are ignored with a warning.
    """
    result = ParsedPolicy(relpath, base)
    data: Any
    try:
        data = toml.loads(text)  # imported on first use: a warm start reads the cache
    except ValueError as exc:
        if pyproject and not re.search(_TOOL_TABLE, text):
            result.present = False  # a broken pyproject.toml that holds no policy
        else:
            result.errors.append(toml_error(exc, relpath))
        return result
    prefix: tuple[str, ...] = ()
    if pyproject:
        data = data.get("tool", {}).get("ringfence") if isinstance(data.get("tool"), dict) else None
        if data is None:
            result.present = False
            return result
        prefix = ("tool", "ringfence")
        if not isinstance(data, dict):
            result.errors.append(PolicyError("[tool.ringfence] must be a table", relpath, 1, 1))
            return result
    check = _Checker(relpath, text, prefix)
    _check_version(check, data)
    if is_root:
        check.keys(data, ROOT_KEYS, (), "the policy")
        result.settings = _settings(check, data)
        levels = result.settings.levels
    else:
        for key in data:
            if key in ROOT_KEYS - NESTED_KEYS and submodule:
                line, col = check.positions.find((key,))
                result.warnings.append(
                    f"{relpath}:{line}:{col}: {key!r} ignored: a submodule's "
                    "repository-wide keys do not apply inside the superproject"
                )
            elif key in ROOT_KEYS - NESTED_KEYS:
                check.error((key,), f"{key!r} is repository-wide: only the root policy may set it")
            elif key not in NESTED_KEYS:
                hint = _close(key, sorted(NESTED_KEYS), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                check.error((key,), f"unknown key {key!r} in a nested policy{suggestion}")
    result.zones = _zones(check, data, levels or BUILTIN_LEVELS, relpath, base)
    result.errors = check.errors
    return result


def _check_version(check: _Checker, data: dict) -> None:
    version = data.get("version")
    if version is None:
        check.error((), "missing required key 'version' (add: version = 1)")
    elif version != 1 or isinstance(version, bool):
        check.error(
            ("version",), f"unsupported policy version {version!r}; this ringfence reads version 1"
        )


def _settings(check: _Checker, data: dict) -> RepoSettings:
    levels = _levels(check, data.get("levels"))
    default = check.choice(data, "default", levels, (), "policy") or "open"
    inhouse = check.strings(data, "inhouse-tools", (), "policy") or ()
    ignore_case = check.typed(data, "ignore-case", bool, (), "policy") or False
    imports = _table(check, data, "import", IMPORT_KEYS)
    provenance = _table(check, data, "provenance", PROVENANCE_KEYS)
    history = _table(check, data, "history", HISTORY_KEYS)
    enabled = check.typed(imports, "enabled", bool, ("import",), "import")
    auto_tag = check.typed(provenance, "auto-tag-agents", bool, ("provenance",), "provenance")
    history_enabled = check.typed(history, "enabled", bool, ("history",), "history")
    defaults = HistorySettings()
    return RepoSettings(
        default=default,
        inhouse_tools=tuple(t.lower() for t in inhouse),
        ignore_case=ignore_case,
        levels=levels,
        assistant=_assistant(check, data.get("assistant"), "repository"),
        import_enabled=True if enabled is None else enabled,
        import_level=check.choice(imports, "level", levels, ("import",), "import") or "internal",
        provenance_style=check.choice(
            provenance, "style", PROVENANCE_STYLES, ("provenance",), "provenance"
        )
        or "trace",
        auto_tag_agents=True if auto_tag is None else auto_tag,
        tools=_tool_rule(check, data, (), levels, f"{check.relpath} [tools]"),
        history=HistorySettings(
            enabled=True if history_enabled is None else history_enabled,
            trailer_keys=tuple(
                k.lower()
                for k in check.strings(history, "trailer-keys", ("history",), "history")
                or defaults.trailer_keys
            ),
            ai_names=tuple(
                n.lower()
                for n in check.strings(history, "ai-names", ("history",), "history")
                or defaults.ai_names
            ),
            ai_authors=tuple(
                a.lower()
                for a in check.strings(history, "ai-authors", ("history",), "history")
                or defaults.ai_authors
            ),
        ),
    )


def _table(check: _Checker, data: dict, key: str, allowed: set[str]) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        check.error((key,), f"[{key}] must be a table")
        return {}
    check.keys(value, allowed, (key,), f"[{key}]")
    return value


def _levels(check: _Checker, table: Any) -> dict[str, Level]:
    levels = dict(BUILTIN_LEVELS)
    if table is None:
        return levels
    if not isinstance(table, dict):
        check.error(("levels",), "[levels] must be a table of level tables")
        return levels
    custom: list[Level] = []
    for name, spec in table.items():
        path = ("levels", name)
        if name in BUILTIN_LEVELS:
            check.error(path, f"level name {name!r} is built in and reserved")
            continue
        if not isinstance(spec, dict):
            check.error(path, f"[levels.{name}] must be a table")
            continue
        check.keys(spec, LEVEL_KEYS, path, f"[levels.{name}]")
        missing = [k for k in sorted(LEVEL_KEYS) if k not in spec]
        if missing:
            check.error(path, f"[levels.{name}] is missing {', '.join(missing)}")
            continue
        rank = check.typed(spec, "rank", int, path, f"levels.{name}")
        perms = [
            check.choice(spec, k, PERMISSIONS, path, f"levels.{name}")
            for k in ("external-edits", "inhouse-edits", "external-context")
        ]
        if rank is None or None in perms:
            continue
        clash = next((lv for lv in (*BUILTIN_LEVELS.values(), *custom) if lv.rank == rank), None)
        if clash is not None:
            check.error(
                (*path, "rank"),
                f"level rank clash: {name!r} and {clash.name!r} both have rank {rank}",
            )
            continue
        custom.append(Level(name, rank, *perms))
    for level in custom:
        for other in (*BUILTIN_LEVELS.values(), *custom):
            lower, higher = sorted((level, other), key=lambda lv: lv.rank)
            if lower is higher or higher.at_least_as_strict_as(lower):
                continue
            weaker = higher.weaker_attributes(lower)
            check.error(
                ("levels", level.name, "rank"),
                f"level {higher.name!r} (rank {higher.rank}) is less strict than {lower.name!r} "
                f"(rank {lower.rank}) in {', '.join(weaker)}: "
                "a higher rank must be at least as strict",
            )
            break
        else:
            levels[level.name] = level
    return levels


def _assistant(check: _Checker, table: Any, origin: str) -> AssistantConfig | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        check.error(("assistant",), "[assistant] must be a table")
        return None
    path = ("assistant",)
    check.keys(table, ASSISTANT_KEYS, path, "[assistant]")
    name = check.typed(table, "name", str, path, "assistant")
    if not name:
        check.error(path, "[assistant] needs a name (the in-house tool id)")
        return None
    kind = check.choice(table, "kind", ASSISTANT_KINDS, path, "assistant") or "openai"
    command = table.get("command")
    if isinstance(command, str):
        command = [command]
    if command is not None and not (
        isinstance(command, list) and command and all(isinstance(c, str) for c in command)
    ):
        check.error((*path, "command"), "assistant.command must be a non-empty array of strings")
        command = None
    key_env = check.typed(table, "api-key-env", str, path, "assistant")
    if key_env is not None and not re.match(_ENV_NAME, key_env):
        check.error(
            (*path, "api-key-env"),
            "assistant.api-key-env must name an environment variable, never hold the key itself",
        )
        key_env = None
    config = AssistantConfig(
        name=name.lower(),
        kind=kind,
        endpoint=check.typed(table, "endpoint", str, path, "assistant"),
        model=check.typed(table, "model", str, path, "assistant"),
        api_key_env=key_env,
        command=tuple(command) if command else None,
        url=check.typed(table, "url", str, path, "assistant"),
        origin=origin,
        source_file=check.relpath,
        line=check.positions.find(path)[0],
    )
    needed = {
        "openai": ("endpoint", config.endpoint),
        "command": ("command", config.command),
        "url": ("url", config.url),
    }[kind]
    if not needed[1]:
        check.error(path, f"assistant kind {kind!r} needs '{needed[0]}'")
        return None
    return config


def _zones(
    check: _Checker, data: dict, levels: dict[str, Level], relpath: str, base: str
) -> list[Zone]:
    raw = data.get("zone", [])
    if not isinstance(raw, list):
        check.error(("zone",), "zones are written as [[zone]] tables")
        return []
    zones = []
    for index, table in enumerate(raw):
        path = ("zone", index)
        if not isinstance(table, dict):
            check.error(path, "each [[zone]] must be a table")
            continue
        before = len(check.errors)
        check.keys(table, ZONE_KEYS, path, "[[zone]]")
        name = check.typed(table, "name", str, path, "zone")
        if not name:
            check.error(path, "[[zone]] needs a name")
        patterns = table.get("path")
        if isinstance(patterns, str):
            patterns = [patterns]
        if (
            not isinstance(patterns, list)
            or not patterns
            or not all(isinstance(p, str) for p in patterns)
        ):
            check.error(
                (*path, "path"),
                f"zone {name or index + 1}: path must be a glob or a non-empty array of globs",
            )
            patterns = []
        for pattern in patterns:
            problem = glob_problem(pattern)
            if problem:
                check.error((*path, "path"), f"zone {name!r}: {problem}")
        level = check.typed(table, "level", str, path, "zone")
        if level is None:
            check.error(path, f"zone {name!r} needs a level")
        elif level not in levels:
            hint = _close(level, list(levels), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            check.error((*path, "level"), f"zone {name!r}: unknown level {level!r}{suggestion}")
        reason = check.typed(table, "reason", str, path, "zone") or ""
        owner = check.typed(table, "owner", str, path, "zone") or ""
        locked = check.typed(table, "locked", bool, path, "zone") or False
        tools = _tool_rule(check, table, path, levels, "")
        if len(check.errors) == before:
            line = check.zone_line(index, len(raw))
            if tools is not None:
                tools = tools._replace(rule=f"{relpath}:{line}")
            zones.append(
                Zone(
                    name, tuple(patterns), level, reason, owner, locked, relpath, line, base, tools
                )
            )
    return zones


def _tool_rule(
    check: _Checker, table: dict, path: tuple, levels: dict[str, Level], rule: str
) -> ToolRule | None:
    """The ``tools`` / ``models`` tables of a zone or of the root policy (None: neither given)."""
    if "tools" not in table and "models" not in table:
        return None
    tools = _subtable(check, table, "tools", TOOLS_KEYS, path)
    models = _subtable(check, table, "models", MODELS_KEYS, path)
    allow = _tool_ids(check, tools, "allow", (*path, "tools"))
    deny = _tool_ids(check, tools, "deny", (*path, "tools")) or ()
    overrides = []
    raw = tools.get("level", {})
    if not isinstance(raw, dict):
        check.error((*path, "tools", "level"), 'tools.level must be a table of tool = "level"')
        raw = {}
    for tool, name in raw.items():
        if _tool_id_problem(check, tool, (*path, "tools", "level", tool)):
            continue
        if not isinstance(name, str) or name not in levels:
            hint = _close(str(name), list(levels), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            check.error(
                (*path, "tools", "level", tool),
                f"tools.level.{tool}: unknown level {name!r}{suggestion}",
            )
            continue
        overrides.append((tool, name))
    globs = check.strings(models, "deny", (*path, "models"), "models") or ()
    return ToolRule(rule, allow, deny, tuple(overrides), globs)


def _subtable(check: _Checker, table: dict, key: str, allowed: set[str], path: tuple) -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        check.error((*path, key), f"{key} must be a table (write {key}.{sorted(allowed)[0]} = ...)")
        return {}
    check.keys(value, allowed, (*path, key), key)
    return value


def _tool_ids(check: _Checker, table: dict, key: str, path: tuple) -> tuple[str, ...] | None:
    ids = check.strings(table, key, path, "tools")
    if ids is None:
        return None
    return tuple(t for t in ids if not _tool_id_problem(check, t, (*path, key)))


def _tool_id_problem(check: _Checker, tool: str, path: tuple) -> bool:
    """Record an error for a tool id that is not canonical (with a did-you-mean); True if so."""
    from ringfence.tool_ids import CANONICAL, canonical_tool

    if tool in CANONICAL:
        return False
    alias = canonical_tool(tool)
    hint = [alias] if alias in CANONICAL else _close(tool, CANONICAL, n=1)
    suggestion = f" (did you mean {hint[0]!r}?)" if hint else f"; tool ids: {', '.join(CANONICAL)}"
    check.error(path, f"unknown tool id {tool!r}{suggestion}")
    return True


def parse_policy_cached(
    text: str,
    relpath: str,
    base: str,
    *,
    is_root: bool,
    levels: dict[str, Level] | None = None,
    pyproject: bool = False,
    submodule: bool = False,
) -> ParsedPolicy:
    """:func:`parse_policy`, reusing the validated result of a large policy file seen before.

    Keyed by the file's text, where it sits, the root's levels and this code itself, so a
    changed file or a changed ringfence never sees a stale result. Files with errors are never
    cached.
    """

    def parse() -> ParsedPolicy:
        return parse_policy(
            text,
            relpath,
            base,
            is_root=is_root,
            levels=levels,
            pyproject=pyproject,
            submodule=submodule,
        )

    if len(text) < _CACHE_MIN_BYTES:
        return parse()
    levels_key = json.dumps({n: lv._asdict() for n, lv in (levels or {}).items()}, sort_keys=True)
    parts = (
        "ringfence-policy-3",
        _code_stamp(),
        relpath,
        base,
        str(is_root),
        str(pyproject),
        str(submodule),
        levels_key,
        text,
    )  # the entry is bound to all of them (cache.py)
    payload = cache.read("policies", *parts)
    if payload is not None:
        try:
            return _revive(json.loads(payload))
        except (ValueError, KeyError, TypeError) as exc:
            log.debug("cached policy for %s unusable: %s", relpath, exc)
    parsed = parse()
    if not parsed.errors:
        cache.write("policies", json.dumps(_plain(parsed)).encode(), *parts)
    return parsed


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """Size and modification time of the code that validates policies."""
    here = os.path.dirname(__file__)
    stamps = []
    for name in ("loader.py", "globs.py", "model.py", "levels.py", "toml_positions.py", "tools.py"):
        info = os.stat(os.path.join(here, name))
        stamps.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(stamps)


def _plain(parsed: ParsedPolicy) -> dict:
    return {
        "relpath": parsed.relpath,
        "base": parsed.base,
        "present": parsed.present,
        "warnings": parsed.warnings,
        "zones": [
            [
                z.name,
                list(z.patterns),
                z.level,
                z.reason,
                z.owner,
                z.locked,
                z.policy_file,
                z.line,
                z.base,
                None if z.tools is None else z.tools.to_json(),
            ]
            for z in parsed.zones
        ],
        "settings": None if parsed.settings is None else parsed.settings.to_json(),
    }


def _revive(data: dict) -> ParsedPolicy:
    zones = [
        Zone(
            name,
            tuple(patterns),
            level,
            reason,
            owner,
            locked,
            policy_file,
            line,
            base,
            ToolRule.from_json(tools),
        )
        for name, patterns, level, reason, owner, locked, policy_file, line, base, tools in data[
            "zones"
        ]
    ]
    settings = None
    if data["settings"] is not None:
        raw = data["settings"]
        assistant = raw["assistant"]
        if assistant is not None:
            command = assistant["command"]
            assistant = AssistantConfig(
                **{**assistant, "command": tuple(command) if command else None}
            )
        settings = RepoSettings(
            default=raw["default"],
            inhouse_tools=tuple(raw["inhouse_tools"]),
            ignore_case=raw["ignore_case"],
            levels={name: Level(**level) for name, level in raw["levels"].items()},
            assistant=assistant,
            import_enabled=raw["import_enabled"],
            import_level=raw["import_level"],
            provenance_style=raw["provenance_style"],
            auto_tag_agents=raw["auto_tag_agents"],
            tools=ToolRule.from_json(raw["tools"]),
            history=HistorySettings(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in raw["history"].items()}
            ),
        )
    return ParsedPolicy(
        data["relpath"], data["base"], zones, settings, [], data["present"], data["warnings"]
    )


def parse_user_assistant(
    text: str, relpath: str
) -> tuple[AssistantConfig | None, list[PolicyError]]:
    """The ``[assistant]`` of the user's own config file (trusted; wins over the repository's)."""
    try:
        data = toml.loads(text)  # imported on first use: a warm start reads the cache
    except ValueError as exc:
        return None, [toml_error(exc, relpath)]
    check = _Checker(relpath, text)
    check.keys(data, {"assistant"}, (), "the user config")
    return _assistant(check, data.get("assistant"), "user"), check.errors
