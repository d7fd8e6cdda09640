"""Small git facts read straight from the repository files (no ``git`` process on hot paths)."""

from __future__ import annotations

import os
from pathlib import Path

from ringfence.policy.paths import git_common_dir


def _gitdir(root: str | os.PathLike[str]) -> Path | None:
    marker = Path(root) / ".git"
    if marker.is_dir():
        return marker
    try:
        text = marker.read_text().strip()
    except OSError:
        return None
    if text.startswith("gitdir:"):
        gitdir = Path(text[len("gitdir:") :].strip())
        return gitdir if gitdir.is_absolute() else (marker.parent / gitdir).resolve()
    return None


def head_revision(root: str | os.PathLike[str]) -> str | None:
    """The commit HEAD points at, or None (no repository, or no commit yet)."""
    gitdir = _gitdir(root)
    if gitdir is None:
        return None
    try:
        head = (gitdir / "HEAD").read_text().strip()
    except OSError:
        return None
    if not head.startswith("ref:"):
        return head or None
    ref = head[4:].strip()
    common_dir = git_common_dir(root)
    common = Path(common_dir) if common_dir is not None else gitdir
    for base in (gitdir, common):
        try:
            return (base / ref).read_text().strip()
        except OSError:
            continue
    try:
        for line in (common / "packed-refs").read_text().splitlines():
            sha, _, name = line.partition(" ")
            if name == ref:
                return sha
    except OSError:
        pass
    return None
