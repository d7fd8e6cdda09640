"""Evidence of AI edits as the language server gathers it (docs/lsp.md, AI regions).

- the client's ``ringfence/editOrigin`` reports (certain) and the multi-line-insert heuristic
  (a guess, shown after a grace period unless the client reports the origin);
- the journal: agent hooks' edit events become regions of open documents within a poll
  interval, and untagged editor regions are journaled on save and re-found by content hash on
  reopen;
- Agent Trace records, re-anchored by content hash when a file opens.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from ringfence.evidence.journal import SAVE, JournalEvent, append_event, journal_path, read_events
from ringfence.evidence.regions import (
    Region,
    Revert,
    TextChange,
    content_hash,
    find_by_hash,
    map_span,
)
from ringfence.lsp.policies import RepoPolicy, discover_policy_files, is_policy_path
from ringfence.lsp.settings import GRACE_SECONDS
from ringfence.lsp.state import OpenDoc, Step
from ringfence.policy.engine import POLICY_FILE
from ringfence.policy.paths import relative_to
from ringfence.provenance.trace import TRACE_FILE, TracedRange, read_ranges
from ringfence.tool_ids import canonical_tool
from ringfence.uris import file_path

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
ORIGINS = ("ai", "paste", "undo", "format", "human")
MAX_EVENTS_PER_PATH = 2000
REOPEN_SCAN_BUDGET = 2_000_000  # line hashes spent re-finding one document's regions
LIVE_SCAN_BUDGET = 200_000
MAX_EARLY = 64  # reports held for versions the server has not seen yet


@dataclass
class _Journal:
    """The part of one repository's journal read so far, indexed by path."""

    root: str
    offset: int = 0
    size: int = -1
    by_path: dict[str, list[JournalEvent]] = field(default_factory=dict)

    def read_new(self) -> list[JournalEvent]:
        try:
            size = os.stat(journal_path(self.root)).st_size
        except OSError:
            size = 0
        if size == self.size:
            return []
        if size < self.offset:  # truncated or replaced: start over
            self.offset, self.by_path = 0, {}
        events, self.offset, _ = read_events(self.root, self.offset)  # skipped lines: logged
        self.size = size if self.offset == size else -1
        for event in events:
            if event.event in ("edit", "save") and event.ranges:
                found = self.by_path.setdefault(event.path, [])
                found.append(event)
                del found[:-MAX_EVENTS_PER_PATH]
        return events


@dataclass
class _Traces:
    root: str
    stamp: tuple[float, int] | None = None
    by_path: dict[str, list[TracedRange]] = field(default_factory=dict)

    def refresh(self) -> bool:
        """Re-read the trace file when it changed; True when it did."""
        try:
            info = os.stat(os.path.join(self.root, TRACE_FILE))
            stamp = (info.st_mtime, info.st_size)
        except OSError:
            stamp = None
        if stamp == self.stamp:
            return False
        self.stamp = stamp
        self.by_path = {}
        for traced in read_ranges(self.root):
            self.by_path.setdefault(traced.path, []).append(traced)
        return True


def map_forward(
    span: tuple[int, int] | None, changes: Iterable[TextChange]
) -> tuple[int, int] | None:
    """Where a line span of an earlier version is now."""
    for change in changes:
        if span is None:
            return None
        span = map_span(span[0], span[1], change)
    return span


