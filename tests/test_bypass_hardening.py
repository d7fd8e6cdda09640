"""Bypass suite, round 2 (issue 14): repository discovery, the policy cache, protected git and
interpreter paths, links and odd spellings, a dangling policy symlink.

Like ``tests/test_bypass.py``: one test per class, each naming in its docstring the protection
it relies on (remove it and the test fails). Every test runs the real ``ringfence hook AGENT``
process with the payload shape of each agent (Claude Code, Codex, Gemini CLI, Copilot CLI,
Cursor) against a real git copy of ``examples/demo``; docs/security.md lists the classes.
"""

from __future__ import annotations

import json
import os
import shlex
import site
import subprocess
import time

import pytest

import ringfence
from conftest import git, init_repo, run_cli

AGENTS = ("claude-code", "codex", "gemini", "copilot", "cursor")
ZONE_FILE = "training/datagen/generate.py"


def write_payload(agent: str, root, path: str) -> str:
    """A pre-edit event creating ``path``, as each agent sends it (tests/fixtures/hooks)."""
    if agent == "codex":
        patch = f"*** Begin Patch\n*** Add File: {path}\n+x = 1\n*** End Patch\n"
        event = {"tool_name": "apply_patch", "tool_input": {"command": patch}, "model": "gpt-5"}
    elif agent == "gemini":
        event = {"tool_name": "write_file", "tool_input": {"file_path": path, "content": "x\n"}}
    elif agent == "copilot":
        args = {"path": path, "file_text": "x = 1\n"}
        return json.dumps(
            {"sessionId": "s", "cwd": str(root), "toolName": "create", "toolArgs": json.dumps(args)}
        )
    elif agent == "cursor":
        return json.dumps(
            {
                "conversation_id": "c",
                "hook_event_name": "preToolUse",
                "workspace_roots": [str(root)],
                "tool_name": "Write",
                "tool_use_id": "t",
                "tool_input": {"file_path": path, "contents": "x\n"},
            }
        )
    else:
        event = {"tool_name": "Write", "tool_input": {"file_path": path, "content": "x = 1\n"}}
    name = "BeforeTool" if agent == "gemini" else "PreToolUse"
    return json.dumps({"session_id": "s", "cwd": str(root), "hook_event_name": name, **event})


def shell_payload(agent: str, root, command: str) -> str:
    """A pre-shell event running ``command`` in ``root``, as each agent sends it."""
    if agent == "copilot":
        return json.dumps(
            {
                "sessionId": "s",
                "cwd": str(root),
                "toolName": "bash",
                "toolArgs": {"command": command, "description": "run"},
            }
        )
    if agent == "cursor":
        return json.dumps(
            {
                "conversation_id": "c",
                "hook_event_name": "beforeShellExecution",
                "workspace_roots": [str(root)],
                "command": command,
                "cwd": str(root),
            }
        )
    tool, name = (
        ("run_shell_command", "BeforeTool") if agent == "gemini" else ("Bash", "PreToolUse")
    )
    return json.dumps(
        {
            "session_id": "s",
            "cwd": str(root),
            "hook_event_name": name,
            "tool_name": tool,
            "tool_input": {"command": command},
        }
    )


