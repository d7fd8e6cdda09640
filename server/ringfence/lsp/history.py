"""RF010 in the editor: lines of an open file that git history marks as AI-authored, in a deny zone.

A document provider (``ringfence.lsp.providers``, docs/lsp.md). ``git blame`` never runs on the
event loop: results are cached by the file's blob (the git object id of the editor's text) and
HEAD, and a blame runs on a worker thread of its own once the document has been quiet for
``DELAY`` (at most ``MAX_WAIT`` after the first unblamed change); the document is republished
when it is done. In between, the runs last shown are moved through the edits made since, so an
edit costs no hashing of the document and no git process: typing in a large file stays as fast
as with history off. A file seen for the first time shows no RF010 until its blame returns (or
its blob is in the cache), so opening a file never waits on git.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import weakref
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ringfence.evidence.git import head_revision
from ringfence.evidence.history import FileHistory, HistoryRun
from ringfence.evidence.regions import map_span
from ringfence.findings import Subject, history_origin, judge, pieces
from ringfence.lsp.diagnostics import Where, diagnostic_body, rule_location
from ringfence.lsp.state import OpenDoc
from ringfence.policy import FileView

log = logging.getLogger(__name__)

DELAY = 0.3  # seconds of quiet before a changed document's blame starts (typing is not blamed)
MAX_WAIT = 3.0  # ...but no longer than this after its first unblamed change
CACHE_SIZE = 512  # blobs whose blame is kept
MAX_LINES = 200_000  # larger documents get no history diagnostics (hashing them per edit costs)


def blob_id(data: bytes) -> str:
    """The git object id ``git hash-object`` gives ``data`` (no git process)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Shown:
    """The runs last shown for an open document, valid for its text at ``version`` under ``head``.

    ``blamed`` is False until a blame (or the blob cache) has answered for the document.
    """

    doc: OpenDoc  # a reopened document starts afresh
    version: int | None
    head: str | None
    runs: tuple[HistoryRun, ...]
    blamed: bool = True


class HistoryProvider:
    """Per server: blame results per blob, what each document shows, and the worker thread."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ringfence-history")
        self.blobs: OrderedDict[tuple, tuple[HistoryRun, ...]] = OrderedDict()
        self.shown: dict[str, Shown] = {}
        self.busy: set[str] = set()
        self.waiting: dict[
            str, tuple[asyncio.TimerHandle, float]
        ] = {}  # uri -> (timer, first change)
        self.histories: dict[tuple, FileHistory] = {}

    def diagnostics(self, server, od: OpenDoc) -> list[dict]:
        if not _wanted(server, od):
            self.shown.pop(od.uri, None)
            return []
        shown = self.shown.get(od.uri)
        head = head_revision(od.repo.root)
        if shown is None or shown.doc is not od:  # first sight: its blob may be known already
            runs = self.blobs.get(_key(od, head))
            shown = self.shown[od.uri] = Shown(od, od.version, head, runs or (), runs is not None)
        if shown.blamed and shown.version == od.version is not None and shown.head == head:
            return _diagnostics(od, shown.runs)
        self.schedule(server, od.uri)
        return _diagnostics(od, moved(shown, od))

    def schedule(self, server, uri: str) -> None:
        """Blame ``uri`` once it has been quiet for DELAY (MAX_WAIT at most)."""
        if uri in self.busy:
            return  # the running blame republishes, and a changed text schedules again then
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        timer, since = self.waiting.get(uri, (None, loop.time()))
        if timer is not None:
            timer.cancel()
        delay = max(0.0, min(DELAY, since + MAX_WAIT - loop.time()))
        self.waiting[uri] = (loop.call_later(delay, self._start, server, uri, loop), since)

    def _start(self, server, uri: str, loop: asyncio.AbstractEventLoop) -> None:
        self.waiting.pop(uri, None)
        od = server.doc(uri)
        if od is None or not _wanted(server, od):
            return
        head = head_revision(od.repo.root)
        key = _key(od, head)
        if key in self.blobs:
            self.shown[uri] = Shown(od, od.version, head, self.blobs[key])
            server.publish(od)
            return
        self.busy.add(uri)
        history = self._history(od)
        data = od.text.source.encode("utf-8", "surrogatepass")
        shown = Shown(od, od.version, head, ())
        future = loop.run_in_executor(self.executor, history.runs, od.relpath, data)
        future.add_done_callback(lambda done: self._done(server, od, key, shown, done))

    def _done(self, server, od: OpenDoc, key: tuple, shown: Shown, done: asyncio.Future) -> None:
        self.busy.discard(od.uri)
        try:
            runs = tuple(done.result())
        except Exception as exc:  # git failed: show nothing for this blob, keep serving
            log.warning("history evidence for %s unavailable: %s", key[1], exc)
            runs = ()
        self.blobs[key] = runs
        while len(self.blobs) > CACHE_SIZE:
            self.blobs.popitem(last=False)
        if server.doc(od.uri) is od:
            self.shown[od.uri] = replace(shown, runs=runs)
            server.publish(od)

    def _history(self, od: OpenDoc) -> FileHistory:
        settings = od.repo.active.settings.history
        found = self.histories.get((od.repo.root, settings))
        if found is None:
            found = self.histories[(od.repo.root, settings)] = FileHistory(od.repo.root, settings)
        return found


_PROVIDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def provide(server, od: OpenDoc) -> list[dict]:
    """Document provider: RF010 (Error) on history's AI lines where the level denies AI edits."""
    provider = _PROVIDERS.get(server)
    if provider is None:
        provider = _PROVIDERS[server] = HistoryProvider()
    return provider.diagnostics(server, od)


