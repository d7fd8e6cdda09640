"""Gather every AI region a scope knows of: journal, traces, provenance comments, history.

Recorded regions (journal, traces) carry a content hash: they are located in the scope's
content at their recorded lines, else re-found by hash elsewhere in the file. An editor save
whose text is gone was superseded by a later save and is dropped; any other record whose
text is gone is kept at its recorded lines (clipped to the file), marked unmatched: changing
a line must not make evidence disappear.
"""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass, field

from ringfence.check.model import Notice, Region
from ringfence.check.scope import Scope
from ringfence.evidence import history as hist
from ringfence.evidence.hashing import content_hash
from ringfence.evidence.journal import SAVE, journal_path, read_events
from ringfence.policy import FileView, Policy
from ringfence.provenance.trace import TRACE_FILE, read_ranges

MAX_RELOCATE_LINES = 50_000
_AI_BEGIN = "ringfence:[[:space:]]*ai-begin"


@dataclass
class FileEvidence:
    """One file in the scope with its content, policy view, regions and provenance coverage."""

    path: str
    view: FileView | None = None
    lines: list[str] | None = None  # None: binary (file-level evidence only)
    regions: list[Region] = field(default_factory=list)
    covered: dict[int, str] = field(default_factory=dict)  # line -> tagged | reviewed


@dataclass
class Evidence:
    files: dict[str, FileEvidence]
    notices: list[Notice]


def matters(view: FileView) -> bool:
    """Would an AI edit anywhere in this file be denied or need a tag?"""
    levels = [view.decision.level, *(view.levels.get(r.level) for r in view.markers.regions)]
    if view.decision.tools:  # approved tools: some tool's edit may be denied even in an open file
        return True
    return any(
        lv is not None and (lv.external_edits != "allow" or lv.inhouse_edits != "allow")
        for lv in levels
    )