def answer(agent: str, root, payload: str, env: dict) -> tuple[str, str]:
    """``("allow" | "deny", text)`` from the real hook process, read in the agent's protocol."""
    done = run_cli("hook", agent, cwd=root, stdin=payload, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    if not done.stdout.strip():
        assert done.returncode == 0, done.stderr
        return "allow", ""
    body = json.loads(done.stdout)
    if agent in ("claude-code", "codex"):
        out = body["hookSpecificOutput"]
        return out["permissionDecision"], out.get("permissionDecisionReason", "")
    if agent == "gemini":
        return body["decision"], body.get("reason", "")
    if agent == "copilot":
        return body["permissionDecision"], body.get("permissionDecisionReason", "")
    return body["permission"], body.get("user_message", "") + body.get("agent_message", "")


@pytest.fixture
def repo(demo_repo):
    return demo_repo


@pytest.fixture
def env(tmp_path):
    """The hook's environment: its own cache and config directories."""
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def write(agent, root, path, env) -> str:
    return answer(agent, root, write_payload(agent, root, path), env)[0]


def shell(agent, root, command, env) -> str:
    return answer(agent, root, shell_payload(agent, root, command), env)[0]


# ----- 1. repository discovery -----------------------------------------------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_an_empty_git_directory_in_a_zone_does_not_start_a_repository(repo, env, agent):
    """Protection: a ``.git`` counts only when git would accept it (policy/paths.is_git_dir):
    an empty ``training/datagen/.git`` or ``.claude/.git``, or a ``.git`` file naming no git
    directory, is no repository boundary, so the zone and the protected settings still hold."""
    (repo / "training" / "datagen" / ".git").mkdir()
    (repo / ".claude").mkdir(exist_ok=True)
    (repo / ".claude" / ".git").mkdir()
    (repo / "evals" / ".git").write_text("gitdir: /nowhere\n")
    assert write(agent, repo, ZONE_FILE, env) == "deny"
    assert write(agent, repo, ".claude/settings.json", env) == "deny"
    assert write(agent, repo, "evals/new.py", env) == "deny"
    assert write(agent, repo, "app/new.py", env) == "allow"


@pytest.mark.parametrize("agent", AGENTS)
def test_a_real_nested_repository_cannot_cut_the_outer_policy(repo, env, agent):
    """Protection: the policy of the enclosing repository keeps applying under its work tree
    (policy/engine ``Policy.outer``, raise-only) and so do its protected paths (hooks/decide
    ``protection``): ``git init evals`` or ``git init .claude`` opens nothing."""
    git(repo / "evals", "init", "-q")
    (repo / ".claude").mkdir(exist_ok=True)
    git(repo / ".claude", "init", "-q")
    assert write(agent, repo, "evals/new.py", env) == "deny"
    assert write(agent, repo, ".claude/settings.json", env) == "deny"
    assert write(agent, repo, "app/new.py", env) == "allow"


@pytest.mark.parametrize("agent", AGENTS)
def test_creating_a_git_path_anywhere_in_the_repository_is_a_protected_write(repo, env, agent):
    """Protection: any path component named ``.git`` (case folded, ``.git.``, ``git~1``) is
    protected (hooks/protected ``is_git_name``), by edit tool and by ``mkdir``."""
    for path in ("app/.git/HEAD", "app/.GIT/config", "app/.git./x", ".git/info/attributes"):
        assert write(agent, repo, path, env) == "deny", path
    assert shell(agent, repo, "mkdir -p training/.git", env) == "deny"
    assert shell(agent, repo, "mkdir -p app/newdir", env) == "allow"


# ----- 2. the policy cache and the code every hook runs ----------------------------------------


def _policy_entries(env) -> list:
    directory = os.path.join(env["XDG_CACHE_HOME"], "ringfence", "policies")
    return sorted(os.path.join(directory, n) for n in os.listdir(directory))


@pytest.mark.parametrize("agent", AGENTS)
def test_a_cache_entry_copied_from_another_policy_is_a_miss(repo, env, agent, tmp_path):
    """Protection: every cache entry is bound to the BLAKE2b digest of the exact bytes it came
    from (policy/cache ``read``): an entry of a policy without zones copied over the demo
    policy's entries (with CRC-32 alone, a valid entry) is a miss, never an empty policy."""
    empty = init_repo(tmp_path / "empty", {".ringfence.toml": "version = 1\n"})
    assert write(agent, empty, "x.py", env) == "allow"
    (forged,) = _policy_entries(env)
    blob = open(forged, "rb").read()
    assert write(agent, repo, ZONE_FILE, env) == "deny"  # caches the demo policy
    for entry in _policy_entries(env):
        with open(entry, "wb") as handle:
            handle.write(blob)
    assert write(agent, repo, ZONE_FILE, env) == "deny"
    assert write(agent, repo, "evals/x.py", env) == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_the_cache_directory_is_protected(repo, env, agent):
    """Protection: hooks/protected denies writes under ``$XDG_CACHE_HOME/ringfence`` (and the
    default ``~/.cache/ringfence``), by edit tool and by a recognised shell write."""
    cache = os.path.join(env["XDG_CACHE_HOME"], "ringfence")
    assert write(agent, repo, f"{cache}/policies/forged", env) == "deny"
    assert shell(agent, repo, f"cp app/main.py {shlex.quote(cache)}/globs/x", env) == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_ringfence_and_its_interpreter_are_protected(repo, env, agent):
    """Protection: hooks/protected ``_code_reason``: ringfence's package, the interpreter's
    site-packages (``*.pth``, ``sitecustomize.py``) and standard library."""
    package = os.path.dirname(os.path.realpath(ringfence.__file__))
    packages = [p for p in site.getsitepackages() if os.path.isdir(p)][0]
    for path in (
        f"{package}/hooks/runner.py",
        f"{packages}/zz-evil.pth",
        f"{packages}/sitecustomize.py",
        os.path.join(os.path.dirname(os.__file__), "json", "__init__.py"),
    ):
        assert write(agent, repo, path, env) == "deny", path


def test_a_module_an_agent_writes_into_its_project_cannot_replace_ringfence(repo, env):
    """Protection: install-hooks runs ``python -P -m ringfence`` (hooks/install
    ``hook_command``): the project directory is not on the hook's ``sys.path``, so an allowed
    ``json.py`` or ``ringfence/__main__.py`` in it is never imported by the hook."""
    assert run_cli("install-hooks", "--agent", "claude-code", cwd=repo, env=env).returncode == 0
    settings = json.loads((repo / ".claude" / "settings.json").read_text())
    command = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    (repo / "json.py").write_text("print('{}'); raise SystemExit(0)\n")
    (repo / "ringfence").mkdir()
    (repo / "ringfence" / "__init__.py").write_text("")
    (repo / "ringfence" / "__main__.py").write_text("raise SystemExit(0)\n")
    done = subprocess.run(
        ["sh", "-c", command],
        cwd=repo,
        capture_output=True,
        text=True,
        input=write_payload("claude-code", repo, ZONE_FILE),
        timeout=120,
        env={**os.environ, **env},
    )
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_git_config_files_and_the_commands_that_write_them_are_protected(repo, env, agent):
    """Protection: everything in the git directory is protected (hooks/protected
    ``_git_reason``: ``config``, ``config.worktree``, ``modules/*/config``, ``modules/*/hooks``),
    and the shell analyser asks ``protected.git_config_write`` for ``git config``, ``git remote
    add``, ``git branch --set-upstream-to``, ``git submodule add``…"""
    for path in (
        ".git/config",
        ".git/config.worktree",
        ".git/modules/lib/config",
        ".git/modules/lib/hooks/pre-commit",
    ):
        assert write(agent, repo, path, env) == "deny", path
    for command in (
        "git config core.fsmonitor ./x",
        "git remote add evil https://example.invalid/x",
        "git branch --set-upstream-to=origin/main",
        "git submodule add ../x lib",
    ):
        assert shell(agent, repo, command, env) == "deny", command
    assert shell(agent, repo, "git config --get user.name", env) == "allow"


# ----- 3. links and odd spellings ---------------------------------------------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_a_symlink_outside_the_repository_into_a_zone_is_denied(repo, env, agent, tmp_path):
    """Protection: hooks/decide ``locate`` judges the real path in the repository that holds it,
    even when the spelled path lies in no repository."""
    outside = tmp_path / "outside"
    outside.symlink_to(repo / "training" / "datagen", target_is_directory=True)
    assert write(agent, repo, str(outside / "new.py"), env) == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_a_link_followed_by_dot_dot_lands_where_the_kernel_says(repo, env, agent):
    """Protection: ``src/lnk/../x.py`` with ``src/lnk`` a link to ``evals/sub`` is
    ``evals/x.py`` (policy/paths ``kernel_path``: symlinks first, then ``..``), not the lexical
    ``src/x.py``."""
    (repo / "evals" / "sub").mkdir()
    (repo / "src").mkdir()
    (repo / "src" / "lnk").symlink_to(repo / "evals" / "sub", target_is_directory=True)
    assert write(agent, repo, "src/lnk/../x.py", env) == "deny"
    assert write(agent, repo, "src/x.py", env) == "allow"


@pytest.mark.parametrize("agent", AGENTS)
def test_a_backslash_is_a_file_name_character_on_posix(repo, env, agent):
    """Protection: on POSIX ``\\`` is part of a name (policy/paths ``separators``), so
    ``training/datagen/a\\..\\..\\x.py`` is a file inside the zone, not ``training/x.py``; the
    separator reading is judged too and can only raise (``app/a\\b.py`` stays open)."""
    assert write(agent, repo, "training/datagen/a\\..\\..\\x.py", env) == "deny"
    assert write(agent, repo, "app/a\\b.py", env) == "allow"


# ----- 7. a dangling policy symlink --------------------------------------------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_a_dangling_root_policy_symlink_is_an_invalid_policy(repo, env, agent):
    """Protection: policy/engine ``_read``: a ``.ringfence.toml`` that is a symlink to nothing
    is an invalid policy (fail closed at internal), not "no policy"; ``explain`` and ``check``
    say so and exit 2."""
    (repo / ".ringfence.toml").unlink()
    (repo / ".ringfence.toml").symlink_to(repo / "missing.toml")
    decision, reason = answer(agent, repo, write_payload(agent, repo, "app/new.py"), env)
    assert decision == "deny" and "invalid" in reason
    explained = run_cli("explain", "app/main.py", cwd=repo, env=env)
    assert explained.returncode == 2 and "invalid" in explained.stdout + explained.stderr
    checked = run_cli("check", cwd=repo, env=env)
    assert checked.returncode == 2 and "symlink to a missing file" in checked.stderr


def test_a_dangling_root_policy_symlink_is_rf100_in_the_editor(repo, env):
    """Protection: the language server loads the policy through the same engine: RF100 on the
    policy and the open file fails closed at internal."""
    from fuzz.rpc import RawServer, did_open

    (repo / ".ringfence.toml").unlink()
    (repo / ".ringfence.toml").symlink_to(repo / "missing.toml")
    server = RawServer(repo)
    try:
        server.initialize()
        uri = (repo / "app" / "main.py").as_uri()
        server.notify("textDocument/didOpen", did_open(uri, "x = 1\n"))
        explained = server.request("ringfence/explain", {"uri": uri})["result"]
        assert explained["level"] == "internal"
        policy_uri = (repo / ".ringfence.toml").as_uri()
        deadline = time.monotonic() + 20
        while policy_uri not in server.latest and time.monotonic() < deadline:
            time.sleep(0.01)  # waits for a positive signal: the policy file's diagnostics
        assert "RF100" in [d["code"] for d in server.latest[policy_uri][1]]
    finally:
        assert server.close() == 0