def _key(od: OpenDoc, head: str | None) -> tuple:
    """What a blame result depends on: the file, the editor's text as a git blob, and HEAD."""
    data = od.text.source.encode("utf-8", "surrogatepass")
    return od.repo.root, od.relpath, blob_id(data), head


def _wanted(server, od: OpenDoc) -> bool:
    """Only files where some line may deny AI edits are blamed at all."""
    if (
        od.view is None
        or od.relpath is None
        or od.is_cell
        or od.binary
        or len(od.lines) > MAX_LINES
    ):
        return False
    if (
        not getattr(server.settings, "history_enabled", True)
        or not od.repo.active.settings.history.enabled
    ):
        return False
    return _may_deny(od.view)


def _may_deny(view: FileView) -> bool:
    levels = [view.decision.level, *(view.levels.get(r.level) for r in view.markers.regions)]
    return bool(view.decision.tools) or any(
        lv is not None and "deny" in (lv.external_edits, lv.inhouse_edits) for lv in levels
    )


def moved(shown: Shown, od: OpenDoc) -> tuple[HistoryRun, ...]:
    """``shown``'s runs moved through the document's changes since (nothing if they are unknown)."""
    if shown.version == od.version:
        return shown.runs
    if shown.version is None or od.version is None:
        return ()
    history = od.history
    if (
        history.maxlen
        and len(history) == history.maxlen
        and (history[0].version or 0) > shown.version + 1
    ):
        return ()  # some changes were forgotten: wait for the new blame
    steps = [s.change for s in history if s.version is not None and s.version > shown.version]
    out = []
    for run in shown.runs:
        span: tuple[int, int] | None = (run.start - 1, run.end - 1)
        for change in steps:
            if span is None:
                break
            span = map_span(span[0], span[1], change)
        if span is not None:
            out.append(replace(run, start=span[0] + 1, end=span[1] + 1))
    return tuple(out)


def _diagnostics(od: OpenDoc, runs: tuple[HistoryRun, ...]) -> list[dict]:
    """RF010 for the runs' lines that deny AI edits, judged as ``ringfence check`` judges them.

    Only denials are shown: lines in a zone that wants a tag are not blamed at all (``_wanted``).
    """
    out: list[dict] = []
    view = od.view
    if view is None:
        return out
    policy = od.repo.active
    whole = od.decision_where()
    count = len(od.lines)
    for run in runs:
        if run.start > count:
            continue
        about = Subject(
            run.tool,
            run.model,
            "history",
            "untagged",
            run.end - run.start + 1,
            origin=history_origin(run.kind, run.commit, run.signal),
        )
        for first, last, place in pieces(view, run.start, min(run.end, count)):
            judged = judge(policy, view.decision, place, about)
            if judged is None or judged.permission != "deny" or first is None or last is None:
                continue
            at = (
                whole
                if place == whole.place
                else Where(place, rule_location(od.repo, place.rule, od.uri, od.relpath))
            )
            end = od.text.line_end(last - 1)
            data = {"source": "history", "tool": run.tool, "commit": run.commit}
            out.append(
                {
                    "range": {
                        "start": {"line": first - 1, "character": 0},
                        "end": {"line": last - 1, "character": end.character},
                    },
                    **diagnostic_body(judged, at, data),
                }
            )
    return out
