"""RF010 in the editor: lines of an open file that git history marks as AI-authored, in a deny zone.

A document provider (``ringfence.lsp.providers``, docs/lsp.md). ``git blame`` never runs on the
event loop: ``provide`` answers from a cache keyed by the file's blob (the git object id of the
editor's text) and HEAD; on a miss it schedules the blame on a worker thread of its own and the
document is republished when the blame is done. Until then the document's previous result is
shown, moved through the edits made since; a file seen for the first time shows no RF010 until
its blame returns, so opening a file never waits on git.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from ringfence.check.findings import pieces
from ringfence.evidence.git import head_revision
from ringfence.evidence.history import FileHistory, HistoryRun
from ringfence.evidence.regions import map_span
from ringfence.lsp.diagnostics import SOURCE, WARNING, related, where
from ringfence.lsp.state import OpenDoc
from ringfence.policy import FileView

log = logging.getLogger(__name__)

DELAY = 0.15  # seconds a changed document waits before its blame starts (coalesces typing)
CACHE_SIZE = 512  # blobs whose blame is kept
MAX_LINES = 200_000  # larger documents get no history diagnostics (hashing them per edit costs)


def blob_id(data: bytes) -> str:
    """The git object id ``git hash-object`` gives ``data`` (no git process)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Shown:
    """The runs last shown for a document, valid for its text at ``version``."""

    version: int | None
    runs: tuple[HistoryRun, ...]


class HistoryProvider:
    """Per server: blame results per blob, what each document shows, and the worker thread."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ringfence-history")
        self.blobs: OrderedDict[tuple, tuple[HistoryRun, ...]] = OrderedDict()
        self.shown: dict[str, Shown] = {}
        self.busy: set[str] = set()
        self.histories: dict[tuple, FileHistory] = {}
        self.keys: dict[str, tuple[OpenDoc, int | None, tuple]] = {}  # uri -> (document, version, key)

    def key(self, od: OpenDoc) -> tuple:
        """The blob key of the document's text, computed once per version of one open document."""
        known = self.keys.get(od.uri)
        if known is not None and known[0] is od and known[1] == od.version and od.version is not None:
            return known[2]
        key = _key(od)
        self.keys[od.uri] = (od, od.version, key)
        return key

    def diagnostics(self, server, od: OpenDoc) -> list[dict]:
        if not _wanted(server, od):
            self.shown.pop(od.uri, None)
            return []
        runs = self.blobs.get(self.key(od))
        if runs is not None:
            self.shown[od.uri] = Shown(od.version, runs)
            return _diagnostics(od, runs)
        self.schedule(server, od.uri)
        shown = self.shown.get(od.uri)
        return _diagnostics(od, moved(shown, od)) if shown else []

    def schedule(self, server, uri: str) -> None:
        if uri in self.busy:
            return  # the running blame republishes, and a changed text schedules again then
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.busy.add(uri)
        loop.call_later(DELAY, self._start, server, uri, loop)

    def _start(self, server, uri: str, loop: asyncio.AbstractEventLoop) -> None:
        od = server.doc(uri)
        if od is None or not _wanted(server, od):
            self.busy.discard(uri)
            return
        key = self.key(od)
        if key in self.blobs:
            self.busy.discard(uri)
            server.publish(od)
            return
        history = self._history(od)
        data = od.text.source.encode("utf-8", "surrogatepass")
        future = loop.run_in_executor(self.executor, history.runs, od.relpath, data)
        future.add_done_callback(lambda done: self._done(server, uri, key, done))

    def _done(self, server, uri: str, key: tuple, done: Future) -> None:
        self.busy.discard(uri)
        try:
            runs = tuple(done.result())
        except Exception as exc:  # git failed: show nothing for this blob, keep serving
            log.warning("history evidence for %s unavailable: %s", key[1], exc)
            runs = ()
        self.blobs[key] = runs
        while len(self.blobs) > CACHE_SIZE:
            self.blobs.popitem(last=False)
        od = server.doc(uri)
        if od is not None:
            server.publish(od)

    def _history(self, od: OpenDoc) -> FileHistory:
        settings = od.repo.active.settings.history
        found = self.histories.get((od.repo.root, settings))
        if found is None:
            found = self.histories[(od.repo.root, settings)] = FileHistory(od.repo.root, settings)
        return found


_PROVIDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def provide(server, od: OpenDoc) -> list[dict]:
    """Document provider: RF010 (Warning) on history's AI lines where the level denies AI edits."""
    provider = _PROVIDERS.get(server)
    if provider is None:
        provider = _PROVIDERS[server] = HistoryProvider()
    return provider.diagnostics(server, od)


def _key(od: OpenDoc) -> tuple:
    data = od.text.source.encode("utf-8", "surrogatepass")
    return od.repo.root, od.relpath, blob_id(data), head_revision(od.repo.root)


def _wanted(server, od: OpenDoc) -> bool:
    """Only files where some line may deny AI edits are blamed at all."""
    if od.view is None or od.relpath is None or od.is_cell or od.binary or len(od.lines) > MAX_LINES:
        return False
    if not getattr(server.settings, "history_enabled", True) or not od.repo.active.settings.history.enabled:
        return False
    return _may_deny(od.view)


def _may_deny(view: FileView) -> bool:
    levels = [view.decision.level, *(view.levels.get(r.level) for r in view.markers.regions)]
    return any(lv is not None and "deny" in (lv.external_edits, lv.inhouse_edits) for lv in levels)


def moved(shown: Shown, od: OpenDoc) -> tuple[HistoryRun, ...]:
    """``shown``'s runs moved through the document's changes since (nothing if they are unknown)."""
    if shown.version == od.version:
        return shown.runs
    if shown.version is None or od.version is None:
        return ()
    history = od.history
    if history.maxlen and len(history) == history.maxlen and (history[0].version or 0) > shown.version + 1:
        return ()  # some changes were forgotten: wait for the new blame
    steps = [s.change for s in history if s.version is not None and s.version > shown.version]
    out = []
    for run in shown.runs:
        span: tuple[int, int] | None = (run.start - 1, run.end - 1)
        for change in steps:
            span = map_span(span[0], span[1], change)
            if span is None:
                break
        if span is not None:
            out.append(replace(run, start=span[0] + 1, end=span[1] + 1))
    return tuple(out)


def _diagnostics(od: OpenDoc, runs: tuple[HistoryRun, ...]) -> list[dict]:
    out = []
    policy = od.repo.active
    count = len(od.lines)
    for run in runs:
        if run.start > count:
            continue
        inhouse = policy.is_inhouse(run.tool)
        for first, last, _ in pieces(od.view, run.start, min(run.end, count)):
            at = where(od, first - 1, last - 1)
            if at.level.edits(inhouse) != "deny":
                continue
            origin = (f"git-ai note on commit {run.commit[:12]}" if run.kind == "note"
                      else f"commit {run.commit[:12]}: {run.signal}")
            tail = f": {at.reason}" if at.reason else ""
            end = od.text.line_end(last - 1)
            out.append({
                "range": {"start": {"line": first - 1, "character": 0},
                          "end": {"line": last - 1, "character": end.character}},
                "severity": WARNING, "code": "RF010", "source": SOURCE,
                "message": f"AI-authored lines from history ({run.tool}; {origin}) in {at.level.name} "
                           f"{at.label}{tail}",
                "relatedInformation": related(at),
                "data": {"source": "history", "tool": run.tool, "commit": run.commit},
            })
    return out
