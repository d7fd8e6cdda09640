"""Claude Code end to end: the real ``claude`` binary, after ``ringfence install-hooks``.

Each test runs a headless ``claude -p`` session (``tests/agents/claude_code.py``) whose scripted
model calls real tools in a temporary repository: writes into the human-only ``training/`` zone,
edits in open ``src/``, a shell write, edits of ``.ringfence.toml`` and of the hook settings, a
read of internal ``serving/``. A refusal counts only when it is ringfence's (its reason in the
tool result, the hook's payload recorded); a landed edit must be in the journal. The failure
modes (a crashing hook, a hook that times out, a start in a subdirectory) are measured through
the same binary, with and without what install-hooks writes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_lsp_editor import lsp, start  # noqa: F401

from .anthropic import ToolCall
from .claude_code import (
    ClaudeSetup,
    check_fixture,
    claude_setup,
    denied_tools,
    journal,
    run_claude,
)
from .conftest import AGENT_BIN, FILES, isolated_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def setup(tmp_path: Path) -> ClaudeSetup:
    return claude_setup(tmp_path)


def _path(setup: ClaudeSetup, rel: str) -> str:
    return str(setup.root / rel)


def _assert_ringfence_refused(run, step: int, *parts: str) -> None:
    text = run.result(step)
    assert run.script.results[step].get("is_error") is True, text
    assert "ringfence:" in text, text
    for part in parts:
        assert part in text, text


def _no_vendor(run) -> None:
    assert run.vendor_requests == [], [r.path for r in run.vendor_requests]
    assert run.script.missing == [], f"Claude Code offered no {run.script.missing} tool"


def test_write_into_human_only_zone_is_refused_and_the_file_is_unchanged(setup):
    target = _path(setup, "training/gen.py")
    run = run_claude(setup, [ToolCall("Write", {"file_path": target, "content": "x = 1\n"})])
    _assert_ringfence_refused(run, 0, "training/gen.py", "human-only", "'training-data'")
    assert Path(target).read_text() == FILES["training/gen.py"]
    assert denied_tools(run) == ["Write"]
    assert journal(setup.root) == []
    _no_vendor(run)
    check_fixture("pre_write_deny", run.payload("PreToolUse", "Write"), setup)


def test_shell_write_into_a_zone_is_refused(setup):
    command = "echo x > training/gen.py"
    run = run_claude(setup, [ToolCall("Bash", {"command": command, "description": "overwrite"})])
    _assert_ringfence_refused(run, 0, "training/gen.py", "human-only")
    assert (setup.root / "training/gen.py").read_text() == FILES["training/gen.py"]
    _no_vendor(run)
    check_fixture("pre_bash_deny", run.payload("PreToolUse", "Bash"), setup)


POLICY_EDITS = {
    ".ringfence.toml": ('level = "human-only"', 'level = "open"'),  # opens training/
    ".claude/settings.json": ("|Bash", ""),  # would stop hooking the shell (valid JSON still)
}


@pytest.mark.parametrize("rel", sorted(POLICY_EDITS))
def test_edit_of_the_policy_or_the_hook_settings_is_refused(setup, rel):
    path = setup.root / rel
    before = path.read_text()
    old, new = POLICY_EDITS[rel]
    line = next(x for x in before.splitlines() if old in x)
    calls = [
        ToolCall("Read", {"file_path": str(path)}),
        ToolCall(
            "Edit",
            {"file_path": str(path), "old_string": line, "new_string": line.replace(old, new)},
        ),
    ]
    run = run_claude(setup, calls)
    assert run.script.results[0].get("is_error") is not True, run.result(0)
    _assert_ringfence_refused(run, 1, rel)
    assert path.read_text() == before
    _no_vendor(run)
    if rel == ".ringfence.toml":
        check_fixture("pre_edit_policy_deny", run.payload("PreToolUse", "Edit"), setup)


def test_read_of_internal_code_is_refused_and_recorded_in_the_egress_ledger(setup):
    target = _path(setup, "serving/server.py")
    run = run_claude(setup, [ToolCall("Read", {"file_path": target})])
    _assert_ringfence_refused(run, 0, "serving/server.py", "internal", "'model-serving'")
    assert "SECRET_ROUTE" not in run.result(0)
    ledger = [e for e in journal(setup.root) if e["event"] == "read"]
    assert [(e["path"], e["decision"], e["agent"]) for e in ledger] == [
        ("serving/server.py", "deny", "claude-code")
    ]
    assert ledger[0]["session"] == run.output["session_id"]
    _no_vendor(run)
    check_fixture("pre_read_deny", run.payload("PreToolUse", "Read"), setup)


def test_write_and_edit_in_open_code_land_and_are_journaled(setup):
    new_file = _path(setup, "src/new_module.py")
    app = _path(setup, "src/app.py")
    calls = [
        ToolCall("Write", {"file_path": new_file, "content": "def hello():\n    return 'hi'\n"}),
        ToolCall("Read", {"file_path": app}),
        ToolCall(
            "Edit",
            {
                "file_path": app,
                "old_string": "    return 1\n",
                "new_string": "    value = 1\n    return value\n",
            },
        ),
    ]
    run = run_claude(setup, calls)
    assert [r.get("is_error") is True for r in run.script.results] == [False, False, False]
    assert Path(new_file).read_text() == "def hello():\n    return 'hi'\n"
    assert Path(app).read_text() == "def app():\n    value = 1\n    return value\n"
    edits = [(e["path"], e["ranges"], e["decision"]) for e in journal(setup.root)]
    assert edits == [("src/new_module.py", [[1, 2]], "allow"), ("src/app.py", [[2, 3]], "allow")]
    assert {e["session"] for e in journal(setup.root)} == {run.output["session_id"]}
    _no_vendor(run)
    check_fixture("post_write", run.payload("PostToolUse", "Write"), setup)
    check_fixture("post_edit", run.payload("PostToolUse", "Edit"), setup)
    check_fixture("pre_edit_allow", run.payload("PreToolUse", "Edit"), setup)


def test_shell_edit_is_journaled_with_the_hunks_claude_code_reports(setup):
    command = "printf 'def more():\\n    return 2\\n' >> src/app.py"
    run = run_claude(
        setup,
        [ToolCall("Bash", {"command": command, "description": "append a function"})],
        env={"CLAUDE_CODE_BASH_EDIT_DIFF": "1"},
    )
    assert run.script.results[0].get("is_error") is not True, run.result(0)
    post = run.payload("PostToolUse", "Bash")
    assert post["tool_response"]["bashEditDiff"]["files"][0]["filePath"] == _path(
        setup, "src/app.py"
    )
    edits = [(e["path"], e["ranges"], e["note"]) for e in journal(setup.root)]
    assert edits == [("src/app.py", [[3, 4]], "shell: lines from Claude Code's bashEditDiff")]
    _no_vendor(run)
    check_fixture("post_bash_edit_diff", post, setup)


def test_hooks_hold_in_bypass_permissions_mode(setup):
    """Bypass mode skips Claude Code's own permission checks, not its hooks."""
    target = _path(setup, "training/gen.py")
    calls = [
        ToolCall("Bash", {"command": "echo x > training/gen.py", "description": "overwrite"}),
        ToolCall("Write", {"file_path": target, "content": "x = 1\n"}),
    ]
    run = run_claude(setup, calls, mode="bypassPermissions", env={"IS_SANDBOX": "1"})
    _assert_ringfence_refused(run, 0, "training/gen.py")
    _assert_ringfence_refused(run, 1, "training/gen.py")
    assert Path(target).read_text() == FILES["training/gen.py"]
    assert {p["permission_mode"] for p in run.payloads} == {"bypassPermissions"}


