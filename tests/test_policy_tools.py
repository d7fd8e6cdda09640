"""Approved tools per zone (docs/policy.md, "Approved tools"): the loader, the precedence
("raise only" across nested files and markers), ``models.deny``, ``explain``, and the same policy
judged by the real hook processes and by ``ringfence check`` on real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git, run_cli, write_files
from ringfence.policy import Policy

APPROVED = """version = 1

[[zone]]
name = "src"
path = "src/**"
level = "internal"
reason = "Vendor code under the enterprise agreement only."
tools.allow = ["copilot"]
tools.level = { copilot = "open" }
"""
CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
COPILOT_TRAILER = "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"


def zone(name: str, path: str, level: str, extra: str = "") -> str:
    """A nested policy file holding one zone (plus ``extra`` lines)."""
    return f'version = 1\n[[zone]]\nname = "{name}"\npath = "{path}"\nlevel = "{level}"\n{extra}\n'


def policy_of(make_repo, files: dict[str, str]) -> Policy:
    return Policy(make_repo(files))


def edits(policy: Policy, rel: str, tool: str, model: str = "", line: int | None = None) -> str:
    view = policy.view(str(policy.root) + "/" + rel)
    level = view.decision.level if line is None else view.level_at(line)
    return policy.edit_permission(level, view.decision, tool, model)


# ----- loader ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('tools.deny = ["claude"]', "unknown tool id 'claude' (did you mean 'claude-code'?)"),
        ('tools.allow = ["copilt"]', "unknown tool id 'copilt' (did you mean 'copilot'?)"),
        (
            'tools.level = { codex = "taged" }',
            "tools.level.codex: unknown level 'taged' (did you mean 'tagged'?)",
        ),
        (
            'tools.levle = { codex = "open" }',
            "unknown key 'levle' in tools (did you mean 'level'?)",
        ),
        ('models.deny = "gpt-*"', "models.deny must be an array, not str"),
        ('tools = "copilot"', "tools must be a table (write tools.allow = ...)"),
    ],
)
def test_bad_tool_rules_are_one_line_errors(make_repo, snippet, message):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": f'version = 1\n[[zone]]\nname = "z"\npath = "a/**"\n'
            f'level = "open"\n{snippet}\n'
        },
    )
    assert [e.message for e in policy.errors] == [message]
    assert "\n" not in str(policy.errors[0]) and str(policy.errors[0]).startswith(
        ".ringfence.toml:6:"
    )
    assert policy.classify(str(policy.root) + "/a/x.py").error  # an invalid policy fails closed


def test_root_tools_table_is_repository_wide_only(make_repo):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": 'version = 1\n[tools]\ndeny = ["aider"]\n',
            "sub/.ringfence.toml": 'version = 1\n[tools]\ndeny = ["codex"]\n',
        },
    )
    policy.discover_all()
    assert [e.message for e in policy.errors] == [
        "'tools' is repository-wide: only the root policy may set it"
    ]
    assert policy.settings.tools.deny == ("aider",)


def test_cached_policy_keeps_tool_rules(make_repo):
    root = make_repo(
        {".ringfence.toml": APPROVED + '[tools]\ndeny = ["aider"]\n[models]\ndeny = ["gpt-*"]\n'}
    )
    first, second = Policy(root), Policy(root)  # the second reads the validated file from the cache
    assert first.errors == second.errors == []
    assert second.settings.tools == first.settings.tools
    assert (
        second.classify(str(root / "src/a.py")).tools
        == first.classify(str(root / "src/a.py")).tools
    )


# ----- semantics --------------------------------------------------------------------------------


def test_allow_list_approves_one_tool_and_denies_the_rest(make_repo):
    policy = policy_of(make_repo, {".ringfence.toml": APPROVED})
    assert edits(policy, "src/app.py", "copilot") == "allow"  # tools.level lowers it for copilot
    assert (
        edits(policy, "src/app.py", "Copilot") == "allow"
    )  # aliases and case, as the evidence spells it
    assert edits(policy, "src/app.py", "claude-code") == "deny"
    assert edits(policy, "src/app.py", "claude") == "deny"
    assert edits(policy, "src/app.py", "unknown") == "deny"
    assert edits(policy, "README.md", "claude-code") == "allow"  # outside the zone: the level alone


def test_inhouse_tools_keep_their_own_rules(make_repo):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": APPROVED.replace(
                "version = 1\n", 'version = 1\ninhouse-tools = ["metacode"]\n'
            )
        },
    )
    assert edits(policy, "src/app.py", "metacode") == "tag"  # internal: in-house edits need a tag


def test_models_deny_globs(make_repo):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": 'version = 1\n[models]\ndeny = ["gpt-4*", "*-preview"]\n'
            '[[zone]]\nname = "t"\npath = "tests/**"\nlevel = "open"\n'
            'models.deny = ["claude-3-*"]\n'
        },
    )
    assert edits(policy, "a.py", "codex", "gpt-4.1") == "deny"
    assert (
        edits(policy, "a.py", "codex", "GPT-4o") == "deny"
    )  # model ids compare case-insensitively
    assert edits(policy, "a.py", "codex", "gpt-5-codex") == "allow"
    assert edits(policy, "a.py", "gemini", "gemini-3-pro-preview") == "deny"
    assert edits(policy, "tests/t.py", "claude-code", "claude-3-haiku") == "deny"
    assert edits(policy, "a.py", "claude-code", "claude-3-haiku") == "allow"
    assert edits(policy, "a.py", "codex") == "allow"  # no model named: model globs do not apply


def test_nested_file_may_deny_but_never_allow_a_denied_tool(make_repo):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": zone("lib", "lib/**", "open", 'tools.deny = ["codex"]'),
            "lib/.ringfence.toml": zone(
                "inner", "**", "open", 'tools.allow = ["codex", "copilot"]'
            ),
            "lib/core/.ringfence.toml": zone("core", "**", "open", 'tools.deny = ["copilot"]'),
        },
    )
    assert (
        edits(policy, "lib/a.py", "codex") == "deny"
    )  # the inner allow cannot undo the outer deny
    assert edits(policy, "lib/a.py", "copilot") == "allow"
    assert edits(policy, "lib/a.py", "gemini") == "deny"  # not in the inner allow list
    assert edits(policy, "lib/core/b.py", "copilot") == "deny"  # a deeper file denies one more
    assert edits(policy, "other.py", "codex") == "allow"


def test_default_tools_apply_everywhere_and_a_zone_level_only_raises_them(make_repo):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": 'version = 1\n[tools]\nlevel = { codex = "tagged" }\n'
            '[[zone]]\nname = "x"\npath = "x/**"\nlevel = "human-only"\n'
            '[[zone]]\nname = "y"\npath = "y/**"\nlevel = "open"\n'
            'tools.level = { codex = "open" }\n'
        },
    )
    assert edits(policy, "a.py", "codex") == "tag"  # the default's own level for codex
    assert edits(policy, "a.py", "copilot") == "allow"
    assert (
        edits(policy, "x/a.py", "codex") == "deny"
    )  # a stricter zone wins over the default's floor
    assert edits(policy, "y/a.py", "codex") == "tag"  # a zone cannot go below the default's floor


def test_markers_raise_a_tool_level_but_never_lower_it(make_repo):
    policy = policy_of(
        make_repo,
        {
            ".ringfence.toml": APPROVED,
            "src/marked.py": "# ringfence: human-only\nx = 1\n",
            "src/region.py": "a = 1\n# ringfence: begin human-only\nb = 2\n"
            "# ringfence: end\nc = 3\n",
        },
    )
    assert (
        edits(policy, "src/marked.py", "copilot") == "deny"
    )  # the header marker raises copilot too
    assert edits(policy, "src/region.py", "copilot", line=0) == "allow"
    assert edits(policy, "src/region.py", "copilot", line=2) == "deny"
    assert edits(policy, "src/region.py", "claude-code", line=0) == "deny"


def test_explain_names_the_tool_rule_that_decided(make_repo):
    root = make_repo({".ringfence.toml": APPROVED})
    done = run_cli("explain", "src/app.py", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (
        "  tool    claude-code: edits deny, context deny "
        "(claude-code is not in tools.allow (copilot); .ringfence.toml:3)" in done.stdout
    )
    assert (
        "  tool    copilot: edits allow, context allow "
        "(tools.level copilot = 'open'; .ringfence.toml:3)" in done.stdout
    )
    done = run_cli("explain", "--json", "src/app.py", "README.md", cwd=root)
    inside, outside = (json.loads(line) for line in done.stdout.splitlines())
    assert inside["tools"]["copilot"] == {
        "level": "open",
        "edits": "allow",
        "context": "allow",
        "rule": ".ringfence.toml:3",
        "why": "tools.level copilot = 'open'",
    }
    assert inside["tools"]["claude-code"]["edits"] == "deny"
    assert "tools" not in outside  # no tool rule on its way: the output is as before


# ----- the real hook processes ----------------------------------------------------------------


def _copilot_edit(root: Path, rel: str) -> str:
    return json.dumps(
        {
            "sessionId": "copilot-1",
            "timestamp": 1763632800000,
            "cwd": str(root),
            "toolName": "create",
            "toolArgs": {"path": rel, "file_text": "x = 1\n"},
        }
    )


def _claude_edit(root: Path, rel: str, model: str | None = None) -> str:
    event = {
        "session_id": "claude-1",
        "cwd": str(root),
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(root / rel), "content": "x = 1\n"},
    }
    if model:
        event["model"] = model
    return json.dumps(event)


def test_hooks_let_the_approved_tool_edit_and_refuse_the_other(make_repo):
    root = make_repo({".ringfence.toml": APPROVED})
    done = run_cli("hook", "copilot", stdin=_copilot_edit(root, "src/new.py"), cwd=root)
    assert done.returncode == 0 and "deny" not in done.stdout, done.stdout + done.stderr
    done = run_cli("hook", "claude-code", stdin=_claude_edit(root, "src/new.py"), cwd=root)
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny"
    assert (
        "external AI edits (claude-code) are denied here "
        "(claude-code is not in tools.allow (copilot); .ringfence.toml:3)"
        in output["permissionDecisionReason"]
    )
    done = run_cli("hook", "claude-code", stdin=_claude_edit(root, "docs/new.md"), cwd=root)
    assert (done.returncode, done.stdout) == (0, "")  # outside the zone nothing changes


def test_hook_judges_the_payload_model(make_repo):
    root = make_repo({".ringfence.toml": 'version = 1\n[models]\ndeny = ["claude-3-*"]\n'})
    done = run_cli(
        "hook", "claude-code", stdin=_claude_edit(root, "a.py", "claude-3-opus"), cwd=root
    )
    reason = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "model claude-3-opus matches models.deny 'claude-3-*'" in reason
    done = run_cli(
        "hook", "claude-code", stdin=_claude_edit(root, "a.py", "claude-sonnet-4-5"), cwd=root
    )
    assert (done.returncode, done.stdout) == (0, "")


# ----- ringfence check on real git history ----------------------------------------------------


def _commit(root: Path, files: dict[str, str], message: str) -> None:
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_check_flags_the_claude_commit_and_passes_the_copilot_one(make_repo):
    root = make_repo({".ringfence.toml": APPROVED, "src/a.py": "a = 1\n", "src/b.py": "b = 1\n"})
    _commit(root, {"src/a.py": "a = 1\na = 2\n"}, f"Copilot change\n\n{COPILOT_TRAILER}\n")
    done = run_cli("check", "--format", "json", cwd=root)
    assert done.returncode == 0 and json.loads(done.stdout)["findings"] == [], (
        done.stdout + done.stderr
    )
    _commit(root, {"src/b.py": "b = 1\nb = 2\n"}, f"Claude change\n\n{CLAUDE_TRAILER}\n")
    done = run_cli("check", "--format", "json", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["code"], finding["path"], finding["start"], finding["end"]) == (
        "RF010",
        "src/b.py",
        2,
        2,
    )
    assert finding["tool"] == "claude-code"
    assert "claude-code is not in tools.allow (copilot) (.ringfence.toml:3)" in finding["message"]
    done = run_cli("check", "--format", "sarif", cwd=root)
    (result,) = json.loads(done.stdout)["runs"][0]["results"]
    assert result["ruleId"] == "RF010" and "tools.allow" in result["message"]["text"]


def test_hooks_keep_a_denied_tools_reads_out_of_the_zone(make_repo):
    root = make_repo({".ringfence.toml": APPROVED, "src/a.py": "secret = 1\n", "README.md": "hi\n"})
    base = {"session_id": "claude-1", "cwd": str(root), "hook_event_name": "PreToolUse"}
    grep = {**base, "tool_name": "Bash", "tool_input": {"command": "grep -r secret ."}}
    done = run_cli("hook", "claude-code", stdin=json.dumps(grep), cwd=root)
    reason = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "which holds the internal zone 'src'" in reason and "(claude-code)" in reason
    read = {**base, "tool_name": "Read", "tool_input": {"file_path": str(root / "src/a.py")}}
    done = run_cli("hook", "claude-code", stdin=json.dumps(read), cwd=root)
    reason = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "must not reach external AI tools (claude-code) here" in reason
    for tool, args in (
        ("view", {"path": str(root / "src/a.py")}),
        ("bash", {"command": "grep -r secret ."}),
    ):
        copilot = {
            "sessionId": "copilot-1",
            "timestamp": 1763632800000,
            "cwd": str(root),
            "toolName": tool,
            "toolArgs": args,
        }
        done = run_cli("hook", "copilot", stdin=json.dumps(copilot), cwd=root)
        assert done.returncode == 0 and "deny" not in done.stdout, done.stdout + done.stderr


# ----- exports ----------------------------------------------------------------------------------


def test_each_tools_ignore_file_gets_the_zones_that_deny_that_tool(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": APPROVED
            + '\n[[zone]]\nname = "tests"\npath = "tests/**"\nlevel = "open"\n'
            'tools.deny = ["cursor"]\n',
            "src/a.py": "a = 1\n",
            "tests/t.py": "t = 1\n",
        }
    )
    done = run_cli("export", cwd=root)
    assert done.returncode == 0, done.stderr
    cursor = (root / ".cursorignore").read_text()
    assert "/src/**" in cursor and "/tests/**" in cursor
    assert "# zone 'tests' (open; cursor not approved) in .ringfence.toml" in cursor
    assert not (root / "copilot-content-exclusion.yml").exists()  # copilot may read both zones
    claude = json.loads((root / ".claude/settings.json").read_text())["permissions"]["deny"]
    assert "Read(/src/**)" in claude and "Edit(/src/**)" in claude
    assert not any("tests" in entry for entry in claude)
    gemini = (root / ".geminiignore").read_text()
    assert "/src/**" in gemini and "/tests/**" not in gemini
    assert run_cli("export", "--check", cwd=root).returncode == 0  # per-tool files are stable
