"""Bypass suite: one test per known way around an AI policy, each showing that ringfence denies.

The classes come from real reports against other tools (docs/security.md, "Known bypass
classes"): Cursor's case-sensitivity bypass (CVE-2025-59944) and its agent rewriting
``.cursorignore`` (CVE-2025-64110), Claude Code deny rules not holding for writes or for its own
settings (anthropics/claude-code#26315, #75315), Copilot's exclusion not reaching agents or the
terminal (microsoft/vscode#296258). Every test drives the hook entry point the agent runs
(:func:`ringfence.hooks.runner.run_hook`, the body of ``ringfence hook AGENT``) against a real
git repository, and names in its docstring the protection it relies on: remove that protection
and the test fails.
"""

from __future__ import annotations

import json
import os
import unicodedata

import pytest

from conftest import run_cli
from fuzz.rpc import RawServer, did_change, did_open, edit_origin
from ringfence.hooks.runner import run_hook

GENERATE = "training/datagen/generate.py"


def pre(
    root, tool: str, tool_input: dict, *, agent: str = "claude-code", cwd=None
) -> tuple[str, str]:
    """``(decision, reason)`` of a PreToolUse event, as Claude Code (or Codex) reads the answer.

    ``agent="metacode"`` is the demo's in-house assistant (speaking Codex's protocol): it may read
    every zone, so only a recognised *write* can deny it.
    """
    payload = {
        "session_id": "s-1",
        "cwd": str(cwd or root),
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    }
    answer = run_hook(agent, json.dumps(payload).encode(), "codex" if agent == "metacode" else None)
    if not answer.stdout:
        assert answer.code == 0, answer.stderr
        return "allow", ""
    output = json.loads(answer.stdout)["hookSpecificOutput"]
    return output["permissionDecision"], output["permissionDecisionReason"]


def write(root, path: str, **kw) -> str:
    return pre(root, "Write", {"file_path": path, "content": "x = 1\n"}, **kw)[0]


def bash(root, command: str, **kw) -> tuple[str, str]:
    return pre(root, "Bash", {"command": command}, **kw)


@pytest.fixture
def repo(demo_repo, monkeypatch):
    monkeypatch.chdir(demo_repo)
    monkeypatch.setenv("RINGFENCE_HOOK_CACHE", "off")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(demo_repo.parent / "xdg"))
    return demo_repo


def test_control_a_plain_write_into_the_zone_is_denied_and_an_open_one_allowed(repo):
    """The baseline every bypass below tries to get around."""
    assert write(repo, GENERATE) == "deny"
    assert write(repo, "app/new.py") == "allow"


# ----- case variants ---------------------------------------------------------------------------


def test_case_variants_are_denied_when_the_policy_ignores_case(make_repo, monkeypatch):
    """Protection: ``ignore-case = true`` folds case in zone matching (policy/globs) and in the
    protected-path check (hooks/protected), as on a case-insensitive volume
    (Cursor CVE-2025-59944)."""
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\nignore-case = true\n[[zone]]\nname = "data"\n'
            'path = "evals/**"\nlevel = "human-only"\nreason = "r"\n'
        }
    )
    monkeypatch.chdir(root)
    for variant in ("EVALS/x.py", "Evals/x.py", "eVaLs/sub/X.PY"):
        assert write(root, variant) == "deny", variant
    assert write(root, "other/x.py") == "allow"


def test_case_variants_of_protected_files_are_denied(make_repo, monkeypatch):
    """Protection: protected names (policy, ignore and hook files) compare case-insensitively
    when the policy ignores case, so ``.CursorIgnore`` is the ignore file it is on macOS."""
    root = make_repo({".ringfence.toml": "version = 1\nignore-case = true\n"})
    monkeypatch.chdir(root)
    for variant in (
        ".RINGFENCE.TOML",
        ".CursorIgnore",
        ".Claude/Settings.json",
        ".CODEX/hooks.json",
    ):
        assert write(root, variant) == "deny", variant


# ----- links -----------------------------------------------------------------------------------