class Collector:
    """Collects the evidence of one scope.

    ``only_relevant`` skips files where AI edits are allowed.
    """

    def __init__(
        self, policy: Policy, scope: Scope, paths: list[str] | None, *, only_relevant: bool
    ) -> None:
        self.policy = policy
        self.scope = scope
        self.filters = paths
        self.only_relevant = only_relevant
        self.notices: list[Notice] = []
        self.regions: dict[str, list[Region]] = {}
        self._views: dict[str, FileView | None] = {}
        self._texts: dict[str, str | None] = {}

    # ----- scope and content ---------------------------------------------------------------

    def wanted(self, rel: str) -> bool:
        if self.scope.files is not None and rel not in self.scope.files:
            return False
        return self.filters is None or any(
            f == "" or rel == f or rel.startswith(f + "/") for f in self.filters
        )

    def text(self, rel: str) -> str | None:
        """The file's text in the scope; "" for binary files; None when it does not exist."""
        if rel not in self._texts:
            data = self.scope.read(rel)
            if data is None:
                self._texts[rel] = None
            elif b"\0" in data[:8192]:
                self._texts[rel] = ""
            else:
                self._texts[rel] = data.decode("utf-8", errors="replace")
        return self._texts[rel]

    def is_binary(self, rel: str) -> bool:
        data = self.scope.read(rel)
        return data is not None and b"\0" in data[:8192]

    def view(self, rel: str) -> FileView | None:
        if rel not in self._views:
            text = self.text(rel)
            self._views[rel] = (
                None
                if text is None
                else self.policy.view(posixpath.join(self.policy.root, rel), content=text)
            )
        return self._views[rel]

    def relevant(self, rel: str) -> bool:
        view = self.view(rel)
        return view is not None and (not self.only_relevant or matters(view))

    def add(self, region: Region) -> None:
        self.regions.setdefault(region.path, []).append(region)

    def note(self, level: str, text: str, partial: bool = False) -> None:
        self.notices.append(Notice(level, text, partial))

    # ----- sources -------------------------------------------------------------------------

    def journal(self) -> None:
        if self.scope.name == "range":
            return  # the journal describes this working tree, not commits
        events, _, skipped = read_events(self.policy.root)
        if skipped:
            self.note(
                "warning",
                f"{len(skipped)} malformed line(s) in the journal {journal_path(self.policy.root)} "
                f"were skipped (first at {skipped[0]})",
                partial=True,
            )
        for event in events:
            if not event.wrote_lines:
                continue
            rel = self.policy.relpath(event.path, self.policy.root)
            if rel is None or not self.wanted(rel):
                continue
            base = dict(
                tool=event.agent or "unknown",
                model=event.model or "",
                source=event.source or "agent",
                state=event.state or "untagged",
                snapshot=event.event == SAVE,
                evidence={
                    "journal": {"time": event.time, "event": event.event, "session": event.session}
                },
            )
            if not event.ranges:
                self.add(Region(rel, None, None, **base))
            for start, end, digest in event.spans():
                self.add(Region(rel, start, max(start, end), content_hash=digest or "", **base))

    def traces(self) -> None:
        path = os.path.join(self.policy.root, TRACE_FILE)
        bad = _malformed_lines(path)
        if bad:
            self.note(
                "warning", f"{bad} malformed line(s) in {TRACE_FILE} were skipped", partial=True
            )
        for traced in read_ranges(self.policy.root):
            rel = self.policy.relpath(traced.path, self.policy.root)
            if (
                rel is None
                or not self.wanted(rel)
                or traced.end_line < traced.start_line
                or traced.start_line < 1
            ):
                continue
            self.add(
                Region(
                    rel,
                    traced.start_line,
                    traced.end_line,
                    traced.tool,
                    traced.model,
                    "trace",
                    state=traced.state if traced.state in ("tagged", "reviewed") else "tagged",
                    content_hash=traced.content_hash,
                    evidence={"record": traced.record_id, "reviewer": traced.reviewer},
                )
            )

    def comments(self) -> None:
        """``ringfence: ai-begin`` … ``ai-end`` blocks (provenance style = comment)."""
        git = self.scope.git
        if git is None or (self.scope.name != "all" and not self.scope.files):
            return
        cached = ["--cached"] if self.scope.name == "staged" else []
        tree = [self.scope.tip] if self.scope.tip else []
        data = git.run("grep", "-l", "-z", "-I", *cached, "-E", _AI_BEGIN, *tree, "--", ok=(0, 1))
        prefix = f"{self.scope.tip}:" if self.scope.tip else ""
        for name in data.decode("utf-8", "replace").split("\0"):
            rel = name[len(prefix) :] if prefix and name.startswith(prefix) else name
            if not rel or not self.wanted(rel):
                continue
            view = self.view(rel)
            for block in view.markers.provenance if view is not None else ():
                self.add(
                    Region(
                        rel,
                        block.start + 1,
                        block.end + 1,
                        block.tool or "unknown",
                        block.model,
                        "comment",
                        state="tagged",
                        evidence={"marker": f"{rel}:{block.start + 1}"},
                    )
                )

    def history(self) -> None:
        git, scope = self.scope.git, self.scope
        settings = self.policy.settings.history
        if not settings.enabled:
            self.note("note", "history evidence is disabled ([history] enabled = false)")
            return
        if git is None:
            self.note(
                "warning",
                "not a git repository: no history evidence (trailers, git-ai notes)",
                partial=True,
            )
            return
        if not scope.has_head:
            return
        if git.is_shallow():
            self.note(
                "warning",
                "shallow clone: commits before the shallow boundary are missing, so "
                "history evidence is incomplete (fetch full history: fetch-depth: 0)",
                partial=True,
            )
        notes = hist.load_notes(git)
        if not notes.present and scope.name != "staged" and git.run("remote").strip():
            self.note(
                "note",
                f"no {hist.NOTES_REF} in this clone: git-ai line attributions were not "
                f"checked (fetch them with: git fetch origin {hist.NOTES_REF}:{hist.NOTES_REF})",
            )
        for problem in notes.problems:
            self.note("warning", problem, partial=True)
        if scope.name == "staged":
            self._staged_history(git, notes)
        else:
            self._walked_history(git, notes)

    def _walked_history(self, git: hist.Git, notes: hist.Notes) -> None:
        settings = self.policy.settings.history
        commits, _ = hist.ai_commits(git, self.scope.log_revs, settings)
        candidates = set().union(*hist.touched_paths(git, commits).values()) | notes.paths()
        pool = sorted(p for p in candidates if self.wanted(p))
        self.scope.preload(pool)
        if any(not self.scope.exists(p) for p in pool):  # renamed (or deleted) since
            candidates = hist.follow_renames(candidates, hist.renames(git, self.scope.log_revs))
        paths = sorted(p for p in candidates if self.wanted(p) and self.scope.exists(p))
        self.scope.preload(paths)
        paths = [p for p in paths if self.relevant(p)]
        binary = [p for p in paths if self.is_binary(p)]
        text_paths = [p for p in paths if p not in binary]
        blames = hist.blame_many(git, text_paths, revs=self.scope.blame_revs)
        self._add_history(blames, dict(commits), notes)
        self._binary_history(git, binary, commits)

    def _staged_history(self, git: hist.Git, notes: hist.Notes) -> None:
        paths = sorted(p for p in self.scope.files or () if self.wanted(p))
        self.scope.preload(paths)
        paths = [
            p
            for p in paths
            if p not in self.scope.added and self.relevant(p) and not self.is_binary(p)
        ]
        contents = {self.scope.origins.get(p, p): self.scope.read(p) or b"" for p in paths}
        blames = hist.blame_many(
            git, [self.scope.origins.get(p, p) for p in paths], contents=contents
        )
        blames = {p: blames[self.scope.origins.get(p, p)] for p in paths}
        shas = {sha for b in blames.values() if b is not None for sha, _, _ in b.lines}
        commits = hist.lookup_commits(git, shas, self.policy.settings.history)
        self._add_history(blames, commits, notes)

    def _add_history(
        self, blames: dict[str, hist.Blame | None], commits: dict, notes: hist.Notes
    ) -> None:
        for rel, result in blames.items():
            if result is None:
                self.note(
                    "warning",
                    f"git blame failed for {rel}: its history evidence is missing",
                    partial=True,
                )
                continue
            for run in hist.attribute(result, commits, notes):
                self.add(
                    Region(
                        rel,
                        run.start,
                        run.end,
                        run.tool,
                        run.model,
                        "history",
                        evidence={"commit": run.commit, "signal": run.signal, "kind": run.kind},
                    )
                )

    def _binary_history(self, git: hist.Git, paths: list[str], commits: dict) -> None:
        """Binary files have no lines: file-level evidence when their last commit is AI's."""
        for rel in paths:
            last = (
                git.run("log", "-1", "--format=%H", *self.scope.log_revs, "--", rel)
                .decode()
                .strip()
            )
            commit = commits.get(last)
            if commit is not None:
                self.add(
                    Region(
                        rel,
                        None,
                        None,
                        commit.tool,
                        commit.model,
                        "history",
                        evidence={"commit": last, "signal": commit.signal, "kind": "binary"},
                    )
                )

    # ----- locating and coverage -----------------------------------------------------------

    def finish(self) -> Evidence:
        self.scope.preload(sorted(self.regions))
        files: dict[str, FileEvidence] = {}
        for rel, regions in sorted(self.regions.items()):
            if not self.relevant(rel):
                continue
            text = self.text(rel)
            entry = FileEvidence(
                rel, self.view(rel), None if text == "" and self.is_binary(rel) else _lines(text)
            )
            for region in regions:
                located = _locate(region, entry.lines)
                if located is not None:
                    entry.regions.append(located)
            if entry.regions:
                entry.covered = _coverage(entry.regions)
                files[rel] = entry
        return Evidence(files, self.notices)


