"""What the server keeps per open document: where it is, its level and markers, its AI regions."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field, replace

from ringfence.evidence.journal import JournalEvent
from ringfence.evidence.regions import Region, RegionSet, Revert, TextChange, region_from_change
from ringfence.lsp.document import LineDocument
from ringfence.lsp.policies import RepoPolicy, is_policy_path
from ringfence.policy import FileView
from ringfence.policy.links import hard_links, link_key
from ringfence.policy.markers import MARKER_WORD

HISTORY = 256  # recent changes kept to map late client reports onto the current text
PENDING_EVENT_SECONDS = 30.0  # how long a journal event waits for the editor to reload the file
BINARY_PROBE = 8192
MAX_KEPT_TEXT = 1_000_000  # larger AI edits are tracked but cannot be reverted from memory


@dataclass
class Step:
    """One applied change with the document version it produced."""

    version: int | None
    change: TextChange
    created: tuple[int, int, Revert] | None  # the region this change would make if it was AI


@dataclass
class OpenDoc:
    """A ``file:`` document (or notebook cell) the client has open."""

    uri: str  # as the client spells it
    path: str  # absolute, "/"-separated path the document is classified by
    repo: RepoPolicy
    text: LineDocument
    language_id: str | None = None
    is_cell: bool = False
    regions: RegionSet = field(default_factory=RegionSet)
    history: deque[Step] = field(default_factory=lambda: deque(maxlen=HISTORY))
    view: FileView | None = None
    view_generation: int = -1
    binary: bool = False
    pending_events: list[tuple[float, JournalEvent]] = field(default_factory=list)
    early_origins: list[dict] = field(default_factory=list)
    rendered: dict[str, tuple] = field(
        default_factory=dict
    )  # region id -> its cached diagnostic JSON
    _where: object = None
    _links: tuple[str, ...] = ()
    _links_key: tuple = ()  # (link_key, policy generation) the cached hard links are for

    @property
    def version(self) -> int | None:
        return self.text.version

    @property
    def lines(self) -> list[str]:
        return self.text.lines

    @property
    def relpath(self) -> str | None:
        return self.view.decision.relpath if self.view else None

    @property
    def is_policy(self) -> bool:
        return not self.is_cell and is_policy_path(self.relpath)

    def classify(self) -> None:
        """(Re)classify with the repository's current policy and rescan markers."""
        text = self.text.source
        self.binary = "\0" in text[:BINARY_PROBE]
        self.view = self.repo.active.view(
            self.path,
            content=None if self.binary else text,
            language_id=self.language_id,
            aliases=self.hard_links(),
        )
        self.view_generation = self.repo.generation
        self._where = None
        self.rendered.clear()

    def hard_links(self) -> tuple[str, ...]:
        """The file's other names in its repository: it is judged by each of them too.

        The walk runs only for a file with several links, and again only when its inode, its
        link count or the policy changed (classify() runs on every marker rescan).
        """
        key = (link_key(self.path), self.repo.generation)
        if key != self._links_key:
            self._links = tuple(hard_links(self.path, self.repo.root)) if key[0] else ()
            self._links_key = key
        return self._links

    def links_changed(self) -> bool:
        """Whether a link to the file was made or removed since it was classified (one stat)."""
        return (link_key(self.path), self.repo.generation) != self._links_key

    def decision_where(self):
        """The rule that gives the whole file its level (cached until the next classification)."""
        if self._where is None:
            from ringfence.lsp.diagnostics import decision_where

            self._where = decision_where(self.repo, self.view.decision, self.uri)
        return self._where

    def region_state(self, region: Region) -> str:
        """``tagged`` | ``reviewed`` | ``untagged``, counting ai-begin/ai-end markers too."""
        if self.view is not None and any(
            block.start < region.start and region.end < block.end
            for block in self.view.markers.provenance
        ):
            return "tagged"
        return region.state(self.lines)

    def stale(self) -> bool:
        return self.view is None or self.view_generation != self.repo.generation

    def record(self, changes: list[TextChange], version: int | None) -> list[Step]:
        """Move the regions through ``changes`` and remember them; markers rescan when touched."""
        steps = []
        rescan = False
        for change in changes:
            self.regions.apply(change)
            created = region_from_change(change) if change.text else None
            if len(change.old_text) + len(change.new_text) > MAX_KEPT_TEXT:
                change, created = replace(change, old_text="", new_text=""), None
            step = Step(version, change, created)
            self.history.append(step)
            steps.append(step)
            rescan = rescan or _touches_markers(self.view, change)
        if rescan or self.stale() or self.links_changed():
            self.classify()
        return steps

    def expire_pending(self) -> None:
        cutoff = time.monotonic() - PENDING_EVENT_SECONDS
        self.pending_events = [(t, e) for t, e in self.pending_events if t >= cutoff]


def _touches_markers(view: FileView | None, change: TextChange) -> bool:
    if view is None:
        return True
    if MARKER_WORD in change.text or MARKER_WORD in change.old_text:
        return True
    return bool(view.markers.marker_lines) and (change.line_delta != 0 or change.start_line < 10)