def test_symlinked_directory_into_a_zone_is_denied(repo):
    """Protection: a path is judged by its resolved target too; the stricter level wins
    (docs/policy.md, "Paths")."""
    (repo / "app" / "data").symlink_to(repo / "training" / "datagen", target_is_directory=True)
    assert write(repo, "app/data/generate.py") == "deny"
    assert write(repo, "app/data/brand_new.py") == "deny"


def test_symlinked_file_into_a_zone_is_denied(repo):
    """Protection: the resolved target of a file symlink is classified (docs/policy.md, "Paths")."""
    (repo / "app" / "gen.py").symlink_to(repo / GENERATE)
    assert write(repo, "app/gen.py") == "deny"
    assert (
        pre(repo, "Edit", {"file_path": "app/gen.py", "old_string": "a", "new_string": "b"})[0]
        == "deny"
    )


def test_hard_link_to_a_zone_file_is_denied(repo):
    """Protection: a file with more than one link is judged by every name git knows for the same
    inode, so a hard link made earlier (by a human or a tool) is no way around the zone."""
    os.link(repo / GENERATE, repo / "app" / "hard.py")
    assert write(repo, "app/hard.py") == "deny"
    assert bash(repo, "echo x >> app/hard.py")[0] == "deny"
    (repo / "app" / "plain.py").write_text("x = 1\n")
    assert write(repo, "app/plain.py") == "allow"


# ----- path spelling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "app/../training/datagen/generate.py",
        "./training/datagen/generate.py",
        "training//datagen/./generate.py",
        "training/datagen/sub/../generate.py",
        "app/./../evals/new.py",
        "training\\datagen\\generate.py",
    ],
)
def test_dot_dot_and_dot_slash_spellings_are_denied(repo, spelling):
    """Protection: paths are normalised (``.``/``..``/``//`` collapsed, ``\\`` to ``/``)
    before matching."""
    assert write(repo, spelling) == "deny"


def test_absolute_and_relative_spellings_from_any_cwd_are_denied(repo):
    """Protection: relative paths resolve against the payload's ``cwd``, absolute ones are made
    repository-relative; both reach the same zone."""
    assert write(repo, str(repo / GENERATE)) == "deny"
    assert write(repo, "../training/datagen/generate.py", cwd=repo / "app") == "deny"
    assert write(repo, "datagen/generate.py", cwd=repo / "training") == "deny"
    assert write(repo, str(repo / "app" / ".." / GENERATE), cwd="/") == "deny"


@pytest.mark.parametrize(
    "spelling",
    [
        "training/datagen/generate.py/",
        "evals/",
        "evals/new.py ",
        "training/datagen/ notes.py",
        "evals/ /x.py",
    ],
)
def test_trailing_slashes_and_spaces_are_denied(repo, spelling):
    """Protection: a trailing ``/`` is dropped by normalisation and ``**`` matches names with
    spaces, so the zone still holds; a name that differs only by spaces is still inside the zone's
    directory (on POSIX ``evals /x.py`` is another directory, outside the zone: see
    docs/security.md)."""
    assert write(repo, spelling) == "deny"


def test_unicode_normalisation_look_alikes_are_denied(make_repo, monkeypatch):
    """Protection: paths and patterns are NFC-normalised, so the NFD spelling of a zone (what macOS
    file APIs return) lands in the same zone."""
    zone = "donn\u00e9es"
    root = make_repo(
        {
            ".ringfence.toml": f'version = 1\n[[zone]]\nname = "d"\npath = "{zone}/**"\n'
            'level = "human-only"\nreason = "r"\n'
        }
    )
    monkeypatch.chdir(root)
    assert write(root, f"{zone}/a.csv") == "deny"
    assert write(root, unicodedata.normalize("NFD", zone) + "/a.csv") == "deny"


# ----- notebooks and URIs ----------------------------------------------------------------------


def test_notebook_edit_into_a_zone_is_denied(repo):
    """Protection: Claude's ``NotebookEdit`` names ``notebook_path``, judged like any file."""
    decision, reason = pre(
        repo,
        "NotebookEdit",
        {"notebook_path": "evals/explore.ipynb", "cell_id": "c1", "new_source": "x = 1"},
    )
    assert decision == "deny" and "training-data" in reason


