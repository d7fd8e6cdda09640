"""Bad input never kills the server or corrupts stdout: odd URIs, text, edits, requests."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

import test_lsp_editor
from test_lsp_editor import SERVER, SERVER_ENV, start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

SNIPPET = "def extra():\n    value = 1\n    return value\n"
GENERATE = "training/datagen/generate.py"


async def alive(ed, uri: str) -> None:
    """The server still answers and still finds AI edits."""
    ed.ai_insert(uri, 0, "alive = True\n", tool="copilot")
    assert any(d.code == "RF001" for d in await ed.diagnostics(uri, until=lambda d: d))


async def test_untitled_and_foreign_documents_are_ignored_and_notebook_cells_classified(
    lsp, demo_repo
):
    ed = await start(lsp, demo_repo)
    untitled = ed.open_uri("untitled:Untitled-1", "x = 1\n")
    ed.ai_insert(untitled, 0, SNIPPET)
    git_doc = ed.open_uri(f"git:/{demo_repo}/{GENERATE}?HEAD", "x = 1\n")
    ed.ai_insert(git_doc, 0, SNIPPET)
    cell = ed.open_uri(
        f"vscode-notebook-cell:{demo_repo}/training/datagen/explore.ipynb#W0sZmlsZQ%3D%3D",
        "import json\n",
    )
    ed.ai_insert(cell, 1, SNIPPET, tool="copilot")
    (rf001,) = await ed.diagnostics(cell, until=lambda d: d)
    assert "human-only zone 'training-data'" in rf001.message
    await asyncio.sleep(0.4)
    published = {uri for uri, _, _ in ed.client.published}
    assert untitled not in published and git_doc not in published
    assert await ed.request("ringfence/explain", {"uri": untitled}) is None


async def test_binary_and_undecodable_text_and_huge_documents(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    binary = ed.open(
        "training/datagen/blob.bin", "\x00\x01\x02PK\x03\x04\ufffd\ufffd\n" * 10, language_id=""
    )
    ed.insert(binary, 2, "\x00\x00\x00\n" * 5)
    ed.ai_insert(binary, 0, "\x00ai\n")
    assert [d.code for d in await ed.diagnostics(binary, until=lambda d: d)] == ["RF001"]
    lone = ed.open("training/datagen/odd.py", "s = '\ud800'\n")
    ed.ai_insert(lone, 1, "t = '\udfff'\n")
    assert [d.code for d in await ed.diagnostics(lone, until=lambda d: d)] == ["RF001"]
    row = "x" * 99 + "\n"
    huge = ed.open("training/datagen/huge.py", row * 500_000)  # 50 MB
    ed.insert(huge, 250_000, "y = 1\n")
    ed.ai_insert(huge, 400_000, SNIPPET)
    found = await ed.diagnostics(huge, until=lambda d: d, timeout=60)
    assert [(d.code, d.range.start.line) for d in found] == [("RF001", 400_000)]


async def test_out_of_range_edits_and_malformed_notifications(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open(GENERATE)
    count = len(ed.lines(uri))
    far = types.Range(
        start=types.Position(line=10_000, character=5), end=types.Position(line=20_000, character=0)
    )
    ed.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=far, text="# appended\n")
            ],
        )
    )
    ed.versions[uri] = 2
    ed.texts[uri] += "# appended\n"  # what clients do: clamp to the end
    ed.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri="file:///not/open.py", version=9
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    for bad in (
        {},
        {"textDocument": {"uri": uri}, "origin": "telepathy"},
        {"textDocument": {"uri": uri, "version": "2"}, "origin": "ai"},
        {"textDocument": {"uri": uri}, "origin": "ai", "ranges": [{"start": 1}]},
        {"textDocument": {"uri": "file:///not/open.py"}, "origin": "ai"},
        ["not", "an", "object"],
    ):
        ed.client.protocol.notify("ringfence/editOrigin", bad)
    ed.client.protocol.notify("ringfence/unknownNotification", {"x": 1})
    with pytest.raises(JsonRpcException):
        await ed.request("ringfence/explain", {"path": "nope"})
    with pytest.raises(JsonRpcException):
        await ed.request("ringfence/noSuchRequest", {})
    ed.ai_insert(uri, count, SNIPPET)
    found = await ed.diagnostics(uri, until=lambda d: d)
    assert [(d.code, d.range.start.line) for d in found] == [("RF001", count)]
    (revert,) = [a for a in await ed.actions(uri, count) if a.title.startswith("Revert")]
    await ed.run(revert)
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
    await alive(ed, uri)


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_stdout_carries_only_protocol_even_for_garbage_input(demo_repo):
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": demo_repo.as_uri(), "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    ]
    payload = b"".join(frame(m) for m in messages)
    payload += b"Content-Length: 12\r\n\r\n{not json!!}"
    payload += frame(
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 7}}
    )
    payload += frame(
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "ringfence/explain",
            "params": {"uri": (demo_repo / GENERATE).as_uri()},
        }
    )
    payload += frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
    payload += frame({"jsonrpc": "2.0", "method": "exit"})
    done = subprocess.run(SERVER, input=payload, capture_output=True, timeout=60, env=SERVER_ENV)
    out, replies = done.stdout, {}
    while out:
        header, _, rest = out.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        assert set(fields) <= {b"Content-Length", b"Content-Type"}, out[:200]
        length = int(fields[b"Content-Length"])
        message = json.loads(rest[:length])
        out = rest[length:]
        if "id" in message:
            replies[message["id"]] = message
    assert replies[2]["result"]["level"] == "human-only"
    assert replies[3]["result"] is None
    assert done.returncode == 0, done.stderr.decode()
    assert (
        b"Unable to handle message" in done.stderr
    )  # logged on stderr, answered nothing on stdout


def test_lsp_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "ringfence", "lsp", "--tcp", "nonsense"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.startswith("ringfence: --tcp wants HOST:PORT")
    done = subprocess.run(
        [sys.executable, "-m", "ringfence", "lsp", "--stdio", "--tcp", "h:1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_tcp_transport(demo_repo):
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "ringfence", "lsp", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=SERVER_ENV,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.1)
        with connection:
            connection.sendall(
                frame(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {
                            "processId": None,
                            "rootUri": demo_repo.as_uri(),
                            "capabilities": {},
                        },
                    }
                )
            )
            data = b""
            while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < int(
                data.split(b"Content-Length: ")[1].split(b"\r\n")[0]
            ):
                chunk = connection.recv(65536)
                assert chunk, "connection closed"
                data += chunk
            reply = json.loads(data.partition(b"\r\n\r\n")[2])
            assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "ringfence"
            assert (
                "ringfence.revert"
                in reply["result"]["capabilities"]["executeCommandProvider"]["commands"]
            )
    finally:
        server.kill()
        server.communicate(timeout=30)
