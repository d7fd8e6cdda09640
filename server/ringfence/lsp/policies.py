"""The policy of each repository with open files: loading, reloading, keeping the last good one.

A reload reads policy files from the editor when they are open with unsaved changes, else from
disk. When the new policy has errors the last good policy keeps classifying (RF100 shows the
errors); with no good policy yet, the invalid one classifies and fails closed at ``internal``.
"""

from __future__ import annotations

import logging
import os
import posixpath

from ringfence.errors import PolicyError
from ringfence.policy import Policy
from ringfence.policy.engine import POLICY_FILE, PYPROJECT
from ringfence.policy.imports import IGNORE_FILES

log = logging.getLogger(__name__)

POLICY_NAMES = frozenset({POLICY_FILE, *IGNORE_FILES})


def is_policy_path(relpath: str | None) -> bool:
    """A file whose content changes how paths are classified."""
    if relpath is None:
        return False
    return relpath == PYPROJECT or posixpath.basename(relpath) in POLICY_NAMES


class OverlayPolicy(Policy):
    """A policy that reads open, unsaved policy files from the editor instead of from disk."""

    def __init__(self, root: str, overlay: dict[str, str]) -> None:
        self._overlay = overlay
        super().__init__(root)

    def _read(self, relpath: str) -> str | None:
        if relpath in self._overlay:
            return self._overlay[relpath]
        return super()._read(relpath)


class RepoPolicy:
    """One repository's policy as the language server uses it."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.overlay: dict[str, str] = {}
        self.known_files: set[str] = set()
        self.active: Policy  # classifies: the last good policy (or the only one there is)
        self.latest: Policy  # the last load, valid or not
        self.good = False
        self.generation = 0  # bumped on every reload, so cached views know they are stale
        self._stamps: dict[str, tuple[float, int] | None] = {}
        self.reload()

    def reload(self) -> None:
        new = OverlayPolicy(self.root, dict(self.overlay))
        for relpath in sorted(self.known_files):
            new.classify(posixpath.join(self.root, relpath))  # loads every file on the way
        self.known_files.update(p.relpath for p in new.policy_files())
        self.latest = new
        if not new.errors or not self.good:
            self.active, self.good = new, not new.errors
        else:
            log.warning(
                "%s: policy invalid (%s); keeping the last good policy", self.root, new.errors[0]
            )
        self.generation += 1
        self._stamps = self._stat_all()

    def learn(self, relpaths) -> bool:
        """Add policy files found by a repository walk; True when a reload is needed."""
        fresh = set(relpaths) - self.known_files
        self.known_files |= fresh
        return bool(fresh)

    def errors(self) -> list[PolicyError]:
        """Errors of the latest load plus any found later in lazily loaded nested files."""
        seen, out = set(), []
        for error in [*self.latest.errors, *self.active.errors]:
            if str(error) not in seen:
                seen.add(str(error))
                out.append(error)
        return out

    def changed_on_disk(self) -> bool:
        """Cheap poll: True when a watched policy or ignore file changed since the last load."""
        return self._stat_all() != self._stamps

    def _watched(self) -> list[str]:
        dirs = {posixpath.dirname(p) for p in self.known_files} | {""}
        names = [posixpath.join(d, n) for d in sorted(dirs) for n in sorted(POLICY_NAMES)]
        return [PYPROJECT, *names]

    def _stat_all(self) -> dict[str, tuple[float, int] | None]:
        stamps: dict[str, tuple[float, int] | None] = {}
        for relpath in self._watched():
            try:
                info = os.stat(posixpath.join(self.root, relpath))
                stamps[relpath] = (info.st_mtime, info.st_size)
            except OSError:
                stamps[relpath] = None
        return stamps


def discover_policy_files(root: str) -> list[str]:
    """Every policy file of the repository (a walk: run it off the event loop)."""
    return [p.relpath for p in Policy(root, use_user_config=False).discover_all()]