# ----- the language server shows what the agent wrote ------------------------------------------

TAGGED_DOCS = """
[provenance]
auto-tag-agents = false

[[zone]]
name = "docs"
path = "docs/**"
level = "tagged"
reason = "AI-written docs need provenance."
"""


async def test_agent_write_shows_in_a_running_language_server(lsp, setup):  # noqa: F811
    """An edit Claude Code made in a tagged zone becomes RF002 on exactly its lines."""
    policy = setup.root / ".ringfence.toml"
    policy.write_text(policy.read_text() + TAGGED_DOCS)
    guide = setup.root / "docs" / "guide.md"
    guide.parent.mkdir()
    guide.write_text("# Guide\n")
    ed = await start(lsp, setup.root)
    uri = ed.open("docs/guide.md", guide.read_text(), language_id="markdown")
    await ed.diagnostics(uri)
    calls = [
        ToolCall("Read", {"file_path": str(guide)}),
        ToolCall(
            "Edit",
            {
                "file_path": str(guide),
                "old_string": "# Guide\n",
                "new_string": "# Guide\n\nRun it.\n",
            },
        ),
    ]
    run = await asyncio.to_thread(run_claude, setup, calls)
    assert guide.read_text() == "# Guide\n\nRun it.\n", run.result(1)
    ed.replace_all(uri, guide.read_text())  # the editor reloads the file the agent changed
    found = await ed.diagnostics(uri, until=lambda d: any(x.code == "RF002" for x in d))
    rf002 = [(d.range.start.line, d.range.end.line, d.message) for d in found if d.code == "RF002"]
    assert rf002 == [
        (  # Claude Code's structuredPatch: the blank line and "Run it." (0-based lines 1-2)
            1,
            2,
            "AI edit (claude-code) without provenance in tagged zone 'docs': "
            "AI-written docs need provenance.",
        )
    ]


