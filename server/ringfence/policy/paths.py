"""Path normalisation (SPEC §3.1) and repository discovery, without spawning git.

Every path is made absolute, ``.``/``..``/``//`` collapsed, ``\\`` turned into ``/``, NFC
normalised and made repository-relative. The repository root is the outermost git work tree
(a submodule belongs to its superproject), else the given fallback directory.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path


def clean(path: str, cwd: str) -> str:
    """An absolute, collapsed, ``/``-separated, NFC form of ``path`` (no filesystem access)."""
    path = path.replace("\\", "/")
    if not posixpath.isabs(path):
        path = posixpath.join(cwd.replace("\\", "/"), path)
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if not path.isascii():
        path = _nfc(path)
    return path


def relative_to(abspath: str, root: str, ignore_case: bool = False) -> str | None:
    """``abspath`` relative to ``root`` ("" for the root itself), None when outside."""
    a, r = (abspath.lower(), root.lower()) if ignore_case else (abspath, root)
    if a == r:
        return ""
    prefix = r.rstrip("/") + "/"
    if a.startswith(prefix):
        return abspath[len(prefix):]
    return None


def _git_marker(directory: Path) -> Path | None:
    marker = directory / ".git"
    return marker if marker.exists() else None


def _is_submodule_gitfile(marker: Path) -> bool:
    if not marker.is_file():
        return False
    try:
        text = marker.read_text(errors="replace")
    except OSError:
        return False
    return "/modules/" in text.replace("\\", "/")


def find_root(start: str | os.PathLike[str], fallback: str | None = None) -> Path:
    """The repository root for ``start``: the outermost git work tree, else ``fallback``/``start``."""
    here = Path(os.path.abspath(start))
    if here.is_file() or not here.exists():
        here = here.parent
    found: Path | None = None
    for directory in (here, *here.parents):
        marker = _git_marker(directory)
        if marker is None:
            continue
        found = directory
        if not _is_submodule_gitfile(marker):
            break
    if found is not None:
        return found
    return Path(os.path.abspath(fallback)) if fallback else here


def git_common_dir(root: str | os.PathLike[str]) -> Path | None:
    """The git common directory (shared by worktrees) of the repository at ``root``."""
    marker = Path(root) / ".git"
    if marker.is_dir():
        return marker
    if not marker.is_file():
        return None
    try:
        text = marker.read_text().strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    gitdir = Path(text[len("gitdir:"):].strip())
    if not gitdir.is_absolute():
        gitdir = (marker.parent / gitdir).resolve()
    commondir = gitdir / "commondir"
    if commondir.is_file():
        return (gitdir / commondir.read_text().strip()).resolve()
    return gitdir


def volume_is_case_insensitive(root: str | os.PathLike[str]) -> bool:
    """True when the volume holding ``root`` ignores case (checked on an entry of the root)."""
    root = Path(root)
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                swapped = entry.name.swapcase()
                if swapped != entry.name:
                    try:
                        return os.path.samefile(root / swapped, entry.path)
                    except OSError:
                        return False
    except OSError:
        return False
    return False


def _nfc(text: str) -> str:
    """NFC form of ``text`` (unicodedata loads only when a non-ASCII path needs it)."""
    from unicodedata import normalize

    return normalize("NFC", text)
