"""ringfence's pygls internals (``ringfence/lsp/compat.py``) exist in the installed pygls.

Each test names what is missing, so a pygls upgrade that moves an internal fails here, loudly,
instead of somewhere deep in an LSP session. The last tests drive the internals for real: a
pygls protocol, a real pipe, a real LineDocument.
"""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import Workspace

from ringfence.lsp import compat
from ringfence.lsp.document import LineDocument, LineWorkspace
from ringfence.lsp.transport import FrameWriter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_installed_pygls_is_the_tested_minor_version():
    problem = compat.version_problem()
    assert problem is None, problem


def test_a_pygls_outside_the_tested_minor_is_named():
    assert compat.version_problem("2.1.9") is None
    assert "pygls 2.2.0 is installed" in (compat.version_problem("2.2.0") or "")
    assert "pygls 3.0.0 is installed" in (compat.version_problem("3.0.0") or "")
    assert "cannot read its version" in (compat.version_problem("garbage") or "")


@pytest.mark.parametrize("internal", compat.INTERNALS, ids=lambda i: f"{i.owner}.{i.name}")
def test_every_internal_we_touch_exists(internal):
    assert compat.missing((internal,)) == [], compat.missing((internal,))


def test_a_missing_internal_is_named_with_its_use():
    gone = compat.Internal("pygls.protocol", "JsonRPCProtocol", "_gone_in_2_2", "a test")
    no_class = compat.Internal("pygls.protocol", "NoSuchProtocol", "x", "a test")
    assert compat.missing((gone, no_class)) == [
        "pygls.protocol.JsonRPCProtocol has no attribute '_gone_in_2_2' (used for: a test)",
        "pygls.protocol.NoSuchProtocol: module 'pygls.protocol' has no attribute "
        "'NoSuchProtocol' (used for: a test)",
    ]
    assert compat.problems() == []


def test_pyproject_pins_pygls_to_the_tested_minor():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        deps = tomllib.load(handle)["project"]["dependencies"]
    (pin,) = [d for d in deps if re.match(r"pygls\b", d)]
    major, minor = compat.TESTED
    assert pin.replace(" ", "") == f"pygls>={major}.{minor},<{major}.{minor + 1}", pin


def test_frames_go_out_whole_through_the_protocol_writer():
    server = LanguageServer("compat-test", "0")
    protocol = server.protocol
    assert not compat.has_transport(protocol) and not compat.write_frame(protocol, "{}")
    read, write = os.pipe()
    try:
        protocol.set_writer(FrameWriter(write))
        body = json.dumps({"jsonrpc": "2.0", "method": "x", "params": {"m": "zone ‘é’"}})
        assert compat.has_transport(protocol) and compat.write_frame(protocol, body)
        data = os.read(read, 65536)
    finally:
        os.close(read)
    header, _, payload = data.partition(b"\r\n\r\n")
    assert header.startswith(b"Content-Length: %d\r\n" % len(payload))
    assert json.loads(payload) == json.loads(body)
    position = types.Position(line=1, character=2)
    assert json.loads(json.dumps(position, default=compat.json_default(protocol))) == {
        "line": 1,
        "character": 2,
    }


def test_line_documents_receive_pygls_changes_through_the_private_hooks():
    server = LanguageServer("compat-test", "0")
    workspace = LineWorkspace.replacing(Workspace(None))
    compat.replace_workspace(server.protocol, workspace)
    assert server.workspace is workspace
    assert compat.workspace_sync_kind(workspace) == types.TextDocumentSyncKind.Incremental
    uri = "file:///tmp/ringfence-compat.py"
    workspace.put_text_document(types.TextDocumentItem(uri, "python", 1, "a = 1\nb = 2\n"))
    doc = workspace.get_text_document(uri)
    assert isinstance(doc, LineDocument)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 0), types.Position(1, 0)), text="ai = 0\n"
    )
    doc.apply_change(change)  # pygls' public entry point calls our _apply_incremental_change
    assert doc.lines == ["a = 1\n", "ai = 0\n", "b = 2\n"]
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text="z\n"))
    assert doc.lines == ["z\n"]