class EvidenceStore:
    """Journal and trace state per repository, plus the editor-side evidence rules."""

    def __init__(self, server) -> None:
        self.server = server
        self.journals: dict[str, _Journal] = {}
        self.traces: dict[str, _Traces] = {}
        self._task: asyncio.Task | None = None

    # ----- repositories ------------------------------------------------------------------

    def watch(self, repo: RepoPolicy) -> None:
        journal = self.journals[repo.root] = _Journal(repo.root)
        journal.read_new()
        traces = self.traces[repo.root] = _Traces(repo.root)
        traces.refresh()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        future = loop.run_in_executor(self.server.thread_pool, discover_policy_files, repo.root)
        future.add_done_callback(lambda done: self._discovered(repo, done))

    def _discovered(self, repo: RepoPolicy, done) -> None:
        if done.cancelled() or done.exception() is not None:
            log.warning("%s: could not list policy files: %s", repo.root, done.exception())
            return
        if repo.learn(done.result()):
            self.server.reload(repo)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._poll_forever())

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                self.poll()
            except Exception as exc:  # the watcher must outlive a bad file or a bug
                log.exception("evidence watcher: %s", exc)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def files_changed(self, uris: list[str]) -> None:
        """Watched files changed (``workspace/didChangeWatchedFiles``): reload, re-read traces."""
        stale: dict[str, RepoPolicy] = {}
        for uri in uris:
            path = file_path(uri)
            for repo in list(self.server.repos.values()):
                relpath = relative_to(path, repo.root) if path else None
                if relpath == TRACE_FILE and self.traces[repo.root].refresh():
                    for od in self.server.docs_in(repo):
                        if self.apply_traces(od):
                            self.server.publish(od)
                elif is_policy_path(relpath):
                    if relpath.endswith(POLICY_FILE):
                        repo.learn([relpath])
                    stale[repo.root] = repo
        for repo in stale.values():
            self.server.reload(repo)

    def poll(self) -> None:
        """Pick up new journal events, changed traces and changed policy files."""
        for repo in list(self.server.repos.values()):
            if repo.changed_on_disk():
                self.server.reload(repo)
            for event in self.journals[repo.root].read_new():
                self._live_event(repo, event)
            if self.traces[repo.root].refresh():
                for od in self.server.docs_in(repo):
                    if self.apply_traces(od):
                        self.server.publish(od)

    # ----- journal -----------------------------------------------------------------------

    def _live_event(self, repo: RepoPolicy, event: JournalEvent) -> None:
        if event.event != "edit" or event.source != "agent" or event.decision == "deny":
            return
        for od in self.server.docs_in(repo):
            if od.relpath == event.path and not od.is_cell:
                if not self._place_event(od, event, LIVE_SCAN_BUDGET):
                    od.pending_events.append((time.monotonic(), event))
                self.server.publish(od)

    def _place_event(
        self, od: OpenDoc, event: JournalEvent, budget: int, require_hash: bool = False
    ) -> bool:
        """Regions for an agent's edit event; False while some range is not in the text yet."""
        placed = True
        for first, last, wanted in event.spans():
            length = last - first + 1
            if length < 1:
                continue
            if wanted is None:
                if require_hash or first > len(od.lines):
                    continue  # a reopen trusts only lines it recognises; out of range is stale
                start = first - 1
            else:
                start = find_by_hash(od.lines, first - 1, length, wanted, budget)
                if start is None:
                    placed = False
                    continue
            source = "agent" if event.event == "edit" else event.source or "client"
            region = self._region(
                od,
                start,
                min(start + length - 1, len(od.lines) - 1),
                event.agent,
                source,
                event.model,
            )
            if event.state == "tagged" and wanted:
                region.tagged_hash = wanted
        return placed

    def _region(self, od: OpenDoc, start: int, end: int, tool, source: str, model=None) -> Region:
        tool = canonical_tool(str(tool or "unknown"))
        region = od.regions.find(start, end)
        if region is None:
            return od.regions.add(start, end, tool, source=source, model=str(model or ""))
        if region.source in ("heuristic", "trace") and source not in ("heuristic", "trace"):
            region.source, region.tool, region.pending = source, tool, False
        return region

    def restore(self, od: OpenDoc) -> None:
        """Re-find journaled regions and recorded provenance in a document just opened."""
        journal = self.journals.get(od.repo.root)
        if journal is None or od.relpath is None or od.is_cell:
            return
        journal.read_new()
        for event in journal.by_path.get(od.relpath, []):
            if event.decision == "deny":
                continue
            if event.event == "save" or event.source == "agent":
                self._place_event(od, event, REOPEN_SCAN_BUDGET, require_hash=True)
        self.apply_traces(od)

    def retry_pending(self, od: OpenDoc) -> None:
        od.expire_pending()
        waiting, od.pending_events = od.pending_events, []
        for stamp, event in waiting:
            if not self._place_event(od, event, LIVE_SCAN_BUDGET):
                od.pending_events.append((stamp, event))

    def record_save(self, od: OpenDoc) -> int:
        """Journal the document's untagged editor regions (docs/lsp.md); returns how many."""
        if od.relpath is None or od.is_cell:
            return 0
        written = 0
        for region in od.regions:
            if region.pending or region.source not in ("client", "heuristic"):
                continue
            if od.region_state(region) != "untagged":
                continue
            digest = region.content_hash(od.lines)
            key = (region.start, region.end, digest)
            if region.journaled == key:
                continue
            append_event(
                od.repo.root,
                JournalEvent(
                    SAVE,
                    od.relpath,
                    agent=region.tool,
                    session=self.server.session,
                    model=region.model or None,
                    ranges=((region.start + 1, region.end + 1),),
                    hashes=(digest,),
                    decision="logged",
                    source=region.source,
                    state="untagged",
                ),
            )
            region.journaled = key
            written += 1
        if written:
            self.journals[od.repo.root].read_new()
        return written

    # ----- traces ------------------------------------------------------------------------

    def apply_traces(self, od: OpenDoc) -> bool:
        """Mark regions covered by provenance records (creating ``trace`` regions); True if any."""
        traces = self.traces.get(od.repo.root)
        if traces is None or od.relpath is None or od.is_cell:
            return False
        changed = False
        for traced in traces.by_path.get(od.relpath, []):
            length = traced.end_line - traced.start_line + 1
            if traced.content_hash:
                start = find_by_hash(
                    od.lines, traced.start_line - 1, length, traced.content_hash, REOPEN_SCAN_BUDGET
                )
                digest = traced.content_hash
            elif traced.end_line <= len(od.lines):
                start = traced.start_line - 1
                digest = content_hash(od.lines[start : start + length])
            else:
                start = None
            if start is None:
                continue
            region = self._region(od, start, start + length - 1, traced.tool, "trace", traced.model)
            if traced.state == "reviewed":
                changed = changed or region.reviewed_hash != digest
                region.reviewed_hash = digest
            else:
                changed = changed or region.tagged_hash != digest
                region.tagged_hash = digest
        return changed

    # ----- the editor's own evidence -----------------------------------------------------

    def after_changes(self, od: OpenDoc, steps: list[Step]) -> None:
        """Heuristic guesses for large insertions; late journal events; early client reports."""
        for index, step in enumerate(steps):
            self._maybe_heuristic(od, step, [s.change for s in steps[index + 1 :]])
        if od.pending_events:
            self.retry_pending(od)
        if od.early_origins and od.version is not None:
            ready = [
                p for p in od.early_origins if p["textDocument"].get("version", 0) <= od.version
            ]
            od.early_origins = [p for p in od.early_origins if p not in ready]
            for params in ready:
                self._apply_origin(od, params)

    def _maybe_heuristic(self, od: OpenDoc, step: Step, later: list[TextChange]) -> None:
        settings = self.server.settings
        if step.created is None or not settings.heuristics_enabled or od.binary or od.view is None:
            return
        first, last, revert = step.created
        if (
            last - first + 1 < settings.heuristics_min_lines
            and len(step.change.text) < settings.heuristics_min_chars
        ):
            return
        if not step.change.text.strip():
            return
        span = map_forward((first, last), later)
        if span is None or od.view.levels_for(*span).external_edits == "allow":
            return
        if self._is_disk_reload(od):
            return
        region = od.regions.add(
            span[0],
            span[1],
            "unknown",
            source="heuristic",
            version=step.version,
            pending=True,
            revert=revert if not later else None,
        )
        asyncio.get_running_loop().call_later(GRACE_SECONDS, self._grace_over, od.uri, region.id)

    def _is_disk_reload(self, od: OpenDoc) -> bool:
        """True when the editor's text now equals the file on disk (a reload, not an insertion)."""
        try:
            if os.path.getsize(od.path) > 4 * len(od.text.source) + 4:
                return False
            with open(od.path, encoding="utf-8", errors="replace", newline="") as handle:
                return handle.read() == od.text.source
        except OSError:
            return False

    def _grace_over(self, uri: str, region_id: str) -> None:
        od = self.server.doc(uri)
        region = od.regions.get(region_id) if od else None
        if region is not None and region.pending:
            region.pending = False
            self.server.publish(od)

    def edit_origin(self, params: dict) -> None:
        """``ringfence/editOrigin``: the client says where the text of a version came from."""
        problem = _origin_problem(params)
        if problem:
            log.warning("ignoring ringfence/editOrigin: %s", problem)
            return
        od = self.server.doc(params["textDocument"]["uri"])
        if od is None:
            log.info(
                "ringfence/editOrigin for a document that is not open: %s",
                params["textDocument"]["uri"],
            )
            return
        version = params["textDocument"].get("version")
        if isinstance(version, int) and od.version is not None and version > od.version:
            od.early_origins = [
                *od.early_origins[-(MAX_EARLY - 1) :],
                params,
            ]  # its didChange is still to come
            return
        self._apply_origin(od, params)
        self.server.publish(od)

    def _apply_origin(self, od: OpenDoc, params: dict) -> None:
        version = params["textDocument"].get("version")
        later = [
            s
            for s in od.history
            if version is not None and s.version is not None and s.version > version
        ]
        later_changes = [s.change for s in later]
        produced = [s for s in od.history if s.version == version] if version is not None else []
        spans = [map_forward(_range_lines(r), later_changes) for r in params.get("ranges") or []]
        if not params.get("ranges"):
            spans = [self._created_now(od, step) for step in produced]
        spans = [s for s in spans if s is not None]
        if params["origin"] != "ai":
            for region in [r for r in od.regions if r.source == "heuristic"]:
                by_version = version is not None and region.version == version
                if by_version or any(region.start <= s[1] and s[0] <= region.end for s in spans):
                    od.regions.remove(region.id)
            return
        tool = canonical_tool(str(params.get("tool") or "unknown"))
        for span in spans:
            revert = None
            for step in produced:
                now = self._created_now(od, step)
                if now is not None and now[0] <= span[0] and span[1] <= now[1]:
                    whole = step.created[
                        2
                    ]  # the change wrote more lines than reported: revert them all
                    revert = Revert(
                        whole.earlier,
                        whole.after_hash,
                        whole.lead + span[0] - now[0],
                        whole.trail + now[1] - span[1],
                    )
            for region in od.regions.overlapping(*span):
                if region.source == "heuristic":
                    od.regions.remove(region.id)
                    revert = revert or (region.revert if region.span() == span else None)
            existing = od.regions.find(*span)
            if existing is not None:
                existing.source, existing.tool, existing.model = (
                    "client",
                    tool,
                    str(params.get("model") or ""),
                )
                existing.revert = existing.revert or revert
                continue
            od.regions.add(
                span[0],
                span[1],
                tool,
                source="client",
                model=str(params.get("model") or ""),
                version=version,
                revert=revert,
            )

    def _created_now(self, od: OpenDoc, step: Step) -> tuple[int, int] | None:
        """Where the lines a past change inserted are in the current text."""
        if step.created is None:
            return None
        steps = list(od.history)
        after = steps[steps.index(step) + 1 :] if step in steps else []
        return map_forward(step.created[:2], [s.change for s in after])


