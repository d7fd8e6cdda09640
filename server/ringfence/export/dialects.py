"""Each tool's dialect: the flat rule list rendered as the lines or entries that tool reads.

* gitignore with ``!`` (Cursor, JetBrains, Windsurf, aider, Gemini CLI, Continue, Cline, Roo):
  exact. A carve-out re-includes the directories above it, because gitignore cannot re-include
  a file whose parent directory is excluded; the patterns it re-opens are then written so that
  they exclude files, not directories.
* ``.aiexclude``: gitignore without ``!``; Copilot content exclusion: case-insensitive Ruby
  fnmatch without negation; Claude Code ``permissions.deny``: deny always wins. These cannot
  re-open a path, so a carve-out is left out (the safe superset) with a warning naming its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ringfence.export.patterns import ancestors, case_insensitive, may_cover_dir, may_overlap
from ringfence.export.rules import Rule


@dataclass
class Rendered:
    lines: list[str]
    dropped: list[Rule] = field(default_factory=list)  # carve-outs the dialect cannot express


def gitignore(rules: list[Rule], ignore_case: bool) -> Rendered:
    """gitignore lines, with ``!`` for carve-outs: selects exactly the policy's paths."""
    out: list[str] = []
    labels = _Labels(out)
    for index, rule in enumerate(rules):
        labels.note(rule)
        if rule.deny:
            reopened_later = any(
                not later.deny and may_overlap(rule.pattern, later.pattern, ignore_case)
                for later in rules[index + 1 :]
            )
            for pattern in rule.files() if reopened_later else [rule.pattern]:
                out.append(_gitignore_text(pattern, ignore_case, rule.fixed))
            continue
        closed = [r.pattern for r in rules[:index] if r.deny]
        for directory in ancestors(rule.pattern):
            if any(may_cover_dir(p, directory, ignore_case) for p in closed):
                out.append("!" + _gitignore_text(directory, ignore_case, rule.fixed))
        out.extend("!" + _gitignore_text(p, ignore_case, rule.fixed) for p in rule.files())
    return Rendered(out)


def gitignore_without_negation(rules: list[Rule], ignore_case: bool) -> Rendered:
    """gitignore lines for a tool without ``!`` (``.aiexclude``): carve-outs become a superset."""
    out: list[str] = []
    labels = _Labels(out)
    seen: set[str] = set()
    dropped: list[Rule] = []
    for rule in rules:
        if not rule.deny:
            dropped.append(rule)
            continue
        text = _gitignore_text(rule.pattern, ignore_case, rule.fixed)
        if text not in seen:
            seen.add(text)
            labels.note(rule)
            out.append(text)
    return Rendered(out, dropped)


def copilot(rules: list[Rule]) -> Rendered:
    """YAML list items for GitHub's "Paths to exclude in this repository" box.

    Copilot matches with Ruby's ``File.fnmatch``, case-insensitively, and a leading ``/``
    anchors at the repository root; a bare name matches at any depth. fnmatch has no
    directory-implies-contents rule, so each directory pattern also gets its ``/**`` form.
    """
    out: list[str] = []
    labels = _Labels(out)
    seen: set[str] = set()
    dropped: list[Rule] = []
    for rule in rules:
        if not rule.deny:
            dropped.append(rule)
            continue
        for pattern in rule.files():
            text = _fnmatch_text(pattern)
            if text not in seen:
                seen.add(text)
                labels.note(rule)
                out.append('- "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return Rendered(out, dropped)


def claude(context: list[Rule], edits: list[Rule], ignore_case: bool) -> Rendered:
    """``permissions.deny`` entries: ``Read(/…)`` for closed context, ``Edit(/…)`` for closed edits.

    ``/path`` is relative to the project root in project settings; a bare name would be relative
    to Claude's working directory, so patterns that match at any depth are written ``/**/name``.
    """
    out: list[str] = []
    dropped: list[Rule] = []
    for tool, rules in (("Read", context), ("Edit", edits)):
        for rule in rules:
            if not rule.deny:
                dropped.append(rule)
                continue
            for pattern in rule.files():
                entry = (
                    f"{tool}({case_insensitive(pattern, rule.fixed) if ignore_case else pattern})"
                )
                if entry not in out:
                    out.append(entry)
    return Rendered(out, list(dict.fromkeys(dropped)))


class _Labels:
    """Writes a ``# where this comes from`` comment whenever the rule's origin changes."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.last: str | None = None

    def note(self, rule: Rule) -> None:
        if rule.label != self.last:
            self.out.append(f"# {rule.label}")
            self.last = rule.label


def _gitignore_text(pattern: str, ignore_case: bool, fixed: int) -> str:
    text = _floating(pattern) or pattern
    return case_insensitive(text, min(fixed, len(text))) if ignore_case else text


def _fnmatch_text(pattern: str) -> str:
    text = _floating(pattern) or pattern
    return text.replace("{", "\\{").replace("}", "\\}")


def _floating(pattern: str) -> str | None:
    """``name`` for ``/**/name``, ``**/a/b`` for ``/**/a/b``: the same paths, read more easily."""
    rest = pattern[4:] if pattern.startswith("/**/") else ""
    if not rest or rest.startswith(("**", "!", "#")):
        return None
    return rest if "/" not in rest.rstrip("/") else "**/" + rest
