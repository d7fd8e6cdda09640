"""The policy flattened into one ordered, last-match-wins list of root-anchored globs.

Exports cannot express the policy's precedence (deepest file wins, locked floors, imports and
markers only raise), but a flat gitignore list read top to bottom can, when it is built in that
order: the default level first, then each policy file's zones from the root down (a deeper
file's patterns are anchored inside its directory, so coming later makes them win), then what
imported ignore files and header markers raise. A zone whose level allows what the export is
about becomes a carve-out (``deny=False``) only where it re-opens something denied before it.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ringfence.export.patterns import (
    anchor,
    contains,
    file_level,
    literal,
    may_overlap,
    prefix_of,
    restrict,
)
from ringfence.policy import Level, Policy, Zone
from ringfence.policy.comments import comment_syntax
from ringfence.policy.globs import GlobError, translate
from ringfence.policy.imports import IGNORE_FILES, NO_NEGATION, hand_written_lines
from ringfence.policy.markers import HEADER_LINES, MARKER_WORD

HEAD_BYTES = 8192

Denies = Callable[[Level], bool]


def context_denied(level: Level) -> bool:
    return level.external_context == "deny"


def edits_denied(level: Level) -> bool:
    return level.external_edits == "deny"


@dataclass(frozen=True)
class Rule:
    """One line of the flat list: a canonical glob that excludes (deny) or re-opens paths."""

    pattern: str
    deny: bool
    what: str  # where it comes from: "zone 'x' (internal)", "imported from .cursorignore", ...
    rule: str  # FILE:LINE of the deciding policy line
    exact: bool = False  # the pattern names one existing file (listed for its header marker)
    fixed: int = 0  # leading characters naming a real directory: never case-folded
    floor: str = ""  # for a restored locked floor: the floor's own pattern

    def files(self) -> list[str]:
        """Patterns covering the same files without relying on a directory's exclusion."""
        return [self.pattern] if self.exact else file_level(self.pattern)

    @property
    def label(self) -> str:
        """The comment written above the rule's lines."""
        if self.what.startswith("zone "):
            return f"{self.what} in {self.rule.rsplit(':', 1)[0]}"
        return self.what


@dataclass
class RuleSet:
    """What every export is built from: paths closed to external context, and to external edits."""

    context: list[Rule]
    edits: list[Rule]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Floor:
    """A locked zone's pattern: deeper policy files cannot lower the paths it decides."""

    zone: Zone
    base: str
    pattern: str
    # later patterns of its own file that decide instead (where one matches, there is no floor)
    takeovers: tuple[str, ...]


def build(
    policy: Policy,
    files: list[str] | None = None,
    texts: Mapping[str, str] | None = None,
    tool: str | None = None,
) -> RuleSet:
    """Flatten ``policy`` (already free of errors); ``files`` lists the repository's files,
    ``texts`` holds unsaved editor text of ignore files (by repository-relative path).

    ``tool``: the tool id the export is for; the policy's approved-tools rules then decide
    each zone for that tool (docs/policy.md, "Approved tools"); None: the levels alone."""
    policy.discover_all()
    files = repository_files(policy.root) if files is None else files
    marked = _header_marked(policy, files)
    warnings: list[str] = []
    texts = texts or {}
    context = _flatten(policy, context_denied, files, marked, texts, warnings, tool)
    edits = _flatten(policy, edits_denied, files, marked, texts, [], tool)
    return RuleSet(context, edits, list(dict.fromkeys(warnings)))


