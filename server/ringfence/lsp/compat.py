"""Every pygls internal ringfence touches, in one place, checked against the tested pygls.

pygls 2's public API (``LanguageServer``, ``feature``/``command``, ``protocol.notify`` /
``send_request_async``, ``start_io``/``start_tcp``, ``pygls.workspace``, ``pygls.uris``) covers
most of the server. A few things need more, and each goes through a function here:

- documents kept as line lists: ``LineDocument`` overrides ``TextDocument``'s private change
  hooks and ``LineWorkspace`` overrides ``Workspace._create_text_document``; the workspace is
  swapped into the protocol's ``_workspace`` before the first ``didOpen``;
- publishing pre-rendered diagnostics: the frame is written straight to the protocol's
  ``writer`` (with its ``CONTENT_TYPE``/``CHARSET``), lsprotocol objects serialised with its
  ``_serialize_message``;
- two pygls bugs worked around in ``RingfenceProtocol``: futures of generator notification
  handlers left in ``_request_futures``, and requests whose params do not parse left unanswered
  (answered with ``_send_response``);
- ``ringfence demo`` (and the tests' editor) register a structure hook on the client's cattrs
  ``_converter``.

``TESTED`` is the pygls minor version these were checked with; ``problems()`` names every
internal the installed pygls lacks, and ``tests/test_pygls_compat.py`` fails on any of them.
pyproject pins pygls to that minor version.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NamedTuple

TESTED = (2, 1)  # pygls major.minor the internals below were tested with (2.1.1)


class Internal(NamedTuple):
    """One pygls attribute outside its public API: where it lives and what ringfence uses it for."""

    module: str
    owner: str  # a class in ``module`` ("" for the module itself)
    name: str
    why: str


INTERNALS: tuple[Internal, ...] = (
    Internal(
        "pygls.workspace",
        "TextDocument",
        "_apply_incremental_change",
        "LineDocument splices its line list on incremental changes",
    ),
    Internal(
        "pygls.workspace",
        "TextDocument",
        "_apply_full_change",
        "LineDocument turns a whole-document change into line edits",
    ),
    Internal(
        "pygls.workspace",
        "Workspace",
        "_create_text_document",
        "LineWorkspace creates LineDocuments",
    ),
    Internal("pygls.protocol", "LanguageServerProtocol", "_workspace", "the swapped-in workspace"),
    Internal(
        "pygls.protocol",
        "JsonRPCProtocol",
        "_handle_notification",
        "RingfenceProtocol drops the futures pygls leaks per notification",
    ),
    Internal(
        "pygls.protocol",
        "JsonRPCProtocol",
        "_request_futures",
        "the futures pygls keeps per message id",
    ),
    Internal(
        "pygls.protocol",
        "JsonRPCProtocol",
        "structure_message",
        "RingfenceProtocol answers requests whose params do not parse",
    ),
    Internal(
        "pygls.protocol", "JsonRPCProtocol", "_send_response", "the error answer to such a request"
    ),
    Internal(
        "pygls.protocol",
        "JsonRPCProtocol",
        "_serialize_message",
        "lsprotocol objects in a pre-rendered diagnostics frame",
    ),
    Internal("pygls.protocol", "JsonRPCProtocol", "writer", "frames written by ringfence itself"),
    Internal("pygls.protocol", "JsonRPCProtocol", "CONTENT_TYPE", "the frame header"),
    Internal("pygls.protocol", "JsonRPCProtocol", "CHARSET", "the frame header and its encoding"),
    Internal("pygls.protocol", "JsonRPCProtocol", "_converter", "the client's structure hooks"),
    Internal(
        "pygls.io_",
        "StdoutWriter",
        "write",
        "start_io's stdout gets one write per frame (transport.FrameWriter keeps it whole)",
    ),
)

# attributes set per instance in __init__ (not on the class): checked on a fresh instance
_INSTANCE_ATTRIBUTES = {"_workspace", "_request_futures", "writer", "_converter"}


def pygls_version() -> str:
    try:
        return version("pygls")
    except PackageNotFoundError:
        return "not installed"


def version_problem(found: str | None = None) -> str | None:
    """Why the installed pygls is outside the tested minor version (None: it is inside)."""
    found = pygls_version() if found is None else found
    parts = found.split(".")
    try:
        major_minor = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        return f"pygls {found}: cannot read its version; ringfence was tested with pygls 2.1"
    if major_minor != TESTED:
        tested = ".".join(map(str, TESTED))
        return (
            f"pygls {found} is installed; ringfence's pygls internals (ringfence/lsp/compat.py) "
            f"were tested with pygls {tested}.x only"
        )
    return None


def missing(internals: tuple[Internal, ...] = INTERNALS) -> list[str]:
    """One line per internal the installed pygls lacks, naming the attribute and its use."""
    out = []
    for item in internals:
        try:
            owner: Any = importlib.import_module(item.module)
            if item.owner:
                owner = getattr(owner, item.owner)
        except (ImportError, AttributeError) as exc:
            out.append(f"{item.module}.{item.owner}: {exc} (used for: {item.why})")
            continue
        if not _has(owner, item.name):
            where = f"{item.module}.{item.owner}" if item.owner else item.module
            out.append(f"{where} has no attribute {item.name!r} (used for: {item.why})")
    return out


def _has(owner: Any, name: str) -> bool:
    if hasattr(owner, name):
        return True
    if name not in _INSTANCE_ATTRIBUTES or not inspect.isclass(owner):
        return False
    return hasattr(_instance(owner), name)


def _instance(cls: type) -> Any:
    """A throw-away protocol instance (per-instance attributes exist only once one is built)."""
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("ringfence-compat", "0")
    protocol = client.protocol
    return protocol if isinstance(protocol, cls) else cls


def problems() -> list[str]:
    """Everything that makes the installed pygls unsafe for ringfence's internals."""
    found = [version_problem()] + missing()
    return [p for p in found if p]


