"""The editor and ``ringfence check`` give the same finding for the same region.

A real git repository with an AI commit (history), a real ``ringfence lsp`` session (pytest-lsp,
both client presets) where AI suggestions are accepted and saved (journaled), then the real
``ringfence check --format json`` over the same tree: code, severity, message and lines agree.
"""

from __future__ import annotations

import asyncio
import json

from conftest import run_cli
from test_check import CLAUDE, commit
from test_findings_judge import LIB, POLICY
from test_lsp_editor import lsp, start  # noqa: F401  (lsp: the pytest-lsp fixture)

SEVERITY = {1: "error", 2: "warning"}
CODES = {"RF001", "RF002", "RF003", "RF005", "RF010"}
WAIT = 30.0


def editor_findings(ed, uri: str, rel: str, found) -> set[tuple]:
    return {
        (rel, d.range.start.line + 1, d.range.end.line + 1, d.code, SEVERITY[d.severity], d.message)
        for d in found
        if d.code in CODES
    }


async def check_findings(root, want: int) -> set[tuple]:
    """``ringfence check``'s findings once the editor's saves reached the journal (bounded)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        done = await asyncio.to_thread(run_cli, "check", "--format", "json", cwd=root)
        assert done.returncode in (0, 1), done.stderr
        findings = json.loads(done.stdout)["findings"]
        if len(findings) >= want or asyncio.get_running_loop().time() > deadline:
            return {
                (f["path"], f["start"], f["end"], f["code"], f["severity"], f["message"])
                for f in findings
            }
        await asyncio.sleep(0.2)


async def test_editor_and_check_judge_each_region_alike(lsp, make_repo):  # noqa: F811
    root = make_repo(
        {
            ".ringfence.toml": POLICY,
            "data/x.py": "x = 1\n",
            "docs/a.md": "text\n",
            "lib.py": LIB,
        }
    )
    commit(root, {"data/x.py": "x = 1\ny = 2\n"}, f"AI data\n\n{CLAUDE}\n")
    ed = await start(lsp, root)
    shown: set[tuple] = set()
    accepted = [
        ("data/x.py", 0, "ai = 1\n", "copilot", "gpt-5", {"RF001", "RF010"}),
        ("docs/a.md", 1, "AI text.\n", "copilot", None, {"RF002"}),
        ("lib.py", 2, "z = 3\n", "codex", None, {"RF001"}),
    ]
    for rel, line, text, tool, model, codes in accepted:
        uri = ed.open(rel, language_id="markdown" if rel.endswith(".md") else "python")
        await ed.diagnostics(uri)
        ed.ai_insert(uri, line, text, tool=tool, model=model)
        ed.save(uri)
        found = await ed.diagnostics(
            uri, until=lambda d, codes=codes: codes <= {x.code for x in d}, timeout=WAIT
        )
        shown |= editor_findings(ed, uri, rel, found)
    assert {f[3] for f in shown} == {"RF001", "RF002", "RF010"} and len(shown) == 4, shown
    rf010 = next(f for f in shown if f[3] == "RF010")
    assert rf010[4] == "error"  # one severity for history in a deny zone, editor and CI alike
    assert await check_findings(root, len(shown)) == shown
