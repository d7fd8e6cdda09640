"""Path normalisation (docs/security.md, "Paths") and repository discovery, without spawning git.

Every path is made absolute, ``.``/``..``/``//`` collapsed, NFC normalised and made
repository-relative. ``\\`` is a separator only on Windows: on POSIX it is an ordinary character
of a file name, so ``training/a\\..\\x.py`` is a file inside ``training/``. Since a symlink
followed by ``..`` lands where the kernel says, not where lexical collapsing says,
:func:`kernel_path` gives the kernel's answer for callers that judge both.

The repository root is the outermost git work tree holding a path (a submodule belongs to its
superproject), else the given fallback directory. A ``.git`` counts only when git itself would
accept it (:func:`is_git_dir`): an empty ``.git`` directory or a ``.git`` file that names no
real git directory is no repository boundary at all. A real repository nested in another one
(not a submodule) is its own root, but :func:`enclosing_root` names the repository around it,
whose policy keeps applying (the engine judges by both, raise-only).

Paths here are strings (``os.path``), not ``pathlib`` objects: every hook imports this module,
and pathlib costs a process ~4 ms to import.
"""

from __future__ import annotations

import os
import posixpath

from ringfence.policy.files import read_regular

WINDOWS = os.name == "nt"
_HEAD_BYTES = 256


def separators(path: str) -> str:
    """``path`` with this OS's separators made ``/`` (``\\`` only on Windows)."""
    return path.replace("\\", "/") if WINDOWS else path


def clean(path: str, cwd: str) -> str:
    """An absolute, collapsed, ``/``-separated, NFC form of ``path`` (no filesystem access)."""
    path = separators(path)
    if not posixpath.isabs(path):
        path = posixpath.join(separators(cwd), path)
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if not path.isascii():
        path = _nfc(path)
    return path


def kernel_path(path: str, cwd: str) -> str:
    """Where the OS puts ``path``: symlinks resolved component by component, ``..`` after them.

    ``src/lnk/../x.py`` with ``src/lnk`` a link to ``zone/sub`` is ``zone/x.py`` here, while
    :func:`clean` says ``src/x.py``.
    """
    joined = posixpath.join(separators(cwd), separators(path))
    try:
        return clean(os.path.realpath(joined), "/")
    except (OSError, ValueError):
        return clean(joined, "/")


def relative_to(abspath: str, root: str, ignore_case: bool = False) -> str | None:
    """``abspath`` relative to ``root`` ("" for the root itself), None when outside."""
    a, r = (abspath.lower(), root.lower()) if ignore_case else (abspath, root)
    if a == r:
        return ""
    prefix = r.rstrip("/") + "/"
    if a.startswith(prefix):
        return abspath[len(prefix) :]
    return None


# ----- repository discovery ----------------------------------------------------------------


def is_git_dir(gitdir: str) -> bool:
    """Whether git would accept ``gitdir`` as a git directory (git's own test, setup.c).

    It needs a ``HEAD`` that is a symbolic ref into ``refs/`` or an object id, and ``objects/``
    and ``refs/`` in its common directory (a worktree's ``commondir`` file names that).
    """
    common = _commondir(gitdir)
    if common is None or not (
        os.path.isdir(os.path.join(common, "objects"))
        and os.path.isdir(os.path.join(common, "refs"))
    ):
        return False
    return _valid_head(os.path.join(gitdir, "HEAD"))


def gitdir_of(marker: str) -> str | None:
    """The git directory a ``.git`` entry stands for, None when it is not a real one."""
    if os.path.isdir(marker):
        return marker if is_git_dir(marker) else None
    target = _gitfile_target(marker)
    return target if target is not None and is_git_dir(target) else None


def _gitfile_target(marker: str) -> str | None:
    """The directory a ``gitdir: PATH`` file names (resolved against the file's directory)."""
    try:
        head = read_regular(marker, 4096)
    except (OSError, ValueError):
        return None
    text = head.decode("utf-8", errors="replace").strip()
    if not text.startswith("gitdir:"):
        return None
    body = text[len("gitdir:") :].strip()
    gitdir = body.splitlines()[0].strip() if body else ""
    if not gitdir:
        return None
    if not os.path.isabs(gitdir):
        gitdir = os.path.join(os.path.dirname(marker), gitdir)
    return os.path.realpath(gitdir)


def _commondir(gitdir: str) -> str | None:
    path = os.path.join(gitdir, "commondir")
    try:
        named = read_regular(path, 4096).decode("utf-8").strip()
    except FileNotFoundError:
        return gitdir
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return os.path.realpath(os.path.join(gitdir, named)) if named else None


def _valid_head(head: str) -> bool:
    if os.path.islink(head):
        return os.readlink(head).startswith("refs/")
    try:
        text = read_regular(head, _HEAD_BYTES).decode("ascii").strip()
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if text.startswith("ref:"):
        return text[4:].strip().startswith("refs/")
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _is_submodule(gitdir: str) -> bool:
    """A submodule's git directory lives in its superproject's ``modules/`` directory."""
    return "/modules/" in gitdir.replace(os.sep, "/")


def _nearest_repository(directory: str) -> tuple[str, str] | None:
    """``(work tree, git dir)`` of the nearest real repository at or above ``directory``."""
    while True:
        marker = os.path.join(directory, ".git")
        if os.path.lexists(marker):
            gitdir = gitdir_of(marker)
            if gitdir is not None:
                return directory, gitdir
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _work_tree_root(directory: str) -> str | None:
    """The root of the work tree holding ``directory``: submodules belong to their superproject."""
    found = _nearest_repository(directory)
    root = None
    while found is not None:
        root, gitdir = found
        if not _is_submodule(gitdir):
            break
        parent = os.path.dirname(root)
        found = _nearest_repository(parent) if parent != root else None
    return root


def find_root(start: str | os.PathLike[str], fallback: str | None = None) -> str:
    """The repository root for ``start``: the outermost git work tree, else the fallback."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):  # a file, a device (/dev/null), a FIFO or a path to be created
        here = os.path.dirname(here)
    root = _work_tree_root(here)
    if root is not None:
        return root
    return os.path.abspath(fallback) if fallback else here


def enclosing_root(root: str | os.PathLike[str]) -> str | None:
    """The root of a real repository around the repository at ``root``, if any.

    Its policy keeps applying to every path under its work tree, the nested repository's
    included: a nested repository can raise levels, never cut the outer policy.
    """
    here = os.path.abspath(root)
    parent = os.path.dirname(here)
    return None if parent == here else _work_tree_root(parent)


def git_common_dir(root: str | os.PathLike[str]) -> str | None:
    """The git common directory (shared by worktrees) of the repository at ``root``."""
    marker = os.path.join(root, ".git")
    if os.path.isdir(marker):
        return marker
    if not os.path.isfile(marker):
        return None
    gitdir = _gitfile_target(marker)
    if gitdir is None:
        return None
    return _commondir(gitdir)


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