def _flatten(
    policy: Policy,
    denies: Denies,
    files: list[str],
    marked,
    texts: Mapping[str, str],
    warnings: list[str],
    tool: str | None = None,
) -> list[Rule]:
    rules: list[Rule] = []
    default = policy.level(policy.settings.default)
    if denies(_default_for_tool(policy, default, tool)):
        rules.append(
            Rule("/**", True, f"default level {default.name!r}", policy.root_file or "default")
        )
    floors: list[_Floor] = []
    for parsed in policy.policy_files():
        above = [f for f in floors if _below(parsed.base, f.base)]
        for zone in parsed.zones:
            level = policy.level(zone.level)
            label = f"zone {zone.name!r} ({level.name})"
            for_tool = policy.zone_for_tool(zone, tool).level if tool else level
            if denies(for_tool) and not denies(level):
                label = f"zone {zone.name!r} ({level.name}; {tool} not approved)"
            for raw in zone.patterns:
                pattern = anchor(raw, parsed.base)
                fixed = len(prefix_of(parsed.base))
                if denies(for_tool):
                    rules.append(Rule(pattern, True, label, zone.rule, fixed=fixed))
                else:
                    carve = Rule(pattern, False, label, zone.rule, fixed=fixed)
                    rules.extend(_carve_out(policy, carve, parsed.base, rules, above, warnings))
        floors.extend(_floors(policy, parsed.base, parsed.zones, denies))
    rules.extend(_imported(policy, denies, files, texts, warnings))
    rules.extend(
        Rule(literal(rel), True, "header markers", rule, exact=True, fixed=len(literal(rel)))
        for rel, rule, level in marked
        if denies(level)
    )
    return rules


def _default_for_tool(policy: Policy, default: Level, tool: str | None) -> Level:
    """The default level as ``tool`` gets it (the root policy's [tools] / [models])."""
    if not tool or policy.settings.tools is None:
        return default
    from ringfence.policy import Decision

    rules = (policy.settings.tools,)
    decision = Decision(
        "", "", default, None, "", "", "default", None, False, tools=rules, tool_base=rules[0]
    )
    return policy.for_tool(default, decision, tool).level


def has_tool_rules(policy: Policy) -> bool:
    """Whether any policy file names approved tools (exports then differ per tool)."""
    return policy.settings.tools is not None or any(
        zone.tools is not None for parsed in policy.policy_files() for zone in parsed.zones
    )


def _carve_out(
    policy: Policy,
    carve: Rule,
    base: str,
    rules: list[Rule],
    floors: list[_Floor],
    warnings: list[str],
) -> list[Rule]:
    """A zone that re-opens paths: kept only where it re-opens something, floors restored after it.

    A locked floor is restored inside the carve-out's own directory only. Where a later zone of
    the floor's own file may decide instead (so the policy has no floor there), restoring it
    closes more than the policy does, which is warned about.
    """
    ignore_case = policy.ignore_case
    pattern = carve.pattern
    closed = {
        r.floor or r.pattern
        for r in rules
        if r.deny and may_overlap(r.pattern, pattern, ignore_case)
    }
    under = [f for f in floors if may_overlap(f.pattern, pattern, ignore_case)]
    firm = [
        f
        for f in under
        if not any(
            may_overlap(t, pattern, ignore_case) and may_overlap(t, f.pattern, ignore_case)
            for t in f.takeovers
        )
    ]
    if (
        not closed
        or closed <= {f.pattern for f in firm}
        or any(contains(f.pattern, pattern, ignore_case) for f in firm)
    ):
        return []  # it re-opens nothing, or only what a locked floor keeps closed (RF101)
    out = [carve]
    for floor in under:
        scoped = restrict(floor.pattern, base, ignore_case)
        out.extend(
            Rule(
                p,
                True,
                f"locked zone {floor.zone.name!r}: a floor deeper files cannot lower",
                floor.zone.rule,
                fixed=len(prefix_of(base)),
                floor=floor.pattern,
            )
            for p in scoped
        )
        if floor not in firm or any(
            may_overlap(t, p, ignore_case) for t in floor.takeovers for p in scoped
        ):
            warnings.append(
                f"{carve.rule}: {carve.what} lowers paths below locked zone {floor.zone.name!r} "
                f"({floor.zone.rule}), which later zones of its own file partly override; "
                f"exports keep {floor.pattern} closed inside /{base}/ (a safe superset)"
            )
    return out


def _floors(policy: Policy, base: str, zones: list[Zone], denies: Denies) -> list[_Floor]:
    """The locked patterns of one policy file that can decide a path (no later zone always wins)."""
    found = []
    for index, zone in enumerate(zones):
        if not (zone.locked and denies(policy.level(zone.level))):
            continue
        takeovers = tuple(
            anchor(p, base)
            for later in zones[index + 1 :]
            if not (later.locked and denies(policy.level(later.level)))
            for p in later.patterns
        )
        for raw in zone.patterns:
            pattern = anchor(raw, base)
            if not any(contains(t, pattern, policy.ignore_case) for t in takeovers):
                found.append(_Floor(zone, base, pattern, takeovers))
    return found


