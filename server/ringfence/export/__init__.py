"""``ringfence export`` (docs/export.md): the policy in every AI tool's native ignore file.

Pure of any editor protocol: the command line, ``doctor`` and the language server (RF103) all ask
an :class:`Exporter` what each file should hold, given what it holds now.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from ringfence.errors import PolicyError, RingfenceError
from ringfence.export import claude, dialects, opencode, textfile
from ringfence.export.rules import (
    Rule,
    RuleSet,
    build,
    has_tool_rules,
    is_pattern,
    repository_files,
)
from ringfence.export.targets import BY_PATH, TARGETS, Target, select
from ringfence.policy import Policy

__all__ = ["BY_PATH", "TARGETS", "Exporter", "FilePlan", "Target", "select"]

COPILOT_HINT = (
    "# Paste the list below into GitHub: the repository's Settings > Copilot > Content exclusion "
    '> "Paths to exclude in this repository".'
)


@dataclass
class FilePlan:
    """What one export file holds now and what it should hold."""

    target: Target
    current: str | None
    new: str | None
    note: str = ""
    owned: list[str] | None = None  # Claude settings: the entries ringfence owns afterwards
    dropped: list[Rule] = field(default_factory=list)  # carve-outs the file cannot express

    @property
    def fresh(self) -> bool:
        return self.new == self.current

    @property
    def state(self) -> str:
        """``ok``, ``missing`` (no file yet) or ``stale`` (the file differs from the policy)."""
        if self.fresh:
            return "ok"
        return "missing" if self.current is None else "stale"

    @property
    def action(self) -> str:
        if self.fresh:
            return "unchanged"
        if self.current is None:
            return "created"
        return "removed" if self.new is None else "updated"


class Exporter:
    """The exports of one repository's policy (which must be valid)."""

    def __init__(
        self, policy: Policy, files: list[str] | None = None, texts: Mapping[str, str] | None = None
    ) -> None:
        policy.discover_all()
        if policy.errors:
            first = policy.errors[0]
            more = f" (and {len(policy.errors) - 1} more)" if len(policy.errors) > 1 else ""
            raise PolicyError(
                f"{first.message}{more}; fix the policy before exporting",
                first.file,
                first.line,
                first.col,
            )
        self.policy = policy
        self.root = policy.root
        self.rules: RuleSet = build(policy, files, texts)
        self._files, self._texts = files, texts
        self._per_tool: dict[str, RuleSet] = {}

    def rules_for(self, target: Target) -> RuleSet:
        """The flat rules for ``target``'s own tool: with approved tools in the policy, a tool's
        file also lists the zones that deny that tool (docs/policy.md, "Approved tools")."""
        if not has_tool_rules(self.policy):
            return self.rules
        tool = target.tool_id
        if tool not in self._per_tool:
            if self._files is None:
                self._files = repository_files(self.root)
            self._per_tool[tool] = build(self.policy, self._files, self._texts, tool)
        return self._per_tool[tool]

    def plan(self, targets: list[Target] | None = None) -> list[FilePlan]:
        return [self.expect(t, read_text(self.root, t.path)) for t in targets or TARGETS]

    def expect(self, target: Target, current: str | None) -> FilePlan:
        """What ``target`` should hold, given its ``current`` text (None: no such file)."""
        if target.dialect == "claude":
            return self._claude(target, current)
        if target.dialect == "opencode":
            return self._opencode(target, current)
        rendered = self._render(target)
        if target.dialect == "aiexclude" and current is not None and _covers_everything(current):
            return FilePlan(
                target,
                current,
                current,
                "an empty .aiexclude already excludes everything; kept as is",
            )
        body = rendered.lines or None
        if body and target.dialect == "copilot":
            body = [COPILOT_HINT, *body]
        new = textfile.merge(target.path, current, body)
        note = ""
        if target.dialect == "aiexclude" and new is not None and not _has_pattern(new):
            note = "no patterns are left: Gemini treats such a file as excluding everything"
        return FilePlan(target, current, new, note, dropped=rendered.dropped)

    def warnings(self, plans: list[FilePlan]) -> list[str]:
        """The policy's flattening warnings, then one per carve-out some files cannot express."""
        files_by_rule: dict[tuple[str, str, str], list[str]] = {}
        for plan in plans:
            for rule in plan.dropped:
                files = files_by_rule.setdefault((rule.rule, rule.what, rule.pattern), [])
                if plan.target.path not in files:
                    files.append(plan.target.path)
        out = list(self.rules.warnings)
        for (where, what, pattern), files in files_by_rule.items():
            out.append(
                f"{where}: {what} re-opens {pattern}, which {_join(files)} cannot express "
                "(no negation): those paths stay excluded there (a safe superset)"
            )
        return out

    def apply(self, plans: list[FilePlan]) -> None:
        for plan in plans:
            if not plan.fresh:
                write_text(self.root, plan.target.path, plan.new)
            if plan.owned is not None:
                claude.save_owned(self.root, plan.owned, plan.target.path)

    def _render(self, target: Target) -> dialects.Rendered:
        ignore_case = self.policy.settings.ignore_case
        if target.dialect == "gitignore":
            return dialects.gitignore(self.rules_for(target).context, ignore_case)
        if target.dialect == "aiexclude":
            return dialects.gitignore_without_negation(self.rules_for(target).context, ignore_case)
        return dialects.copilot(self.rules_for(target).context)

    def _claude(self, target: Target, current: str | None) -> FilePlan:
        rendered = dialects.claude(
            self.rules_for(target).context,
            self.rules_for(target).edits,
            self.policy.settings.ignore_case,
        )
        merged = claude.merge(current, rendered.lines, claude.owned_entries(self.root))
        note = ", ".join(
            filter(
                None,
                [
                    f"+{len(merged.added)} deny entries" if merged.added else "",
                    f"-{len(merged.removed)} deny entries" if merged.removed else "",
                ],
            )
        )
        return FilePlan(target, current, merged.text, note, merged.owned, rendered.dropped)

    def _opencode(self, target: Target, current: str | None) -> FilePlan:
        rendered = opencode.rules(
            self.rules_for(target).context,
            self.rules_for(target).edits,
            self.policy.settings.ignore_case,
        )
        owned = claude.owned_entries(self.root, target.path)
        merged = opencode.merge(current, rendered.lines, owned)
        note = ", ".join(
            filter(
                None,
                [
                    f"+{len(merged.added)} deny rules" if merged.added else "",
                    f"-{len(merged.removed)} deny rules" if merged.removed else "",
                ],
            )
        )
        return FilePlan(target, current, merged.text, note, merged.owned, rendered.dropped)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _has_pattern(text: str) -> bool:
    return any(is_pattern(line) for line in text.splitlines())


def _covers_everything(text: str) -> bool:
    """An .aiexclude without a single pattern (in or out of a block) excludes its whole tree."""
    return not _has_pattern(text)


def read_text(root: str, relpath: str) -> str | None:
    path = posixpath.join(root, relpath)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RingfenceError(f"cannot read: {exc.strerror}", relpath) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RingfenceError("not UTF-8 text; nothing was changed", relpath) from None


def write_text(root: str, relpath: str, text: str | None) -> None:
    """Replace the file atomically (through a symlink to its target), or delete it when None."""
    path = os.path.realpath(posixpath.join(root, relpath))
    try:
        if text is None:
            os.remove(path)
        else:
            _replace(path, text)
    except OSError as exc:
        raise RingfenceError(f"cannot write: {exc.strerror or exc}", relpath) from None


def _replace(path: str, text: str) -> None:
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".ringfence-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        if os.path.exists(path):
            shutil.copymode(path, temp)
        else:
            os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
