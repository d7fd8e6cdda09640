"""``ringfence install-hooks``: merge into each agent's project config, idempotently, keeping
every existing key and hook; and the installed command really runs the hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import run_cli

FILES = {
    "claude-code": ".claude/settings.json",
    "codex": ".codex/hooks.json",
    "gemini": ".gemini/settings.json",
    "copilot": ".github/hooks/ringfence.json",
    "cursor": ".cursor/hooks.json",
    "windsurf": ".windsurf/hooks.json",
    "kiro": ".kiro/agents/ringfence.json",
    "cline": ".clinerules/hooks/PreToolUse",
    "cline-post": ".clinerules/hooks/PostToolUse",
    "antigravity": ".agents/hooks.json",
}


def read(root, rel):
    return json.loads((root / rel).read_text())


def snapshot(root) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in FILES.values() if (root / rel).exists()}


def commands(config: dict, event: str) -> list[str]:
    out = []
    for entry in config["hooks"][event]:
        for handler in entry.get("hooks", [entry]):
            out.append(handler.get("command") or handler.get("bash"))
    return out


def test_install_on_an_empty_repository_writes_every_agent(make_repo):
    repo = make_repo({"README.md": "x\n"})
    done = run_cli("install-hooks", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert [
        line.split(":")[0]
        for line in done.stdout.splitlines()
        if not line.startswith(("  ", "compiled "))  # bytecode: see the test below
    ] == [f"created {rel}" for rel in FILES.values()]
    python = sys.executable
    claude = read(repo, FILES["claude-code"])
    pre, post = claude["hooks"]["PreToolUse"], claude["hooks"]["PostToolUse"]
    assert pre == [
        {
            "matcher": "Edit|Write|NotebookEdit|MultiEdit|Read|Grep|Glob|Bash",
            "hooks": [
                {
                    "type": "command",
                    "command": f"{python} -P -m ringfence hook claude-code || exit 2",
                    "timeout": 10,
                    "onFailure": "block",
                }
            ],
        }
    ]
    assert post[0]["matcher"] == "Edit|Write|NotebookEdit|MultiEdit|Bash"
    assert "onFailure" not in post[0]["hooks"][0]  # a post-hook cannot undo a write
    codex = read(repo, FILES["codex"])
    assert codex["hooks"]["PreToolUse"][0]["matcher"] == "apply_patch|Edit|Write|Bash"
    assert commands(codex, "PostToolUse") == [
        f"{python} -P -m ringfence hook codex "
        '|| { echo "ringfence: the codex hook failed (exit $?); denied (fail closed)" >&2; '
        "exit 2; }"
    ]
    gemini = read(repo, FILES["gemini"])
    handler = gemini["hooks"]["BeforeTool"][0]["hooks"][0]
    assert (
        handler["timeout"] == 10000
        and handler["command"] == f"{python} -P -m ringfence hook gemini || exit 2"
    )
    assert "read_many_files" in gemini["hooks"]["BeforeTool"][0]["matcher"]
    copilot = read(repo, FILES["copilot"])
    assert copilot["version"] == 1
    assert copilot["hooks"]["preToolUse"] == [
        {"type": "command", "bash": f"{python} -P -m ringfence hook copilot", "timeoutSec": 10}
    ]
    cursor = read(repo, FILES["cursor"])
    assert cursor["version"] == 1 and set(cursor["hooks"]) == {
        "preToolUse",
        "beforeReadFile",
        "beforeShellExecution",
        "afterFileEdit",
        "afterTabFileEdit",
        "afterShellExecution",
    }
    assert cursor["hooks"]["preToolUse"] == [
        {
            "command": f"{python} -P -m ringfence hook cursor",
            "timeout": 10,
            "matcher": "Write|StrReplace|Edit|MultiEdit|Delete|EditNotebook",
            "failClosed": True,
        }
    ]
    assert cursor["hooks"]["beforeReadFile"][0]["failClosed"] is True
    assert "failClosed" not in cursor["hooks"]["afterFileEdit"][0]
    windsurf = read(repo, FILES["windsurf"])
    assert "version" not in windsurf
    assert windsurf["hooks"]["pre_write_code"] == [
        {"command": f"{python} -P -m ringfence hook windsurf || exit 2", "show_output": True}
    ]
    assert set(windsurf["hooks"]) == {
        "pre_write_code",
        "pre_read_code",
        "pre_run_command",
        "post_write_code",
        "post_run_command",
    }
    kiro = read(repo, FILES["kiro"])
    assert kiro["name"] == "ringfence" and kiro["tools"] == ["*"]
    assert kiro["hooks"]["preToolUse"] == [
        {
            "command": f"{python} -P -m ringfence hook kiro || exit 2",
            "matcher": "*",
            "timeout_ms": 10000,
        }
    ]
    for rel in (FILES["cline"], FILES["cline-post"]):
        script = repo / rel
        assert os.access(script, os.X_OK) and script.read_text().startswith("#!/bin/sh\n")
        assert f"{python} -P -m ringfence hook cline" in script.read_text()


def test_second_run_changes_nothing(make_repo):
    repo = make_repo({"README.md": "x\n"})
    run_cli("install-hooks", cwd=repo)
    before = snapshot(repo)
    done = run_cli("install-hooks", cwd=repo)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"unchanged {rel}" for rel in FILES.values()]
    assert snapshot(repo) == before


def test_install_writes_the_bytecode_a_hook_would_otherwise_compile_every_time(make_repo):
    """Under PYTHONDONTWRITEBYTECODE an editable install has no .pyc: every hook would compile."""
    import importlib.util

    import ringfence.hooks.shell

    cached = importlib.util.cache_from_source(ringfence.hooks.shell.__file__)
    if os.path.exists(cached):
        os.unlink(cached)
    done = run_cli("install-hooks", "--agent", "codex", cwd=make_repo({"README.md": "x\n"}))
    assert done.returncode == 0 and os.path.exists(cached), done.stdout


EXISTING_CLAUDE = {
    "permissions": {"deny": ["Read(/secrets/**)"]},
    "env": {"FOO": "1"},
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "./scripts/guard.sh"}]},
            {
                "matcher": "Edit",
                "hooks": [
                    {
                        "type": "command",
                        "command": "/old/venv/bin/python -m ringfence hook claude-code",
                    },
                    {"type": "command", "command": "prettier --check"},
                ],
            },
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
}


def test_existing_keys_and_hooks_are_kept_and_stale_entries_replaced(make_repo):
    repo = make_repo(
        {
            FILES["claude-code"]: json.dumps(EXISTING_CLAUDE),
            FILES["gemini"]: json.dumps(
                {
                    "theme": "GitHub",
                    "mcpServers": {"db": {"command": "db-mcp"}},
                    "hooks": {"AfterAgent": [{"hooks": [{"type": "command", "command": "log"}]}]},
                }
            ),
            FILES["cursor"]: json.dumps(
                {"version": 1, "hooks": {"afterFileEdit": [{"command": "./fmt.sh"}]}}
            ),
            ".github/hooks/audit.json": json.dumps(
                {"version": 1, "hooks": {"preToolUse": [{"type": "command", "bash": "audit"}]}}
            ),
        }
    )
    audit_before = (repo / ".github/hooks/audit.json").read_bytes()
    done = run_cli("install-hooks", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert (
        f"updated {FILES['claude-code']}: updated PreToolUse hook, added PostToolUse hook"
        in done.stdout
    )
    claude = read(repo, FILES["claude-code"])
    assert claude["permissions"] == EXISTING_CLAUDE["permissions"] and claude["env"] == {"FOO": "1"}
    assert claude["hooks"]["Stop"] == EXISTING_CLAUDE["hooks"]["Stop"]
    pre = claude["hooks"]["PreToolUse"]
    assert pre[0] == EXISTING_CLAUDE["hooks"]["PreToolUse"][0]
    assert pre[1]["hooks"][0]["command"].endswith("-m ringfence hook claude-code || exit 2")
    assert pre[2] == {
        "matcher": "Edit",
        "hooks": [{"type": "command", "command": "prettier --check"}],
    }
    assert sum("ringfence hook" in c for c in commands(claude, "PreToolUse")) == 1
    gemini = read(repo, FILES["gemini"])
    assert gemini["theme"] == "GitHub" and gemini["mcpServers"] == {"db": {"command": "db-mcp"}}
    assert gemini["hooks"]["AfterAgent"] == [{"hooks": [{"type": "command", "command": "log"}]}]
    cursor = read(repo, FILES["cursor"])
    assert cursor["hooks"]["afterFileEdit"][0] == {"command": "./fmt.sh"}
    assert len(cursor["hooks"]["afterFileEdit"]) == 2
    assert (repo / ".github/hooks/audit.json").read_bytes() == audit_before
    again = run_cli("install-hooks", cwd=repo)
    assert all(line.startswith("unchanged") for line in again.stdout.splitlines())


@pytest.mark.parametrize(
    "bad,message",
    [
        ('{\n  "hooks": [,]\n}', ".claude/settings.json:2:13: Expecting value"),
        ("[1, 2]", ".claude/settings.json:1:1: the file does not hold a JSON object"),
        ('{"hooks": []}', ".claude/settings.json: 'hooks' is not a JSON object"),
    ],
)
def test_a_bad_config_file_changes_nothing(make_repo, bad, message):
    repo = make_repo({FILES["claude-code"]: bad})
    done = run_cli("install-hooks", cwd=repo)
    assert done.returncode == 2
    assert done.stderr.startswith(f"ringfence: {message}") and "Traceback" not in done.stderr
    assert (repo / FILES["claude-code"]).read_text() == bad
    assert snapshot(repo) == {
        FILES["claude-code"]: bad.encode()
    }  # no other file was written either


def test_one_agent_only_and_unknown_agents(make_repo):
    repo = make_repo({"README.md": "x\n"})
    done = run_cli("install-hooks", "--agent", "Codex", cwd=repo)
    assert done.returncode == 0 and list(snapshot(repo)) == [FILES["codex"]]
    done = run_cli("install-hooks", "--agent", "vim", cwd=repo)
    assert done.returncode == 2 and "unknown agent 'vim'" in done.stderr


def test_unsupported_hooks_file_version(make_repo):
    repo = make_repo({FILES["cursor"]: '{"version": 2, "hooks": {}}'})
    done = run_cli("install-hooks", "--agent", "cursor", cwd=repo)
    assert done.returncode == 2 and "unsupported hooks file version 2" in done.stderr


def _run_installed(command: str, stdin: str, cwd, path_env: str):
    return subprocess.run(
        ["sh", "-c", command],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PATH": path_env},
        timeout=60,
    )


def test_installed_command_runs_without_ringfence_on_path(demo_repo):
    assert run_cli("install-hooks", "--agent", "claude-code,copilot", cwd=demo_repo).returncode == 0
    command = read(demo_repo, FILES["claude-code"])["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    stdin = json.dumps(
        {
            "session_id": "s",
            "cwd": str(demo_repo),
            "hook_event_name": "PreToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": "evals/x.py", "content": "x"},
        }
    )
    done = _run_installed(command, stdin, demo_repo, "/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    copilot = read(demo_repo, FILES["copilot"])["hooks"]["preToolUse"][0]["bash"]
    stdin = json.dumps(
        {"cwd": str(demo_repo), "toolName": "create", "toolArgs": {"path": "evals/x.py"}}
    )
    assert (
        json.loads(_run_installed(copilot, stdin, demo_repo, "/usr/bin:/bin").stdout)[
            "permissionDecision"
        ]
        == "deny"
    )


def test_installed_command_fails_closed_when_the_interpreter_is_gone(demo_repo, tmp_path):
    missing = str(tmp_path / "gone" / "python3")
    assert (
        run_cli(
            "install-hooks", "--agent", "claude-code", "--python", missing, cwd=demo_repo
        ).returncode
        == 0
    )
    command = read(demo_repo, FILES["claude-code"])["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    done = _run_installed(command, "{}", demo_repo, "/usr/bin:/bin")
    assert done.returncode == 2  # Claude Code, Codex and Gemini block on exit 2


def test_codex_fallback_says_why_it_blocks(demo_repo, tmp_path):
    """Codex 0.169 runs the tool after an exit 2 with an empty stderr (docs/hooks.md)."""
    missing = str(tmp_path / "gone" / "python3")
    args = ("install-hooks", "--agent", "codex", "--python", missing)
    assert run_cli(*args, cwd=demo_repo).returncode == 0
    command = read(demo_repo, FILES["codex"])["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    done = _run_installed(command, "{}", demo_repo, "/usr/bin:/bin")
    assert done.returncode == 2
    assert "ringfence: the codex hook failed (exit 127); denied (fail closed)" in done.stderr


def test_install_hooks_says_what_codex_must_re_trust(demo_repo, tmp_path):
    codex_home = tmp_path / "codex-home"
    codex_home.mkdir()
    env = {"CODEX_HOME": str(codex_home)}
    first = run_cli("install-hooks", "--agent", "codex", cwd=demo_repo, env=env).stdout
    assert "until you trust it by hash" in first
    block = first.split(f"add to {codex_home}/config.toml:\n", 1)[1]
    entries = "\n".join(line.strip() for line in block.splitlines() if line.startswith("    "))
    assert entries.startswith(f'[projects."{demo_repo}"]\ntrust_level = "trusted"\n')
    assert entries.count("trusted_hash = ") == 2
    (codex_home / "config.toml").write_text(entries + "\n")

    again = run_cli("install-hooks", "--agent", "codex", cwd=demo_repo, env=env).stdout
    assert again.splitlines()[0] == "unchanged .codex/hooks.json"
    assert "trust" not in again

    other = tmp_path / "python3"
    other.symlink_to(sys.executable)
    args = ("install-hooks", "--agent", "codex", "--python", str(other))
    changed = run_cli(*args, cwd=demo_repo, env=env).stdout
    assert (
        "note: the Codex hook command changed: Codex runs no project hook, silently, until "
        "you re-trust it by hash" in changed
    ), changed
    assert f"or set to {codex_home}/config.toml:" in changed
    assert "[projects." not in changed  # the project itself is still trusted
    assert changed.count("trusted_hash = ") == 2


# ----- Windsurf, Kiro, Cline, and Cursor's fail-closed preToolUse ------------------------------


def test_windsurf_and_kiro_keep_every_hand_written_key_and_hook(make_repo):
    windsurf = {
        "hooks": {
            "pre_user_prompt": [{"command": "python3 audit.py", "show_output": False}],
            "pre_write_code": [
                {"command": "./lint-write.sh"},
                {"command": "/old/bin/python -m ringfence hook windsurf"},
            ],
        }
    }
    kiro = {
        "name": "ringfence",
        "tools": ["read", "write"],
        "allowedTools": ["read"],
        "hooks": {"stop": [{"command": "npm test"}]},
    }
    repo = make_repo(
        {FILES["windsurf"]: json.dumps(windsurf), FILES["kiro"]: json.dumps(kiro, indent=4)}
    )
    done = run_cli("install-hooks", "--agent", "windsurf,kiro", cwd=repo)
    assert done.returncode == 0, done.stderr
    written = read(repo, FILES["windsurf"])["hooks"]
    assert written["pre_user_prompt"] == windsurf["hooks"]["pre_user_prompt"]
    assert written["pre_write_code"] == [
        {"command": "./lint-write.sh"},
        {
            "command": f"{sys.executable} -P -m ringfence hook windsurf || exit 2",
            "show_output": True,
        },
    ]
    agent = read(repo, FILES["kiro"])
    assert agent["tools"] == ["read", "write"] and agent["allowedTools"] == ["read"]
    assert agent["hooks"]["stop"] == [{"command": "npm test"}]
    assert len(agent["hooks"]["preToolUse"]) == 1
    before = snapshot(repo)
    again = run_cli("install-hooks", "--agent", "windsurf,kiro", cwd=repo)
    assert again.stdout.splitlines() == [
        f"unchanged {FILES['windsurf']}",
        f"unchanged {FILES['kiro']}",
    ]
    assert snapshot(repo) == before


def test_cline_hook_files_are_idempotent_and_a_hand_written_one_is_never_replaced(make_repo):
    repo = make_repo({"README.md": "x\n"})
    assert run_cli("install-hooks", "--agent", "cline", cwd=repo).returncode == 0
    before = snapshot(repo)
    again = run_cli("install-hooks", "--agent", "cline", cwd=repo)
    assert again.stdout.splitlines() == [
        f"unchanged {FILES['cline']}",
        f"unchanged {FILES['cline-post']}",
    ]
    assert snapshot(repo) == before
    mine = "#!/usr/bin/env bash\necho '{\"cancel\": false}'\n"
    other = make_repo({FILES["cline"]: mine})
    done = run_cli("install-hooks", "--agent", "cline", cwd=other)
    assert done.returncode == 2 and "wrote by hand" in done.stderr
    assert "Traceback" not in done.stderr
    assert (other / FILES["cline"]).read_text() == mine
    assert not (other / FILES["cline-post"]).exists()  # nothing was written


def test_installed_cline_hook_denies_and_fails_closed_without_its_interpreter(demo_repo, tmp_path):
    stdin = json.dumps(
        {
            "hookName": "PreToolUse",
            "taskId": "t",
            "workspaceRoots": [str(demo_repo)],
            "preToolUse": {"toolName": "write_to_file", "parameters": {"path": "evals/x.py"}},
        }
    )
    assert run_cli("install-hooks", "--agent", "cline", cwd=demo_repo).returncode == 0
    script = str(demo_repo / FILES["cline"])
    done = subprocess.run([script], input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["cancel"] is True
    assert "evals/x.py" in json.loads(done.stdout)["errorMessage"]
    missing = str(tmp_path / "gone" / "python3")
    run_cli("install-hooks", "--agent", "cline", "--python", missing, cwd=demo_repo)
    done = subprocess.run([script], input=stdin, capture_output=True, text=True, timeout=60)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["cancel"] is True and "fail closed" in answer["errorMessage"]


def test_installed_windsurf_and_kiro_commands_block_with_exit_2(demo_repo, tmp_path):
    assert run_cli("install-hooks", "--agent", "windsurf,kiro", cwd=demo_repo).returncode == 0
    windsurf = read(demo_repo, FILES["windsurf"])["hooks"]["pre_write_code"][0]["command"]
    stdin = json.dumps(
        {
            "agent_action_name": "pre_write_code",
            "tool_info": {"file_path": str(demo_repo / "evals" / "x.py"), "edits": []},
        }
    )
    done = _run_installed(windsurf, stdin, demo_repo, "/usr/bin:/bin")
    assert done.returncode == 2 and "human-only" in done.stderr
    kiro = read(demo_repo, FILES["kiro"])["hooks"]["preToolUse"][0]["command"]
    stdin = json.dumps(
        {
            "hook_event_name": "preToolUse",
            "cwd": str(demo_repo),
            "tool_name": "fs_write",
            "tool_input": {"command": "create", "path": "evals/x.py", "file_text": "x"},
        }
    )
    done = _run_installed(kiro, stdin, demo_repo, "/usr/bin:/bin")
    assert done.returncode == 2 and "evals/x.py" in done.stderr
    missing = str(tmp_path / "gone" / "python3")
    run_cli("install-hooks", "--agent", "kiro", "--python", missing, cwd=demo_repo)
    kiro = read(demo_repo, FILES["kiro"])["hooks"]["preToolUse"][0]["command"]
    assert _run_installed(kiro, stdin, demo_repo, "/usr/bin:/bin").returncode == 2


def test_cursor_fail_closed_entries_replace_older_ringfence_entries(make_repo):
    old = {
        "version": 1,
        "hooks": {
            "beforeReadFile": [{"command": "/old/python -m ringfence hook cursor", "timeout": 5}],
            "preToolUse": [{"command": "./my-guard.sh", "matcher": "Shell"}],
        },
    }
    repo = make_repo({FILES["cursor"]: json.dumps(old)})
    done = run_cli("install-hooks", "--agent", "cursor", cwd=repo)
    assert done.returncode == 0, done.stderr
    hooks = read(repo, FILES["cursor"])["hooks"]
    assert hooks["beforeReadFile"] == [
        {
            "command": f"{sys.executable} -P -m ringfence hook cursor",
            "timeout": 10,
            "failClosed": True,
        }
    ]
    assert hooks["preToolUse"][0] == {"command": "./my-guard.sh", "matcher": "Shell"}
    assert hooks["preToolUse"][1]["failClosed"] is True and len(hooks["preToolUse"]) == 2


def test_an_install_without_on_failure_is_upgraded_once(make_repo):
    """Hooks installed before onFailure (Claude Code 2.1.295+) get it; a second run is a no-op."""
    python = sys.executable
    old = {
        "hooks": {
            "PreToolUse": [
                {
                    "matcher": "Edit|Write|NotebookEdit|MultiEdit|Read|Grep|Glob|Bash",
                    "hooks": [
                        {
                            "type": "command",
                            "command": f"{python} -m ringfence hook claude-code || exit 2",
                            "timeout": 10,
                        }
                    ],
                }
            ]
        }
    }
    repo = make_repo({FILES["claude-code"]: json.dumps(old)})
    done = run_cli("install-hooks", "--agent", "claude-code", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert f"updated {FILES['claude-code']}: updated PreToolUse hook" in done.stdout
    pre = read(repo, FILES["claude-code"])["hooks"]["PreToolUse"]
    assert [h["onFailure"] for g in pre for h in g["hooks"]] == ["block"]
    again = run_cli("install-hooks", "--agent", "claude-code", cwd=repo)
    assert f"unchanged {FILES['claude-code']}" in again.stdout
