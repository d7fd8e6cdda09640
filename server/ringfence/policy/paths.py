"""Path normalisation (SPEC §3.1) and repository discovery, without spawning git.

Every path is made absolute, ``.``/``..``/``//`` collapsed, ``\\`` turned into ``/``, NFC
normalised and made repository-relative. The repository root is the outermost git work tree
(a submodule belongs to its superproject), else the given fallback directory.

Paths here are strings (``os.path``), not ``pathlib`` objects: every hook imports this module,
and pathlib costs a process ~4 ms to import.
"""

from __future__ import annotations

import os
import posixpath


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


def _is_submodule_gitfile(marker: str) -> bool:
    if not os.path.isfile(marker):
        return False
    try:
        with open(marker, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    return "/modules/" in text.replace("\\", "/")


def find_root(start: str | os.PathLike[str], fallback: str | None = None) -> str:
    """The repository root for ``start``: the outermost git work tree, else ``fallback``/``start``."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):  # a file, a device (/dev/null), a FIFO or a path to be created
        here = os.path.dirname(here)
    found: str | None = None
    directory = here
    while True:
        marker = os.path.join(directory, ".git")
        if os.path.exists(marker):
            found = directory
            if not _is_submodule_gitfile(marker):
                break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    if found is not None:
        return found
    return os.path.abspath(fallback) if fallback else here


def git_common_dir(root: str | os.PathLike[str]) -> str | None:
    """The git common directory (shared by worktrees) of the repository at ``root``."""
    marker = os.path.join(root, ".git")
    if os.path.isdir(marker):
        return marker
    if not os.path.isfile(marker):
        return None
    try:
        with open(marker, encoding="utf-8") as handle:
            text = handle.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    gitdir = text[len("gitdir:"):].strip()
    if not os.path.isabs(gitdir):
        gitdir = os.path.realpath(os.path.join(os.path.dirname(marker), gitdir))
    commondir = os.path.join(gitdir, "commondir")
    if os.path.isfile(commondir):
        try:
            with open(commondir, encoding="utf-8") as handle:
                return os.path.realpath(os.path.join(gitdir, handle.read().strip()))
        except (OSError, UnicodeDecodeError):
            return None
    return gitdir


def volume_is_case_insensitive(root: str | os.PathLike[str]) -> bool:
    """True when the volume holding ``root`` ignores case (checked on an entry of the root)."""
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                swapped = entry.name.swapcase()
                if swapped != entry.name:
                    try:
                        return os.path.samefile(os.path.join(root, swapped), entry.path)
                    except OSError:
                        return False
    except OSError:
        return False
    return False


def _nfc(text: str) -> str:
    """NFC form of ``text`` (unicodedata loads only when a non-ASCII path needs it)."""
    from unicodedata import normalize

    return normalize("NFC", text)