# ----- the uses ------------------------------------------------------------------------------


def replace_workspace(protocol: Any, workspace: Any) -> None:
    """Make ``workspace`` the one the protocol's document handlers update."""
    protocol._workspace = workspace


def workspace_sync_kind(workspace: Any) -> Any:
    """The text document sync kind a pygls workspace was built with."""
    return workspace._sync_kind


def request_futures(protocol: Any) -> dict:
    """The protocol's in-flight futures by message id."""
    return protocol._request_futures


def answer_error(protocol: Any, msg_id: int | str, error: Any) -> None:
    """Answer request ``msg_id`` with a JSON-RPC error."""
    protocol._send_response(msg_id, error=error)


def json_default(protocol: Any) -> Callable[[Any], Any]:
    """``json.dumps(default=…)`` for lsprotocol objects, as the protocol serialises them."""
    return protocol._serialize_message


def has_transport(protocol: Any) -> bool:
    """Whether the protocol can send anything yet (its writer is set once the stream opened)."""
    return getattr(protocol, "writer", None) is not None


def write_frame(protocol: Any, body: str) -> bool:
    """Write one JSON-RPC message ``body`` (JSON text) as a frame; False without a transport."""
    writer = getattr(protocol, "writer", None)
    if writer is None:
        return False
    charset = protocol.CHARSET
    data = body.encode(charset)
    if getattr(protocol, "_include_headers", True):
        header = (
            f"Content-Length: {len(data)}\r\n"
            f"Content-Type: {protocol.CONTENT_TYPE}; charset={charset}\r\n\r\n"
        )
        data = header.encode("ascii") + data
    result = writer.write(data)
    if inspect.isawaitable(result):
        asyncio.ensure_future(result)
    return True


def register_structure_hook(protocol: Any, kind: Any, hook: Callable) -> None:
    """Teach a (client) protocol's cattrs converter to structure ``kind`` with ``hook``."""
    protocol._converter.register_structure_hook(kind, hook)
