"""Fuzz the language server with random valid and invalid message sequences over real stdio.

One real ``ringfence lsp --stdio`` process per test module takes hypothesis-generated sequences
of open / change / close / ``ringfence/editOrigin`` / codeAction / executeCommand, with
out-of-range positions, stale and skipped versions, wrong types, unknown documents and methods
and unparsable JSON bodies. After every sequence: the server is alive, answers a request, still
judges a human-only file human-only, and has written nothing but framed JSON-RPC to stdout. At the
end it still reports an AI edit as RF001 and exits cleanly. Budget: ``fuzz.budget``.
"""

from __future__ import annotations

import shutil
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import DEMO, init_repo
from fuzz import budget
from fuzz.rpc import RawServer, did_change, did_open, edit_origin

FILES = [
    "training/datagen/generate.py",
    "serving/api.py",
    "docs/guide.md",
    "app/main.py",
    "evals/e.py",
]
COMMANDS = [
    "ringfence.revert",
    "ringfence.tagProvenance",
    "ringfence.markReviewed",
    "ringfence.dismissHeuristic",
    "ringfence.openZone",
    "ringfence.handoff",
    "ringfence.nope",
    "",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("lspfuzz") / "demo"
    shutil.copytree(DEMO, root)
    init_repo(root)
    srv = RawServer(root)
    srv.initialize()
    yield srv
    srv.close()


numbers = st.one_of(st.integers(-3, 40), st.sampled_from([2**31, -(2**31), 10**12]))
uintegers = st.one_of(
    st.integers(0, 40), st.just(2**31 - 1)
)  # requests: pygls drops invalid ones unanswered
junk = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.text(max_size=10),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def position(values=numbers):
    return st.fixed_dictionaries({"line": values, "character": values})


def a_range(values=numbers):
    ranges = st.fixed_dictionaries({"start": position(values), "end": position(values)})
    return ranges if values is uintegers else st.one_of(ranges, junk)


@st.composite
def message(draw, root):
    rel = draw(st.sampled_from(FILES))
    uri = draw(
        st.sampled_from(
            [
                (root / rel).as_uri(),
                "untitled:Untitled-1",
                "file:///not/in/repo.py",
                f"vscode-notebook-cell:{root}/evals/nb.ipynb#W0",
                "file:///%zz",
                "nonsense",
            ]
        )
    )
    version = draw(numbers)
    kind = draw(
        st.sampled_from(
            ["open", "change", "full", "origin", "close", "action", "command", "bad", "junk"]
        )
    )
    if kind == "open":
        return "n", "textDocument/didOpen", did_open(uri, draw(st.text(max_size=60)), version)
    if kind == "change":
        change = did_change(uri, version, 0, draw(st.text(max_size=40)))
        change["contentChanges"][0]["range"] = draw(a_range())
        return "n", "textDocument/didChange", change
    if kind == "full":
        return (
            "n",
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": draw(st.text(max_size=80))}],
            },
        )
    if kind == "origin":
        params = edit_origin(
            uri,
            version,
            draw(numbers),
            draw(numbers),
            draw(st.sampled_from(["copilot", "", "x" * 500])),
        )
        params["origin"] = draw(
            st.sampled_from(["ai", "paste", "undo", "format", "human", "telepathy", 7])
        )
        if draw(st.booleans()):
            params["ranges"] = draw(st.one_of(st.lists(a_range(), max_size=3), junk))
        return "n", "ringfence/editOrigin", params
    if kind == "close":
        return "n", "textDocument/didClose", {"textDocument": {"uri": uri}}
    if kind == "action":
        return (
            "r",
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": draw(a_range(uintegers)),
                "context": {"diagnostics": []},
            },
        )
    if kind == "command":
        args = draw(
            st.one_of(
                st.just([{"uri": uri, "regionId": draw(st.text(max_size=8))}]),
                st.lists(junk, max_size=2),
            )
        )
        return (
            "r",
            "workspace/executeCommand",
            {"command": draw(st.sampled_from(COMMANDS)), "arguments": args},
        )
    if kind == "bad":
        return (
            "n",
            draw(
                st.sampled_from(
                    [
                        "textDocument/didOpen",
                        "textDocument/didChange",
                        "ringfence/editOrigin",
                        "ringfence/unknown",
                        "$/cancelRequest",
                    ]
                )
            ),
            draw(junk),
        )
    return "raw", None, b"{" + draw(st.binary(max_size=20)).replace(b"\r\n\r\n", b"")


@budget(150)
@given(data=st.data())
def test_random_message_sequences_never_break_the_server(server, data):
    for _ in range(data.draw(st.integers(1, 15))):
        how, method, params = data.draw(message(server.root))
        if how == "n":
            server.notify(method, params)
        elif how == "r":
            reply = server.request(method, params, timeout=30)
            assert "result" in reply or "error" in reply
        else:
            server.send_bytes(b"Content-Length: %d\r\n\r\n%s" % (len(params), params))
    explain = server.request("ringfence/explain", {"uri": (server.root / FILES[0]).as_uri()})
    assert explain["result"]["level"] == "human-only"
    assert server.alive() and server.noise == []


def test_after_the_fuzz_an_ai_edit_is_still_reported(server):
    uri = (server.root / "evals" / "after_fuzz.py").as_uri()
    server.notify("textDocument/didOpen", did_open(uri, "a = 1\n"))
    server.notify("textDocument/didChange", did_change(uri, 2, 1, "b = 2\nc = 3\nd = 4\n"))
    server.notify("ringfence/editOrigin", edit_origin(uri, 2, 1, 4))
    server.request("ringfence/explain", {"uri": uri})
    server.wait_published(uri, 2)
    deadline = time.monotonic() + 10
    while not server.latest[uri][1] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [d["code"] for d in server.latest[uri][1]] == ["RF001"]
    assert server.noise == []
    assert server.close() == 0
