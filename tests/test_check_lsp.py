"""RF010 in the language server: history's AI lines in deny zones, blamed off the event loop.

Real ``ringfence lsp`` sessions for both client presets (the ``lsp`` fixture of test_lsp_editor),
on real repositories with real AI commits and git-ai notes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import git
from test_check import CLAUDE, GEN, append_lines, commit
from test_lsp_editor import PRESETS, SERVER, SERVER_ENV, lsp, make_client, start  # noqa: F401

# A server whose git calls are logged: a shim first on PATH that runs the real git.
SHIM = Path(tempfile.mkdtemp(prefix="ringfence-git-shim-"))
GIT_LOG = SHIM / "calls.log"
(SHIM / "git").write_text(f'#!/bin/sh\necho "$*" >> "{GIT_LOG}"\nexec {shutil.which("git")} "$@"\n')
(SHIM / "git").chmod(0o755)
LOGGED_ENV = {**SERVER_ENV, "PATH": f"{SHIM}{os.pathsep}{os.environ['PATH']}"}

REASON = "Training and eval data must be handwritten: distillation risk and provider terms."


@pytest_lsp.fixture(
    params=PRESETS,
    config=ClientServerConfig(
        server_command=SERVER, client_factory=make_client, server_env=LOGGED_ENV
    ),
)
async def logged(request, lsp_client: LanguageClient):
    lsp_client.preset = request.param
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), 5)


def blames() -> int:
    text = GIT_LOG.read_text() if GIT_LOG.exists() else ""
    return sum(1 for line in text.splitlines() if " blame " in f" {line} ")


def rf010(diagnostics) -> list[tuple[int, int]]:
    return sorted((d.range.start.line, d.range.end.line) for d in diagnostics if d.code == "RF010")


def publishes_since(ed, uri: str, mark: int) -> list[list]:
    """``uri``'s publishes after the first ``mark`` ones (versioned: a close clears unversioned)."""
    return [d for u, v, d in ed.client.published[mark:] if u == uri and v is not None]


async def test_rf010_arrives_after_open_and_follows_edits(lsp, demo_repo):  # noqa: F811
    start_line, end_line = append_lines(demo_repo, GEN, "def ai_one():\n    return 1\n")
    sha = commit(demo_repo, {}, f"AI helper\n\n{CLAUDE}\n")
    ed = await start(lsp, demo_repo)
    uri = ed.open(GEN)
    first = publishes_since(ed, uri, 0)
    while not first:
        await asyncio.sleep(0.01)
        first = publishes_since(ed, uri, 0)
    assert rf010(first[0]) == []  # didOpen answered at once: the blame had not run yet
    found = await ed.diagnostics(uri, until=lambda d: rf010(d))
    assert rf010(found) == [(start_line - 1, end_line - 1)]
    diagnostic = next(d for d in found if d.code == "RF010")
    assert diagnostic.severity == 1 and diagnostic.source == "ringfence"  # an error, as in CI
    assert diagnostic.message == (
        f"AI-authored lines from history (claude-code; commit {sha[:12]}: {CLAUDE}) "
        f"in human-only zone 'training-data': {REASON}"
    )
    related = diagnostic.related_information[0].location
    assert related.uri == ed.uri(".ringfence.toml") and related.range.start.line == 16

    ed.insert(uri, 0, "# one\n# two\n")  # human lines above: the AI lines move down
    found = await ed.diagnostics(uri, until=lambda d: rf010(d) == [(start_line + 1, end_line + 1)])
    ed.delete_lines(uri, start_line + 1, end_line + 1)  # the AI lines are gone
    found = await ed.diagnostics(uri, until=lambda d: rf010(d) == [])
    assert not rf010(found)


async def test_reopen_is_answered_from_the_blob_cache(lsp, demo_repo):  # noqa: F811
    start_line, end_line = append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    ed = await start(lsp, demo_repo)
    uri = ed.open(GEN)
    await ed.diagnostics(uri, until=lambda d: rf010(d))
    ed.close(uri)
    mark = len(ed.client.published)
    uri = ed.open(GEN)
    while not publishes_since(ed, uri, mark):
        await asyncio.sleep(0.01)
    assert rf010(publishes_since(ed, uri, mark)[0]) == [(start_line - 1, end_line - 1)]


async def test_region_markers_and_git_ai_notes(lsp, make_repo):  # noqa: F811
    root = make_repo(
        {
            ".ringfence.toml": "version = 1\n",
            "lib.py": "a = 1\n# ringfence: begin human-only\nb = 2\n# ringfence: end\nc = 3\n",
        }
    )
    commit(
        root,
        {"lib.py": "a = 10\n# ringfence: begin human-only\nb = 20\n# ringfence: end\nc = 30\n"},
        "no trailer",
    )
    git(
        root,
        "notes",
        "--ref=ai",
        "add",
        "-m",
        "lib.py\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb 1-5\n---\n"
        '{"sessions": {"s_aaaaaaaaaaaaaa": {"agent_id": {"tool": "cursor", "model": "gpt-5"}}}}',
        "HEAD",
    )
    ed = await start(lsp, root)
    uri = ed.open("lib.py")
    found = await ed.diagnostics(uri, until=lambda d: rf010(d))
    assert rf010(found) == [(2, 2)]  # only the marked region denies; lines 1 and 5 are open
    diagnostic = next(d for d in found if d.code == "RF010")
    assert (
        "(cursor, gpt-5; git-ai note on commit" in diagnostic.message
        and "region (marked at line 2)" in diagnostic.message
    )


async def test_history_setting_off_and_untracked_files(lsp, demo_repo):  # noqa: F811
    append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    (demo_repo / "evals" / "new_untracked.py").write_text("x = 1\n")
    ed = await start(lsp, demo_repo, {"history": {"enabled": False}})
    uri = ed.open(GEN)
    untracked = ed.open("evals/new_untracked.py")
    await ed.diagnostics(uri)
    await ed.diagnostics(untracked)
    await asyncio.sleep(1.0)  # longer than a blame takes here
    assert rf010(ed.client.diagnostics.get(uri, [])) == []
    assert rf010(ed.client.diagnostics.get(untracked, [])) == []
    # the server is alive and still classifies
    ed.ai_insert(untracked, 1, "y = 2\n", tool="copilot")
    found = await ed.diagnostics(untracked, until=lambda d: any(x.code == "RF001" for x in d))
    assert found


async def test_typing_moves_rf010_and_blames_once_it_pauses(logged, demo_repo):
    start_line, end_line = append_lines(demo_repo, GEN, "def ai_one():\n    return 1\n")
    commit(demo_repo, {}, f"AI helper\n\n{CLAUDE}\n")
    ed = await start(logged, demo_repo)
    uri = ed.open(GEN)
    await ed.diagnostics(uri, until=lambda d: rf010(d))
    before = blames()
    assert before >= 1
    for n in range(1, 9):  # a burst shorter than the 0.3 s of quiet a blame waits for
        ed.insert(uri, 0, "# typed\n")
        await ed.diagnostics(
            uri, until=lambda d, n=n: rf010(d) == [(start_line - 1 + n, end_line - 1 + n)]
        )
        await asyncio.sleep(0.02)
    assert blames() == before  # followed through the edits: no git while typing
    for _ in range(100):
        if blames() > before:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    assert blames() == before + 1  # one blame of the final text, once typing paused
    found = await ed.diagnostics(uri)
    assert rf010(found) == [(start_line + 7, end_line + 7)]