def _range_lines(rng: dict) -> tuple[int, int] | None:
    """The whole lines an LSP range covers (an end at character 0 does not take its line)."""
    start, end = rng["start"]["line"], rng["end"]["line"]
    if end > start and rng["end"]["character"] == 0:
        end -= 1
    return (start, end) if end >= start >= 0 else None


def _origin_problem(params) -> str | None:
    """Why an editOrigin payload is unusable (None when it is fine)."""
    if not isinstance(params, dict):
        return "params must be an object"
    doc = params.get("textDocument")
    if not isinstance(doc, dict) or not isinstance(doc.get("uri"), str):
        return "textDocument.uri is required"
    if doc.get("version") is not None and (
        not isinstance(doc["version"], int) or isinstance(doc["version"], bool)
    ):
        return "textDocument.version must be an integer"
    if params.get("origin") not in ORIGINS:
        return f"origin must be one of {', '.join(ORIGINS)}"
    ranges = params.get("ranges")
    if ranges is not None and (
        not isinstance(ranges, list) or not all(_is_range(r) for r in ranges)
    ):
        return "ranges must be a list of LSP ranges"
    for key in ("tool", "model", "kind"):
        if params.get(key) is not None and not isinstance(params[key], str):
            return f"{key} must be a string"
    return None


def _is_range(rng) -> bool:
    def position(p):
        return isinstance(p, dict) and all(
            isinstance(p.get(k), int) and not isinstance(p.get(k), bool) and p[k] >= 0
            for k in ("line", "character")
        )

    return isinstance(rng, dict) and position(rng.get("start")) and position(rng.get("end"))
