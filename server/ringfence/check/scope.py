"""What ``ringfence check`` looks at: the working tree (``--all``), the index (``--staged``), or
the commits of ``--range A..B`` and the tree at B.

A scope answers three questions: which files are in play, what a file's content is in the
scope, and how git history is walked and blamed for it.

- ``--all``: every file of the working tree; history is every commit reachable from HEAD;
  blame annotates the working-tree file.
- ``--staged``: the files the index changes (added, modified, renamed), as staged; every kind of
  evidence for them, history included (blame of the staged content against HEAD).
- ``--range A..B``: the files the range's commits touched, as they are at B; history is the
  range's commits only and blame stops at A, so only lines the range introduced count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ringfence.errors import UsageError
from ringfence.evidence.history import Git


@dataclass
class Scope:
    name: str  # all | staged | range
    git: Git | None
    files: set[str] | None = None  # None: any file of the working tree
    log_revs: list[str] = field(default_factory=list)  # git log arguments (all, range)
    blame_revs: list[str] = field(default_factory=list)
    label: str = ""
    root: str = ""
    tip: str | None = None  # the commit files are read from (range); None: disk or index
    has_head: bool = True
    origins: dict[str, str] = field(default_factory=dict)  # staged renames: new path -> old path
    added: set[str] = field(default_factory=set)  # staged files HEAD does not have (no history)
    _contents: dict[str, bytes | None] = field(default_factory=dict)

    def read(self, rel: str) -> bytes | None:
        """The file's bytes in this scope (None when it does not exist there)."""
        if rel not in self._contents:
            if self.name == "all" or self.git is None:
                self._contents[rel] = _read_disk(self.root, rel)
            else:
                self.preload([rel])
        return self._contents[rel]

    def exists(self, rel: str) -> bool:
        if self.name == "all":
            return os.path.isfile(os.path.join(self.root, rel))
        return self.read(rel) is not None

    def preload(self, rels: list[str]) -> None:
        """Read many files from the index or from B with one ``git cat-file --batch``."""
        if self.name == "all" or self.git is None:
            return
        wanted = [r for r in rels if r not in self._contents]
        if not wanted:
            return
        prefix = f"{self.tip}:" if self.tip else ":"
        data = self.git.run(
            "cat-file", "--batch", input="".join(f"{prefix}{r}\n" for r in wanted).encode()
        )
        offset = 0
        for rel in wanted:
            end = data.index(b"\n", offset)
            header = data[offset:end].split()
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                self._contents[rel] = data[end + 1 : end + 1 + size]
                offset = end + 2 + size
            else:
                self._contents[rel] = None
                offset = end + 1


def _read_disk(root: str, rel: str) -> bytes | None:
    path = os.path.join(root, rel)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def all_scope(root: str, git: Git | None) -> Scope:
    has_head = git is not None and git.resolve("HEAD") is not None
    return Scope(
        "all",
        git,
        None,
        ["HEAD"] if has_head else [],
        [],
        "working tree",
        root=root,
        has_head=has_head,
    )


def staged_scope(root: str, git: Git | None) -> Scope:
    if git is None:
        raise UsageError("--staged needs a git repository")
    if git.resolve("HEAD") is None:  # first commit: everything in the index is new
        listing = git.run("ls-files", "-z", "--cached").decode("utf-8", "replace")
        files = {p for p in listing.split("\0") if p}
        return Scope(
            "staged", git, files, label="staged changes", root=root, has_head=False, added=files
        )
    files, origins, added = _names(
        git.run("diff", "--cached", "--name-status", "-z", "-M", "--diff-filter=ACMRT")
    )
    return Scope(
        "staged", git, files, label="staged changes", root=root, origins=origins, added=added
    )


def range_scope(root: str, git: Git | None, spec: str) -> Scope:
    if "..." in spec or ".." not in spec:
        raise UsageError(f"--range {spec!r}: expected A..B (two commits, as in 'git log A..B')")
    if git is None:
        raise UsageError("--range needs a git repository")
    base, _, tip = spec.partition("..")
    base, tip = base or "HEAD", tip or "HEAD"
    resolved = []
    for rev in (base, tip):
        sha = git.resolve(rev)
        if sha is None:
            raise UsageError(f"--range {spec!r}: unknown revision {rev!r}")
        resolved.append(sha)
    revs = [f"{resolved[0]}..{resolved[1]}"]
    touched = git.run(
        "log", "-z", "--format=", "--name-only", "--diff-filter=ACMRT", "-M", *revs, "--"
    )
    files = {p for p in touched.decode("utf-8", "replace").replace("\n", "\0").split("\0") if p}
    return Scope(
        "range", git, files, revs, revs, f"commits {base}..{tip}", root=root, tip=resolved[1]
    )


def _names(data: bytes) -> tuple[set[str], dict[str, str], set[str]]:
    """Paths of a ``--name-status -z`` listing, ``{new: old}`` for renames/copies, added paths."""
    tokens = data.decode("utf-8", "replace").split("\0")
    names, origins, added, i = set(), {}, set(), 0
    while i < len(tokens):
        status = tokens[i]
        if not status:
            i += 1
            continue
        width = 2 if status[:1] in "RC" else 1
        names.add(tokens[i + width])
        if width == 2:
            origins[tokens[i + 2]] = tokens[i + 1]
        elif status == "A":
            added.add(tokens[i + 1])
        i += 1 + width
    return names, origins, added
