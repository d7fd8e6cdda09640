"""``ringfence doctor`` for Claude Code: every set-up in which Claude Code would skip the
repository's hooks, or run them without failing closed, is a [fix] line with the exact fix.

The behaviour behind each check was measured with the real Claude Code 2.1.328 in
``tests/agents/test_claude_e2e.py``; here the real CLI runs over real repositories and a real
(isolated) user settings directory.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import run_cli, write_files


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    (path / ".claude").mkdir(parents=True)
    return path


def doctor(cwd, home, path: str | None = None):
    env = {"HOME": str(home), "CODEX_HOME": str(home / ".codex")}
    env["PATH"] = path if path is not None else os.environ["PATH"]
    return run_cli("doctor", cwd=cwd, env=env)


def claude_fixes(done) -> list[str]:
    return [
        line[len("[fix] hooks: claude-code: ") :]
        for line in done.stdout.splitlines()
        if line.startswith("[fix] hooks: claude-code: ")
    ]


@pytest.fixture
def hooked(demo_repo):
    assert run_cli("export", cwd=demo_repo).returncode == 0
    assert run_cli("install-hooks", "--agent", "claude-code", cwd=demo_repo).returncode == 0
    return demo_repo


def test_installed_hooks_need_nothing_and_the_start_directory_is_a_known_gap(hooked, home):
    done = doctor(hooked, home)
    assert claude_fixes(done) == []
    assert "[ok]  hooks: claude-code: installed in .claude/settings.json" in done.stdout
    assert (
        "[gap] claude-code: Claude Code reads project hooks only from the .claude/ of the "
        "directory it starts in" in done.stdout
    )


def test_disable_all_hooks_in_the_user_settings_is_flagged(hooked, home):
    user = home / ".claude" / "settings.json"
    user.write_text(json.dumps({"disableAllHooks": True}))
    assert claude_fixes(doctor(hooked, home)) == [
        f'{user} sets disableAllHooks: no hook runs; delete "disableAllHooks" from it'
    ]


def test_a_hook_without_on_failure_is_flagged_until_install_hooks_runs(hooked, home):
    path = hooked / ".claude" / "settings.json"
    settings = json.loads(path.read_text())
    del settings["hooks"]["PreToolUse"][0]["hooks"][0]["onFailure"]
    path.write_text(json.dumps(settings))
    assert claude_fixes(doctor(hooked, home)) == [
        'the PreToolUse hook in .claude/settings.json has no "onFailure": "block": a hook that '
        "crashes or times out lets the tool run; run 'ringfence install-hooks --agent claude-code'"
    ]
    assert run_cli("install-hooks", "--agent", "claude-code", cwd=hooked).returncode == 0
    assert claude_fixes(doctor(hooked, home)) == []


def test_a_start_in_a_subdirectory_is_flagged_with_where_to_start(hooked, home):
    done = doctor(hooked / "app", home)
    assert done.returncode == 1
    assert claude_fixes(done) == [
        "a session started in app/ loads no .claude/settings.json of the repository, so no "
        f"ringfence hook runs: start Claude Code in {hooked}"
    ]
    write_files(hooked, {"app/.claude/settings.local.json": '{"disableAllHooks": true}'})
    assert claude_fixes(doctor(hooked / "app", home))[0] == (
        "app/.claude/settings.local.json sets disableAllHooks: no hook runs; delete "
        '"disableAllHooks" from it'
    )


def test_a_claude_code_too_old_to_fail_closed_is_flagged(hooked, home, tmp_path):
    """A ``claude`` on PATH older than 2.1.295 ignores onFailure (a stand-in that prints the
    version string Claude Code prints: the old release itself is not installed here)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    claude = bin_dir / "claude"
    claude.write_text('#!/bin/sh\necho "2.1.200 (Claude Code)"\n')
    claude.chmod(claude.stat().st_mode | stat.S_IXUSR)
    fixes = claude_fixes(doctor(hooked, home, f"{bin_dir}{os.pathsep}{os.environ['PATH']}"))
    assert fixes == [
        f"Claude Code 2.1.200 ({claude}) ignores onFailure: a ringfence hook that crashes or "
        "times out lets the tool run; upgrade to 2.1.295 or later ('claude update')"
    ]