def test_notebook_cells_and_encoded_uris_are_classified_in_the_editor(repo):
    """Protection: the language server classifies a notebook cell by its notebook's path and
    percent-decodes ``file:`` URIs, so neither a cell URI nor ``%65vals`` escapes the zone."""
    server = RawServer(repo)
    try:
        server.initialize()
        cell = f"vscode-notebook-cell:{repo}/evals/explore.ipynb#W0sZmlsZQ%3D%3D"
        server.notify("textDocument/didOpen", did_open(cell, "import json\n"))
        server.notify("textDocument/didChange", did_change(cell, 2, 1, "a = 1\nb = 2\nc = 3\n"))
        server.notify("ringfence/editOrigin", edit_origin(cell, 2, 1, 4))
        encoded = repo.as_uri().rstrip("/") + "/%65vals/encoded.py"
        assert (
            server.request("ringfence/explain", {"uri": encoded})["result"]["level"] == "human-only"
        )
        version, found, _ = server.wait_published(cell, 2)
        assert [d["code"] for d in found] == ["RF001"]
    finally:
        assert server.close() == 0


# ----- renames and moves -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "mv app/main.py evals/main.py",
        "git mv app/main.py training/datagen/",
        "cp -r app evals/app",
        "mv training/datagen/generate.py app/g.py",
        "install -m 644 app/main.py evals/x.py",
        "ln -s ../app/main.py evals/l.py",
    ],
)
def test_shell_moves_and_copies_into_or_out_of_a_zone_are_denied(repo, command):
    """Protection: the shell check treats ``mv``/``git mv``/``cp``/``install``/``ln`` destinations
    as writes, and ``mv`` sources as deletes (hooks/shell). Run as the in-house assistant, which
    may read the zone, so the read check cannot be what denies."""
    assert bash(repo, "cat " + GENERATE, agent="metacode")[0] == "allow"
    assert bash(repo, command, agent="metacode")[0] == "deny", command


def test_patch_that_moves_a_file_into_a_zone_is_denied(repo):
    """Protection: every ``*** Move to:`` path of a Codex patch is judged (hooks/patch)."""
    patch = (
        "*** Begin Patch\n*** Update File: app/main.py\n*** Move to: evals/main.py\n"
        "@@\n-a\n+b\n*** End Patch\n"
    )
    assert pre(repo, "apply_patch", {"command": patch}, agent="codex")[0] == "deny"


def test_patch_hiding_a_zone_path_behind_indentation_is_denied(repo):
    """Protection: patch marker lines are read trimmed, as Codex's own parser does, so an indented
    ``*** Add File:`` after an allowed section is still seen (found by test_fuzz_core)."""
    patch = (
        "*** Begin Patch\n*** Add File: app/ok.py\n+x = 1\n"
        "  *** Add File: evals/hidden.py\n+y = 2\n"
        "*** End Patch\n"
    )
    assert pre(repo, "apply_patch", {"command": patch}, agent="codex")[0] == "deny"


# ----- the policy protects itself --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ".ringfence.toml",
        "docs/.ringfence.toml",
        "new/dir/.ringfence.toml",
        ".cursorignore",
        ".aiexclude",
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".codex/hooks.json",
        ".gemini/settings.json",
        ".cursor/hooks.json",
        ".github/hooks/ringfence.json",
        ".git/hooks/pre-commit",
    ],
)
def test_agents_may_not_edit_the_policy_its_exports_or_their_own_hooks(repo, path):
    """Protection: hooks/protected denies every policy, ignore, hook and settings file (Cursor
    CVE-2025-64110, anthropics/claude-code#26315), to external and in-house agents alike."""
    decision, reason = pre(repo, "Write", {"file_path": path, "content": ""})
    assert decision == "deny" and "protected" in reason
    assert pre(repo, "Write", {"file_path": path, "content": ""}, agent="metacode")[0] == "deny"


@pytest.mark.parametrize(
    "command",
    [
        "echo '' > .cursorignore",
        "sed -i 's/human-only/open/' .ringfence.toml",
        "rm .aiexclude",
        "tee .claude/settings.local.json < /dev/null",
        "printf x >> docs/.ringfence.toml",
        "mv .ringfence.toml /tmp/",
        "git config core.hooksPath /dev/null",
        "bash -c 'cat /dev/null > .codex/hooks.json'",
    ],
)
def test_shell_writes_to_the_policy_and_hooks_are_denied(repo, command):
    """Protection: the shell check applies the protected-path list to every write it recognises."""
    assert bash(repo, command)[0] == "deny", command