def _lines(text: str | None) -> list[str]:
    """Lines as git counts them (``\n`` only; ``str.splitlines`` would also split at form feeds)."""
    lines = (text or "").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _locate(region: Region, lines: list[str] | None) -> Region | None:
    """The region placed in the current lines; None when an editor save was superseded."""
    if region.file_level:
        return region
    if lines is None:  # binary now: the evidence stays, at file level
        return Region(
            region.path,
            None,
            None,
            region.tool,
            region.model,
            region.source,
            region.state,
            region.content_hash,
            region.matched,
            (region.start, region.end),
            region.snapshot,
            region.evidence,
        )
    start, end = region.start, region.end
    digest = region.content_hash
    if not digest.startswith("sha256:"):
        region.evidence.setdefault("hash", "unverified" if digest else "none")
        return _clipped(region, lines)
    length = end - start + 1
    if end <= len(lines) and content_hash(lines[start - 1 : end]) == digest:
        return region
    found = _find(lines, length, digest) if len(lines) <= MAX_RELOCATE_LINES else None
    if found is not None:
        region.recorded, region.start, region.end = (start, end), found, found + length - 1
        return region
    if region.snapshot:
        return None
    region.matched = False
    return _clipped(region, lines)


def _clipped(region: Region, lines: list[str]) -> Region:
    """Keep the recorded lines, clipped to the file (whole-file when they lie past its end)."""
    count = max(len(lines), 1)
    if region.start > count:
        region.recorded, region.start, region.end = (region.start, region.end), None, None
    elif region.end > count:
        region.recorded, region.end = (region.start, region.end), count
    return region


def _find(lines: list[str], length: int, digest: str) -> int | None:
    for first in range(0, len(lines) - length + 1):
        if content_hash(lines[first : first + length]) == digest:
            return first + 1
    return None


def _coverage(regions: list[Region]) -> dict[int, str]:
    """Lines a matching provenance record or comment block covers (``reviewed`` over ``tagged``)."""
    covered: dict[int, str] = {}
    for region in regions:
        if region.source not in ("trace", "comment") or not region.matched or region.file_level:
            continue
        for line in range(region.start, region.end + 1):
            if covered.get(line) != "reviewed":
                covered[line] = "reviewed" if region.state == "reviewed" else "tagged"
    return covered


def _malformed_lines(path: str) -> int:
    try:
        with open(path, "rb") as handle:
            raw_lines = handle.read().splitlines()
    except OSError:
        return 0
    bad = 0
    for raw in raw_lines:
        if not raw.strip():
            continue
        try:
            bad += not isinstance(json.loads(raw), dict)
        except ValueError:
            bad += 1
    return bad


def collect(
    policy: Policy, scope: Scope, paths: list[str] | None, *, only_relevant: bool
) -> Evidence:
    """All evidence of ``scope`` (limited to ``paths``: repository-relative files or dirs)."""
    collector = Collector(policy, scope, paths, only_relevant=only_relevant)
    collector.journal()
    collector.traces()
    collector.comments()
    collector.history()
    return collector.finish()
