"""Document URIs as the language server receives them, turned into local paths (docs/lsp.md).

The one rule for which URIs name a file ringfence classifies:

- ``file:`` URIs, the scheme in any case (RFC 3986: ``FILE:///x`` is ``file:///x``), with no
  authority, an empty one (``file:///x``) or ``localhost`` (``file://localhost/x``, RFC 8089);
  percent-escapes are decoded and a query or fragment is not part of the path;
- VS Code notebook cells (``vscode-notebook-cell:`` + the notebook's path + ``#cell``): the
  notebook file, flagged as a cell.

A URI on another host (``file://server/share/x``: not this machine's file), any other scheme
(``untitled:``, ``git:``, ``vscode-vfs:``) and a URI without a path name no file: None. Pure
standard library, no LSP types.
"""

from __future__ import annotations

import re

from ringfence.policy.paths import WINDOWS, clean

FILE_SCHEME = "file"
NOTEBOOK_CELL_SCHEME = "vscode-notebook-cell"
LOCAL_HOSTS = ("", "localhost")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DRIVE = re.compile(r"^/[A-Za-z]:")


def file_path(uri: str) -> str | None:
    """The local absolute path a ``file:`` URI names (``/``-separated, cleaned), else None."""
    found = _split(uri)
    return found[0] if found is not None and found[1] == FILE_SCHEME else None


def document_path(uri: str) -> tuple[str, bool] | None:
    """``(absolute path, is notebook cell)`` for a document ringfence classifies, else None."""
    found = _split(uri)
    if found is None or found[1] not in (FILE_SCHEME, NOTEBOOK_CELL_SCHEME):
        return None
    return found[0], found[1] == NOTEBOOK_CELL_SCHEME


def _split(uri: str) -> tuple[str, str] | None:
    """``(local path, lower-case scheme)``; None without a scheme, a path or a local host."""
    match = _SCHEME.match(uri)
    if match is None:
        return None
    scheme = match.group(1).lower()
    rest = re.split(r"[?#]", uri[match.end() :], maxsplit=1)[0]
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        if host.lower() not in LOCAL_HOSTS or not slash:
            return None
        rest = "/" + path
    if not rest.startswith("/"):
        return None  # a relative or opaque URI names no file
    from urllib.parse import unquote

    path = unquote(rest)  # an invalid UTF-8 escape becomes U+FFFD, as in pygls
    if WINDOWS and _DRIVE.match(path):
        path = path[1:]  # file:///C:/x -> C:/x
    return clean(path, "/"), scheme