def test_pyproject_policy_table_is_protected_but_the_rest_of_the_file_is_not(
    make_repo, monkeypatch
):
    """Protection: an edit of ``pyproject.toml`` is applied and the ``[tool.ringfence]`` tables
    compared."""
    text = (
        '[project]\nname = "x"\nversion = "1"\n\n'
        "[tool.ringfence]\nversion = 1\n[[tool.ringfence.zone]]\n"
        'name = "d"\npath = "evals/**"\nlevel = "human-only"\nreason = "r"\n'
    )
    root = make_repo({"pyproject.toml": text})
    monkeypatch.chdir(root)
    lower = {
        "file_path": "pyproject.toml",
        "old_string": 'level = "human-only"',
        "new_string": 'level = "open"',
    }
    assert pre(root, "Edit", lower)[0] == "deny"
    bump = {
        "file_path": "pyproject.toml",
        "old_string": 'version = "1"',
        "new_string": 'version = "2"',
    }
    assert pre(root, "Edit", bump)[0] == "allow"


# ----- shell commands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "echo data > training/datagen/generate.py",
        "cat app/main.py >> evals/x.py",
        "sed -i 's/a/b/' " + GENERATE,
        "tee -a evals/x.py < app/main.py",
        "sudo -E env X=1 touch evals/new.py",
        "cd training && echo x > datagen/y.py",
        'bash -c "echo x > evals/x.py"',
        "dd if=/dev/zero of=evals/blob bs=1 count=1",
        "rm -rf training",
        "perl -pi -e 's/a/b/' evals/x.py",
        "truncate -s 0 " + GENERATE,
        "true && echo x >| evals/x.py",
    ],
)
def test_shell_writes_into_a_deny_zone_are_denied(repo, command):
    """Protection: hooks/shell finds redirections, ``tee``, ``sed -i``, ``perl -i``, ``dd of=``,
    ``touch``, ``truncate``, ``rm -r`` and follows ``cd``, ``bash -c`` and ``sudo``/``env``
    prefixes.
    Run as the in-house assistant (which may read the zone) and as Claude Code."""
    assert bash(repo, command, agent="metacode")[0] == "deny", command
    assert bash(repo, command)[0] == "deny", command


def test_unanalysable_shell_writes_are_allowed_and_journaled_with_the_limit(repo):
    """The limit (docs/security.md): an interpreter can write anywhere. The command runs, and its
    post-event is journaled with a note naming only the program, for ``check`` and the editor."""
    command = "python3 -c \"open('evals/x.py', 'w').write('1')\""
    assert bash(repo, command)[0] == "allow"
    post = {
        "session_id": "s-1",
        "cwd": str(repo),
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_response": {"stdout": "", "stderr": ""},
    }
    assert run_hook("claude-code", json.dumps(post).encode()).code == 0
    lines = (repo / ".git" / "ringfence" / "events.jsonl").read_text().splitlines()
    notes = [json.loads(line).get("note", "") for line in lines]
    assert any("not analysed: python3" in note for note in notes) and not any(
        "open(" in n for n in notes
    )


# ----- through the real command ----------------------------------------------------------------


def test_the_installed_command_fails_closed_on_garbage_and_denies_a_bypass(repo):
    """Protection: ``ringfence hook`` as a process: garbage is a deny with exit 2 and one
    stderr line;
    a ``..`` spelling into the zone is denied."""
    done = run_cli("hook", "claude-code", cwd=repo, stdin='{"tool_input": [')
    assert (
        done.returncode == 2
        and len(done.stderr.strip().splitlines()) == 1
        and "Traceback" not in done.stderr
    )
    payload = json.dumps(
        {
            "session_id": "s",
            "cwd": str(repo / "app"),
            "hook_event_name": "PreToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": "../evals/../" + GENERATE, "content": ""},
        }
    )
    done = run_cli("hook", "claude-code", cwd=repo, stdin=payload)
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
