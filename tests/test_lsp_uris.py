"""Document URIs the server classifies (docs/lsp.md, "Documents"): ``file://localhost/…`` is the
local file and the scheme is case-insensitive (``FILE:///…``), through a real server for both
client presets; the URI rule itself (ringfence/uris.py) on its own."""

from __future__ import annotations

import pytest

import test_lsp_editor
from ringfence.uris import document_path, file_path
from test_lsp_editor import start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

SPELLINGS = {
    "localhost": lambda path: "file://localhost" + path,
    "upper-case scheme": lambda path: "FILE://" + path,
    "mixed case and LOCALHOST": lambda path: "File://LOCALHOST" + path,
}


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_a_local_file_uri_in_any_spelling_is_classified(lsp, demo_repo, spelling):
    ed = await start(lsp, demo_repo)
    path = str(demo_repo / "training" / "datagen" / "generate.py")
    uri = ed.open_uri(SPELLINGS[spelling](path), open(path, encoding="utf-8").read())
    ed.ai_insert(uri, 0, "def extra():\n    return 1\n", tool="copilot")
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d)
    assert (rf001.code, rf001.range.start.line, rf001.range.end.line) == ("RF001", 0, 1)
    assert "human-only zone 'training-data'" in rf001.message
    explained = await ed.request("ringfence/explain", {"uri": uri})
    assert explained["level"] == "human-only", explained


@pytest.mark.parametrize(
    "uri, expected",
    [
        ("file:///r/a%20b.py", ("/r/a b.py", False)),
        ("file://localhost/r/a.py", ("/r/a.py", False)),
        ("FILE:///r/a.py", ("/r/a.py", False)),
        ("File://LocalHost/r/a.py", ("/r/a.py", False)),
        ("file:/r/a.py", ("/r/a.py", False)),
        ("file:///r/a.py?x=1#L3", ("/r/a.py", False)),
        ("file:///r/a%23b.py", ("/r/a#b.py", False)),
        ("file:///r/x/../a.py", ("/r/a.py", False)),
        ("file:///r/caf%C3%A9.py", ("/r/café.py", False)),
        ("vscode-notebook-cell:/r/nb.ipynb#W0sZmlsZQ%3D%3D", ("/r/nb.ipynb", True)),
        ("VSCODE-NOTEBOOK-CELL:/r/nb.ipynb#W0", ("/r/nb.ipynb", True)),
        ("file://server/share/a.py", None),  # another machine's file
        ("file://", None),
        ("file:relative.py", None),
        ("untitled:Untitled-1", None),
        ("git:/r/a.py?%7B%7D", None),
        ("/r/a.py", None),  # not a URI
        ("", None),
    ],
)
def test_the_uri_rule(uri, expected):
    assert document_path(uri) == expected
    assert file_path(uri) == (expected[0] if expected and not expected[1] else None)