# ----- failure modes: crash, timeout, a start in a subdirectory --------------------------------


def _replace_hook_command(setup: ClaudeSetup, command: str, timeout: int | None = None) -> None:
    """Swap ringfence's command for ``command`` in every entry install-hooks wrote."""
    path = setup.root / ".claude" / "settings.json"
    settings = json.loads(path.read_text())
    for groups in settings["hooks"].values():
        for group in groups:
            for handler in group["hooks"]:
                handler["command"] = command
                if timeout is not None:
                    handler["timeout"] = timeout
    path.write_text(json.dumps(settings, indent=2))


def _strip_on_failure(setup: ClaudeSetup) -> None:
    path = setup.root / ".claude" / "settings.json"
    settings = json.loads(path.read_text())
    for groups in settings["hooks"].values():
        for group in groups:
            for handler in group["hooks"]:
                handler.pop("onFailure", None)
    path.write_text(json.dumps(settings, indent=2))


FAILURES = {"crash": ("exit 1", None), "timeout": ("sleep 30", 1)}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failing_hook_blocks_the_tool_as_installed(setup, failure):
    command, timeout = FAILURES[failure]
    _replace_hook_command(setup, command, timeout)
    target = _path(setup, "training/new.py")
    run = run_claude(setup, [ToolCall("Write", {"file_path": target, "content": "x = 1\n"})])
    assert not Path(target).exists(), run.result(0)
    assert 'blocking because onFailure is "block"' in run.result(0)


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_without_on_failure_a_failing_hook_lets_the_write_through(setup, failure):
    """Why install-hooks writes ``onFailure: "block"``: without it Claude Code fails open."""
    command, timeout = FAILURES[failure]
    _replace_hook_command(setup, command, timeout)
    _strip_on_failure(setup)
    target = _path(setup, "training/new.py")
    run = run_claude(setup, [ToolCall("Write", {"file_path": target, "content": "x = 1\n"})])
    assert Path(target).read_text() == "x = 1\n", run.result(0)


def _doctor(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ringfence", "doctor"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_start_in_a_subdirectory_runs_no_repository_hook_and_doctor_says_so(setup):
    """Claude Code 2.1.328 reads project settings only from the directory it starts in."""
    subdir = setup.root / "src"
    command = "echo x > ../training/gen.py"
    run = run_claude(
        setup,
        [ToolCall("Bash", {"command": command, "description": "overwrite"})],
        cwd=subdir,
    )
    assert run.payloads == []  # the repository's .claude/settings.json was not loaded
    assert (setup.root / "training/gen.py").read_text() == "x\n"
    done = _doctor(subdir)
    assert "claude-code" in done.stdout and "start Claude Code in " + str(setup.root) in done.stdout


def test_disable_all_hooks_is_flagged_by_doctor(setup):
    local = setup.root / ".claude" / "settings.local.json"
    local.write_text('{"disableAllHooks": true}\n')
    target = _path(setup, "training/new.py")
    run = run_claude(setup, [ToolCall("Write", {"file_path": target, "content": "x = 1\n"})])
    assert run.payloads == [] and Path(target).exists()  # really no hook ran
    done = _doctor(setup.root)
    assert done.returncode != 0
    assert ".claude/settings.local.json" in done.stdout and "disableAllHooks" in done.stdout


def test_doctor_reads_the_real_claude_version(setup):
    env = isolated_env(setup.base)
    env["PATH"] = f"{AGENT_BIN}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        [sys.executable, "-m", "ringfence", "doctor"],
        cwd=setup.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        "[ok]  hooks: claude-code: Claude Code 2.1.328 blocks a tool when its hook crashes or "
        "times out" in done.stdout
    ), done.stdout