def _below(base: str, ancestor: str) -> bool:
    return base != ancestor and (ancestor == "" or base.startswith(ancestor + "/"))


def _imported(
    policy: Policy, denies: Denies, files: list[str], texts: Mapping[str, str], warnings: list[str]
) -> list[Rule]:
    """Hand-written lines of AI ignore files in the repository raise their paths
    (docs/policy.md, Imported ignore files)."""
    settings = policy.settings
    if not settings.import_enabled or not denies(policy.level(settings.import_level)):
        return []
    rules: list[Rule] = []
    names = set(IGNORE_FILES)
    found = sorted(
        {f for f in [*files, *texts] if posixpath.basename(f) in names},
        key=lambda f: (f.count("/"), f),
    )
    for relpath in found:
        text = texts[relpath] if relpath in texts else _read(policy.root, relpath)
        if text is not None:
            rules.extend(_ignore_file_rules(relpath, text, policy.ignore_case, warnings))
    return rules


def _ignore_file_rules(
    relpath: str, text: str, ignore_case: bool, warnings: list[str]
) -> list[Rule]:
    name = posixpath.basename(relpath)
    base = posixpath.dirname(relpath)
    label = f"imported from {relpath}"
    fixed = len(prefix_of(base))
    text = text.removeprefix("\ufeff")
    if name == ".aiexclude" and not any(is_pattern(line) for line in text.splitlines()):
        return [Rule(anchor("**", base), True, label, relpath, fixed=fixed)]
    negation = name not in NO_NEGATION
    rules: list[Rule] = []
    for number, line in hand_written_lines(text):
        if not is_pattern(line) or (not negation and line.startswith("!")):
            continue  # a tool without negation ignores a "!" line (and so does the import)
        try:
            glob = translate(line, ignore_case=ignore_case, negation=negation)
        except GlobError:
            continue  # git (and the import) skip it too
        if not glob.negated:
            rules.append(Rule(anchor(line, base), True, label, f"{relpath}:{number}", fixed=fixed))
        elif any(may_overlap(r.pattern, anchor(line[1:], base), ignore_case) for r in rules):
            warnings.append(
                f"{relpath}:{number}: '{line}' re-includes paths its file excludes; exports keep "
                "them excluded for every tool (a safe superset)"
            )
    return rules


def is_pattern(line: str) -> bool:
    """As git reads ignore files: ``#`` starts a comment only in the first column."""
    line = line.rstrip("\r\n")
    return bool(line.rstrip(" ")) and not line.startswith("#")


def _header_marked(policy: Policy, files: list[str]) -> list[tuple[str, str, Level]]:
    """``(path, rule, level)`` of files whose header marker raises them above their zones.

    Markers live inside files, so the only way to carry them into an ignore file is to list
    those files by path; a file already closed by its zone is not repeated.
    """
    out = []
    for rel in files:
        if comment_syntax(rel, None) is None or not _head_has_marker(policy.root, rel):
            continue
        decision = policy.classify(posixpath.join(policy.root, rel))
        if decision.source == "marker":
            out.append((rel, decision.rule or rel, decision.level))
    return out


def _head_has_marker(root: str, rel: str) -> bool:
    try:
        with open(posixpath.join(root, rel), "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return False
    return MARKER_WORD.encode() in b"\n".join(head.split(b"\n", HEADER_LINES)[:HEADER_LINES])


def _read(root: str, relpath: str) -> str | None:
    try:
        with open(posixpath.join(root, relpath), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def repository_files(root: str) -> list[str]:
    """Tracked and untracked, not ignored files (``/``-separated); without git, all but ``.git``."""
    try:
        done = subprocess.run(
            [
                "git",
                "-c",
                "core.quotepath=off",
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            cwd=root,
            capture_output=True,
            timeout=120,
            check=True,
        )
        listed = done.stdout.decode("utf-8", errors="surrogateescape").split("\0")
        return sorted({f for f in listed if f and os.path.isfile(posixpath.join(root, f))})
    except (OSError, subprocess.SubprocessError):
        pass
    out: list[str] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        rel = posixpath.relpath(directory.replace(os.sep, "/"), root)
        out.extend(name if rel == "." else f"{rel}/{name}" for name in filenames)
    return sorted(out)
