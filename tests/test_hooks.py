"""``ringfence hook AGENT``: real payloads of every agent through the real hook process.

Each test pipes a fixture from ``tests/fixtures/hooks/`` (the agent's own wire format) into
``python -m ringfence hook AGENT`` inside a git copy of ``examples/demo`` and checks the answer
in the agent's protocol, the exit code, the journal and the provenance records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from ringfence.evidence.hashing import content_hash

FIXTURES = Path(__file__).parent / "fixtures" / "hooks"
OLD = "Run `python -m serving.model_server` with the weights path."
NEW = OLD + "\nSet `RF_PORT` to change the port.\nThe server logs to stderr."
HUNK = f" {OLD}\n+Set `RF_PORT` to change the port.\n+The server logs to stderr."
ALLOWED_FIELDS = {
    "time",
    "event",
    "agent",
    "session",
    "model",
    "path",
    "ranges",
    "hashes",
    "decision",
    "source",
    "state",
    "note",
}


def payload(agent: str, name: str, root: Path, **subs: str) -> str:
    text = (FIXTURES / agent / f"{name}.json").read_text()
    for key, value in {"ROOT": str(root), "OLD": OLD, "NEW": NEW, "HUNK": HUNK, **subs}.items():
        text = text.replace(f"{{{{{key}}}}}", json.dumps(value)[1:-1])
    json.loads(text)
    return text


def hook(agent: str, stdin: str, cwd: Path, *extra: str):
    return run_cli("hook", agent, *extra, stdin=stdin, cwd=cwd)


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def traces(root: Path) -> list[dict]:
    path = root / ".agent-trace" / "traces.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def claude_reason(done) -> str:
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    output = answer["hookSpecificOutput"]
    assert output["hookEventName"] == "PreToolUse" and output["permissionDecision"] == "deny"
    return output["permissionDecisionReason"]


def assert_silent_allow(done) -> None:
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def tool_input_event(tool: str, tool_input: dict, root: Path, event: str = "PreToolUse") -> str:
    return json.dumps(
        {
            "session_id": "s-1",
            "cwd": str(root),
            "hook_event_name": event,
            "tool_name": tool,
            "tool_input": tool_input,
        }
    )


# ----- pre-edit denies, with a reason the agent and the human can act on ----------------------


def test_claude_edit_into_internal_zone_is_denied_with_an_actionable_reason(demo_repo):
    reason = claude_reason(
        hook("claude-code", payload("claude-code", "pre_edit_deny", demo_repo), demo_repo)
    )
    for part in (
        "serving/tokenizer.py",
        "'model-serving'",
        "internal",
        ".ringfence.toml:25",
        "Serving code must not leave the company",
        "metacode",
        "@platform-security",
        "claude-code",
    ):
        assert part in reason
    assert journal(demo_repo) == []  # a denied edit leaves nothing to record


def test_codex_patch_with_one_denied_path_is_denied(demo_repo):
    reason = claude_reason(hook("codex", payload("codex", "pre_edit_deny", demo_repo), demo_repo))
    assert "serving/cache.py" in reason and "'model-serving'" in reason
    assert "app/main.py" not in reason


@pytest.mark.parametrize(
    "patch_header",
    [
        "*** Delete File: evals/cases.jsonl",
        "*** Update File: app/utils.py\n*** Move to: evals/utils.py\n@@\n-x\n+y",
        "*** Update File: evals/harness.py\n@@\n-a\n+b",
    ],
)
def test_codex_every_patch_path_counts(demo_repo, patch_header):
    patch = f"*** Begin Patch\n*** Add File: app/ok.py\n+ok = 1\n{patch_header}\n*** End Patch\n"
    stdin = json.dumps(
        {
            "session_id": "c",
            "cwd": str(demo_repo),
            "hook_event_name": "PreToolUse",
            "model": "gpt-5-codex",
            "tool_name": "apply_patch",
            "tool_input": {"command": patch},
        }
    )
    reason = claude_reason(hook("codex", stdin, demo_repo))
    assert "evals/" in reason and "'training-data'" in reason and "human-only" in reason


def test_gemini_write_into_human_only_zone_is_denied(demo_repo):
    done = hook("gemini", payload("gemini", "pre_edit_deny", demo_repo), demo_repo)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny"
    assert "evals/harness.py" in answer["reason"] and "human-only" in answer["reason"]
    assert "a human must make this change by hand" in answer["reason"]


@pytest.mark.parametrize("fixture", ["pre_edit_deny", "pre_edit_deny_pascal"])
def test_copilot_deny_is_json_with_exit_0(demo_repo, fixture):
    done = hook("copilot", payload("copilot", fixture, demo_repo), demo_repo)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["permissionDecision"] == "deny"
    assert "ringfence:" in answer["permissionDecisionReason"]
    if fixture.endswith("pascal"):
        assert answer["hookSpecificOutput"]["permissionDecision"] == "deny"
        assert "training/datagen/extra.py" in answer["permissionDecisionReason"]


# ----- allowed events print nothing -----------------------------------------------------------


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini", "copilot"])
def test_allowed_pre_edit_prints_nothing(demo_repo, agent):
    assert_silent_allow(hook(agent, payload(agent, "pre_edit_allow", demo_repo), demo_repo))


@pytest.mark.parametrize("agent", ["metacode", "MetaCode"])
def test_inhouse_assistant_may_edit_internal_code(demo_repo, agent):
    stdin = tool_input_event(
        "Write", {"file_path": f"{demo_repo}/serving/batching.py", "content": "x = 1\n"}, demo_repo
    )
    assert_silent_allow(hook(agent, stdin, demo_repo))
    # …but not human-only code, and an external tool not even internal code
    stdin = tool_input_event(
        "Write", {"file_path": f"{demo_repo}/evals/new.py", "content": "x = 1\n"}, demo_repo
    )
    assert "in-house AI edits (metacode)" in claude_reason(hook(agent, stdin, demo_repo))


def test_inhouse_assistant_named_only_in_user_config(make_repo, tmp_path):
    repo = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "core"\npath = "core/**"\n'
            'level = "internal"\n',
            "core/a.py": "a = 1\n",
        }
    )
    config = tmp_path / "xdg" / "ringfence"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        '[assistant]\nname = "localcoder"\nkind = "url"\nurl = "http://x/{path}"\n'
    )
    stdin = tool_input_event(
        "Edit", {"file_path": "core/a.py", "old_string": "a = 1", "new_string": "a = 2"}, repo
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert run_cli("hook", "localcoder", stdin=stdin, cwd=repo, env=env).stdout == ""
    reason = claude_reason(run_cli("hook", "claude", stdin=stdin, cwd=repo, env=env))
    assert "hand this change to localcoder" in reason


def test_assistant_name_with_capitals_is_recognised(make_repo):
    # tool ids and the assistant's name compare case-insensitively
    repo = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[assistant]\nname = "MetaCode"\nkind = "url"\n'
            'url = "http://x/{path}"\n[[zone]]\nname = "core"\npath = "core/**"\n'
            'level = "internal"\n',
            "core/a.py": "a = 1\n",
        }
    )
    stdin = tool_input_event("Write", {"file_path": "core/a.py", "content": "a = 2\n"}, repo)
    assert_silent_allow(hook("MetaCode", stdin, repo, "--protocol", "claude-code"))
    assert "hand this change to metacode" in claude_reason(hook("claude-code", stdin, repo))


# ----- reads: the egress half ----------------------------------------------------------------


def test_claude_read_of_internal_file_is_denied_and_journaled(demo_repo):
    reason = claude_reason(
        hook("claude-code", payload("claude-code", "read_deny", demo_repo), demo_repo)
    )
    assert "serving/model_server.py" in reason and "must not reach external AI tools" in reason
    [event] = journal(demo_repo)
    assert (
        event["event"] == "read"
        and event["decision"] == "deny"
        and event["path"] == "serving/model_server.py"
    )
    assert event["agent"] == "claude-code" and event["session"] == "0b1c2d3e-claude"
    assert set(event) <= ALLOWED_FIELDS and "transcript" not in json.dumps(event)


@pytest.mark.parametrize(
    "tool,tool_input",
    [
        ("Grep", {"pattern": "Tokenizer", "path": "serving", "output_mode": "content"}),
        ("Grep", {"pattern": "Tokenizer", "glob": "serving/**/*.py"}),
        ("Glob", {"pattern": "evals/*.py"}),
    ],
)
def test_claude_search_inside_restricted_directory_is_denied(demo_repo, tool, tool_input):
    assert "must not reach external AI tools" in claude_reason(
        hook("claude-code", tool_input_event(tool, tool_input, demo_repo), demo_repo)
    )


def test_read_of_open_file_is_silent_and_not_journaled(demo_repo):
    stdin = tool_input_event("Read", {"file_path": "app/main.py"}, demo_repo)
    assert_silent_allow(hook("claude-code", stdin, demo_repo))
    assert journal(demo_repo) == []


def test_gemini_read_many_files_denied_when_one_is_restricted(demo_repo):
    done = hook("gemini", payload("gemini", "read_deny", demo_repo), demo_repo)
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny" and "serving/tokenizer.py" in answer["reason"]
    assert [e["path"] for e in journal(demo_repo)] == ["serving/tokenizer.py"]


def test_copilot_view_of_marker_internal_file_is_denied(demo_repo):
    answer = json.loads(
        hook("copilot", payload("copilot", "read_deny", demo_repo), demo_repo).stdout
    )
    assert answer["permissionDecision"] == "deny"
    assert (
        "app/secrets_loader.py is marked internal (app/secrets_loader.py:1)"
        in answer["permissionDecisionReason"]
    )


def test_cursor_read_event_always_answers(demo_repo):
    denied = hook("cursor", payload("cursor", "read_deny", demo_repo), demo_repo)
    answer = json.loads(denied.stdout)
    assert (
        denied.returncode == 0
        and answer["permission"] == "deny"
        and ".cursorignore" in answer["user_message"]
    )
    allowed = hook("cursor", payload("cursor", "read_allow", demo_repo), demo_repo)
    assert (allowed.returncode, json.loads(allowed.stdout)) == (0, {"permission": "allow"})
    assert [e["session"] for e in journal(demo_repo)] == ["c0ffee-cursor"]


def test_inhouse_assistant_may_read_internal_code(demo_repo):
    stdin = tool_input_event("Read", {"file_path": "serving/model_server.py"}, demo_repo)
    assert_silent_allow(hook("metacode", stdin, demo_repo))


# ----- post-edit: journal and auto-tag ----------------------------------------------------------


def _apply_guide_edit(root: Path) -> list[str]:
    guide = root / "docs" / "guide.md"
    guide.write_text(guide.read_text().replace(OLD, NEW))
    return guide.read_text().split("\n")


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini", "copilot", "cursor"])
def test_post_edit_journals_written_lines_and_tags_them(demo_repo, agent):
    lines = _apply_guide_edit(demo_repo)
    done = hook(agent, payload(agent, "post_edit", demo_repo), demo_repo)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    [event] = journal(demo_repo)
    assert event["event"] == "edit" and event["path"] == "docs/guide.md"
    assert event["ranges"] == [[8, 9]]
    assert event["hashes"] == [content_hash(lines[7:9])]
    assert (
        event["decision"] == "logged" and event["state"] == "tagged" and event["source"] == "agent"
    )
    assert event["agent"] == agent
    assert set(event) <= ALLOWED_FIELDS
    raw = (demo_repo / ".git" / "ringfence" / "events.jsonl").read_text()
    assert "RF_PORT" not in raw and "transcript" not in raw and "@example.com" not in raw
    [record] = traces(demo_repo)
    meta = record["metadata"]["dev.ringfence"]
    assert (meta["ai_tool"], meta["source"], meta["zone"], meta["level"]) == (
        agent,
        "agent",
        "docs",
        "tagged",
    )
    [file_entry] = record["files"]
    [conversation] = file_entry["conversations"]
    assert file_entry["path"] == "docs/guide.md"
    assert conversation["ranges"] == [
        {"start_line": 8, "end_line": 9, "content_hash": event["hashes"][0]}
    ]


@pytest.mark.parametrize(
    "agent,result",
    [
        ("copilot", {"toolResult": {"resultType": "failure", "textResultForLlm": "no match"}}),
        ("copilot", {"toolResult": {"resultType": "denied", "textResultForLlm": "denied"}}),
        ("gemini", {"tool_response": {"llmContent": "", "returnDisplay": "", "error": "no match"}}),
    ],
)
def test_post_event_of_a_tool_that_failed_records_nothing(demo_repo, agent, result):
    data = {**json.loads(payload(agent, "post_edit", demo_repo)), **result}
    done = hook(agent, json.dumps(data), demo_repo)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert journal(demo_repo) == [] and traces(demo_repo) == []


def test_post_edit_model_is_recorded_when_the_agent_sends_it(demo_repo):
    _apply_guide_edit(demo_repo)
    hook("codex", payload("codex", "post_edit", demo_repo), demo_repo)
    assert journal(demo_repo)[0]["model"] == "gpt-5-codex"
    assert (
        traces(demo_repo)[0]["files"][0]["conversations"][0]["contributor"]["model_id"]
        == "openai/gpt-5-codex"
    )


def test_claude_post_write_uses_structured_patch_lines(demo_repo):
    target = demo_repo / "docs" / "new.md"
    target.write_text("# New\n\nintro\nadded one\nadded two\n")
    stdin = json.dumps(
        {
            "session_id": "s",
            "cwd": str(demo_repo),
            "hook_event_name": "PostToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": str(target), "content": target.read_text()},
            "tool_response": {
                "type": "update",
                "filePath": str(target),
                "content": target.read_text(),
                "structuredPatch": [
                    {
                        "oldStart": 1,
                        "oldLines": 3,
                        "newStart": 1,
                        "newLines": 5,
                        "lines": [" # New", " ", " intro", "+added one", "+added two"],
                    }
                ],
            },
        }
    )
    assert hook("claude-code", stdin, demo_repo).returncode == 0
    assert journal(demo_repo)[0]["ranges"] == [[4, 5]]


def test_auto_tag_off_journals_untagged_without_record(make_repo):
    repo = make_repo(
        {
            ".ringfence.toml": "version = 1\n[provenance]\nauto-tag-agents = false\n"
            '[[zone]]\nname = "d"\npath = "docs/**"\nlevel = "tagged"\n',
            "docs/a.md": "a\n",
        }
    )
    (repo / "docs" / "a.md").write_text("a\nb\n")
    stdin = tool_input_event(
        "Write", {"file_path": "docs/a.md", "content": "a\nb\n"}, repo, "PostToolUse"
    )
    assert hook("claude-code", stdin, repo).returncode == 0
    [event] = journal(repo)
    assert (event["state"], event["decision"], event["ranges"]) == ("untagged", "logged", [[1, 2]])
    assert traces(repo) == []


def test_cursor_edit_in_deny_zone_is_journaled_for_the_editor_and_check(demo_repo):
    tokenizer = demo_repo / "serving" / "tokenizer.py"
    old = '        return list(text.encode("utf-8"))'
    new = '        data = text.encode("utf-8")\n        return list(data)'
    tokenizer.write_text(tokenizer.read_text().replace(old, new))
    done = hook(
        "cursor", payload("cursor", "post_edit_deny_zone", demo_repo, OLD=old, NEW=new), demo_repo
    )
    assert (done.returncode, done.stdout) == (0, "")
    [event] = journal(demo_repo)
    # "logged", not "deny": the edit happened (Cursor cannot block it), so the editor shows RF001
    assert (event["decision"], event["ranges"], event["path"]) == (
        "logged",
        [[6, 7]],
        "serving/tokenizer.py",
    )
    assert event["note"] == "written where the policy denies this tool's edits"
    assert traces(demo_repo) == []
    done = run_cli("check", "--format", "json", cwd=demo_repo)
    assert done.returncode == 1 and "serving/tokenizer.py" in done.stdout


def test_post_edit_outside_the_repository_is_ignored(demo_repo, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("x\n")
    stdin = tool_input_event(
        "Write", {"file_path": str(outside), "content": "x\n"}, demo_repo, "PostToolUse"
    )
    assert hook("claude-code", stdin, demo_repo).returncode == 0
    assert journal(demo_repo) == []


# ----- markers: raised regions and marker lines ------------------------------------------------


REGION_FILE = (
    "def open_part():\n"
    "    return 1\n"
    "\n"
    '# ringfence: begin human-only reason="hand-tuned weights"\n'
    "WEIGHTS = [0.1, 0.2]\n"
    "# ringfence: end\n"
    "\n"
    "def after():\n"
    "    return 2\n"
)


@pytest.fixture
def region_repo(make_repo):
    return make_repo({".ringfence.toml": "version = 1\n", "app/model.py": REGION_FILE})


@pytest.mark.parametrize(
    "old,new,denied",
    [
        ("    return 1", "    return 10", False),
        ("def after():\n    return 2", "def after():\n    return 3", False),
        ("WEIGHTS = [0.1, 0.2]", "WEIGHTS = [0.3]", True),
        ("# ringfence: end\n", "", True),  # removing a marker line
        ("    return 1\n\n# ringfence: begin", "    return 1\n\n# ringfence: begin", True),
    ],
)
def test_edit_is_judged_at_the_level_of_the_lines_it_touches(region_repo, old, new, denied):
    stdin = tool_input_event(
        "Edit", {"file_path": "app/model.py", "old_string": old, "new_string": new}, region_repo
    )
    done = hook("claude-code", stdin, region_repo)
    if denied:
        reason = claude_reason(done)
        assert "lines 4-6 of app/model.py are a human-only region (app/model.py:4)" in reason
        assert "hand-tuned weights" in reason
    else:
        assert_silent_allow(done)


def test_whole_file_write_over_a_region_is_denied(region_repo):
    stdin = tool_input_event(
        "Write", {"file_path": "app/model.py", "content": "x = 1\n"}, region_repo
    )
    assert "human-only region" in claude_reason(hook("claude-code", stdin, region_repo))


def test_region_makes_a_read_of_the_file_restricted(region_repo):
    stdin = tool_input_event("Read", {"file_path": "app/model.py"}, region_repo)
    assert "must not reach external AI tools" in claude_reason(
        hook("claude-code", stdin, region_repo)
    )


# ----- the policy protects itself ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ".ringfence.toml",
        "docs/.ringfence.toml",
        "app/sub/.ringfence.toml",
        ".cursorignore",
        "app/.aiexclude",
        ".geminiignore",
        ".agent-trace/traces.jsonl",
        ".git/hooks/pre-commit",
        ".git/config",
        ".git/ringfence/events.jsonl",
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".codex/hooks.json",
        ".codex/config.toml",
        ".gemini/settings.json",
        ".cursor/hooks.json",
        ".github/hooks/ringfence.json",
        "copilot-content-exclusion.yml",
    ],
)
def test_protected_paths_are_denied(demo_repo, path):
    stdin = tool_input_event("Write", {"file_path": path, "content": "x\n"}, demo_repo)
    reason = claude_reason(hook("claude-code", stdin, demo_repo))
    assert f"ringfence: {path} is protected" in reason and "ask a human" in reason


def test_protected_paths_are_denied_to_the_inhouse_assistant_and_by_delete(demo_repo):
    patch = (
        "*** Begin Patch\n*** Delete File: .cursorignore\n*** Update File: app/utils.py\n"
        "*** Move to: .claude/settings.local.json\n@@\n-a\n+b\n*** End Patch\n"
    )
    stdin = tool_input_event("apply_patch", {"command": patch}, demo_repo)
    reason = claude_reason(hook("metacode", stdin, demo_repo, "--protocol", "codex"))
    assert ".cursorignore is protected" in reason
    assert ".claude/settings.local.json is protected" in reason


def test_user_level_agent_settings_are_protected(demo_repo, tmp_path):
    home = tmp_path / "home"
    stdin = tool_input_event(
        "Write", {"file_path": f"{home}/.claude/settings.json", "content": "{}"}, demo_repo
    )
    reason = claude_reason(
        run_cli("hook", "claude-code", stdin=stdin, cwd=demo_repo, env={"HOME": str(home)})
    )
    assert "user-level Claude Code settings" in reason


PYPROJECT = (
    '[project]\nname = "demo"\nversion = "1.0"\n\n[tool.ringfence]\nversion = 1\ndefault = "open"\n'
)


@pytest.mark.parametrize(
    "old,new,denied",
    [
        ('version = "1.0"', 'version = "1.1"', False),
        ('default = "open"', 'default = "tagged"', True),
        ("[tool.ringfence]\nversion = 1\n", "", True),
    ],
)
def test_pyproject_only_the_ringfence_table_is_protected(make_repo, old, new, denied):
    repo = make_repo({"pyproject.toml": PYPROJECT})
    stdin = tool_input_event(
        "Edit", {"file_path": "pyproject.toml", "old_string": old, "new_string": new}, repo
    )
    done = hook("claude-code", stdin, repo)
    if denied:
        assert "[tool.ringfence] table" in claude_reason(done)
    else:
        assert_silent_allow(done)


def test_adding_a_ringfence_table_to_pyproject_is_denied(make_repo):
    repo = make_repo({"pyproject.toml": '[project]\nname = "x"\n'})
    stdin = tool_input_event(
        "Write",
        {
            "file_path": "pyproject.toml",
            "content": '[project]\nname = "x"\n[tool.ringfence]\nversion = 1\n',
        },
        repo,
    )
    assert "[tool.ringfence] table" in claude_reason(hook("claude-code", stdin, repo))


# ----- shell commands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "echo 'x = 1' > serving/new.py",
        "printf 'y' >> evals/harness.py",
        "python3 gen.py | tee -a training/datagen/out.jsonl",
        "sed -i.bak 's/a/b/' serving/tokenizer.py",
        "cp app/main.py serving/",
        "mv app/utils.py evals/utils.py",
        "rm -f evals/cases.jsonl",
        "touch training/datagen/new.py",
        "rm -rf training",
        "cd serving && touch x.py",
        "bash -c 'echo hi > evals/x.py'",
        "echo > .ringfence.toml",
        "git config core.hooksPath /tmp/nohooks",
    ],
)
def test_shell_writes_into_deny_zones_are_denied(demo_repo, command):
    stdin = tool_input_event("Bash", {"command": command, "description": "d"}, demo_repo)
    assert "ringfence:" in claude_reason(hook("claude-code", stdin, demo_repo))


@pytest.mark.parametrize(
    "command",
    [
        "cat serving/model_server.py",
        "head -n 5 < app/secrets_loader.py",
        "grep -rn Tokenizer serving",
    ],
)
def test_shell_reads_of_restricted_files_are_denied(demo_repo, command):
    stdin = tool_input_event("Bash", {"command": command}, demo_repo)
    assert "must not reach external AI tools" in claude_reason(
        hook("claude-code", stdin, demo_repo)
    )


@pytest.mark.parametrize(
    "command",
    [
        "ls -la",
        "git status && git diff",
        "echo hi > app/out.txt",
        "python3 -m pytest -q",
        "cat app/main.py | grep main",
    ],
)
def test_other_shell_commands_are_allowed(demo_repo, command):
    stdin = tool_input_event("Bash", {"command": command}, demo_repo)
    assert_silent_allow(hook("claude-code", stdin, demo_repo))


def test_post_shell_journals_writes_and_unanalysed_programs(demo_repo):
    (demo_repo / "app" / "out.txt").write_text("hi\n")
    post = tool_input_event(
        "Bash", {"command": "echo hi > app/out.txt && python3 build.py"}, demo_repo, "PostToolUse"
    )
    assert hook("claude-code", post, demo_repo).returncode == 0
    events = journal(demo_repo)
    assert [(e["path"], e["decision"], e["ranges"]) for e in events] == [
        ("app/out.txt", "allow", []),
        (".", "logged", []),
    ]
    assert (
        "lines unknown" in events[0]["note"] and events[1]["note"] == "shell: not analysed: python3"
    )
    read_only = tool_input_event("Bash", {"command": "ls && git status"}, demo_repo, "PostToolUse")
    hook("claude-code", read_only, demo_repo)
    assert len(journal(demo_repo)) == 2


def test_gemini_and_cursor_and_codex_shell_checks(demo_repo):
    stdin = json.dumps(
        {
            "session_id": "g",
            "cwd": str(demo_repo),
            "hook_event_name": "BeforeTool",
            "tool_name": "run_shell_command",
            "tool_input": {"command": "touch x.py", "dir_path": "evals"},
        }
    )
    assert json.loads(hook("gemini", stdin, demo_repo).stdout)["decision"] == "deny"
    answer = json.loads(
        hook("cursor", payload("cursor", "shell_deny", demo_repo), demo_repo).stdout
    )
    assert answer["permission"] == "deny" and "serving/patch.py" in answer["agent_message"]
    assert "training/datagen/generate.py" in claude_reason(
        hook("codex", payload("codex", "bash_deny", demo_repo), demo_repo)
    )
    assert "evals/harness.py" in claude_reason(
        hook("claude-code", payload("claude-code", "bash_deny", demo_repo), demo_repo)
    )


def test_codex_patch_through_the_shell_is_checked(demo_repo):
    command = (
        "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: evals/new_case.py\n+case = 1\n"
        "*** End Patch\nEOF\n"
    )
    stdin = json.dumps(
        {
            "session_id": "c",
            "cwd": str(demo_repo),
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
    )
    assert "evals/new_case.py" in claude_reason(hook("codex", stdin, demo_repo))


# ----- bad input: fail closed in each agent's protocol -----------------------------------------


BAD_INPUTS = [
    "{not json",
    "",
    "[1, 2]",
    '{"hook_event_name": "PreToolUse"}',
    '{"hook_event_name": "PreToolUse", "tool_name": "Edit", "tool_input": {"old_string": "a"}}',
]


@pytest.mark.parametrize("stdin", BAD_INPUTS)
@pytest.mark.parametrize("agent", ["claude-code", "codex"])
def test_malformed_input_fails_closed_with_exit_2(demo_repo, agent, stdin):
    done = hook(agent, stdin, demo_repo)
    assert done.returncode == 2
    assert done.stderr.startswith("ringfence: malformed") and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_malformed_gemini_input_exits_2(demo_repo):
    done = hook(
        "gemini",
        '{"hook_event_name": "BeforeTool", "tool_name": "write_file", "tool_input": {}}',
        demo_repo,
    )
    assert (
        done.returncode == 2
        and "file_path" in done.stderr
        and json.loads(done.stdout)["decision"] == "deny"
    )


@pytest.mark.parametrize(
    "stdin", ["{not json", '{"toolName": "edit", "toolArgs": "{broken"}', '{"cwd": "/x"}']
)
def test_malformed_copilot_input_denies_with_json_and_exit_0(demo_repo, stdin):
    done = hook("copilot", stdin, demo_repo)
    assert done.returncode == 0
    assert json.loads(done.stdout)["permissionDecision"] == "deny"


def test_malformed_cursor_read_denies(demo_repo):
    done = hook("cursor", '{"hook_event_name": "beforeReadFile", "workspace_roots": []}', demo_repo)
    assert (done.returncode, json.loads(done.stdout)["permission"]) == (0, "deny")


def test_invalid_policy_denies_every_pre_event(make_repo):
    repo = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "x"\npath = "a/**"\nlevl = "open"\n',
            "b/c.py": "c = 1\n",
        }
    )
    for tool, tool_input in (
        ("Edit", {"file_path": "b/c.py", "old_string": "c = 1", "new_string": "c = 2"}),
        ("Read", {"file_path": "b/c.py"}),
        ("Bash", {"command": "ls"}),
    ):
        reason = claude_reason(hook("claude-code", tool_input_event(tool, tool_input, repo), repo))
        assert "the policy is invalid (.ringfence.toml:5:1: unknown key 'levl'" in reason
    copilot = json.dumps(
        {
            "cwd": str(repo),
            "toolName": "edit",
            "toolArgs": {"path": "b/c.py", "old_str": "c", "new_str": "d"},
        }
    )
    assert json.loads(hook("copilot", copilot, repo).stdout)["permissionDecision"] == "deny"


def test_unknown_tools_and_events_are_not_our_business(demo_repo):
    assert_silent_allow(
        hook("claude-code", tool_input_event("TodoWrite", {"todos": []}, demo_repo), demo_repo)
    )
    assert_silent_allow(
        hook(
            "claude-code",
            json.dumps({"hook_event_name": "SessionStart", "cwd": str(demo_repo)}),
            demo_repo,
        )
    )
    assert_silent_allow(
        hook(
            "copilot",
            json.dumps(
                {
                    "cwd": str(demo_repo),
                    "toolName": "web_fetch",
                    "toolArgs": {"url": "https://example.com"},
                }
            ),
            demo_repo,
        )
    )


def test_mcp_write_tool_with_a_path_is_checked(demo_repo):
    stdin = tool_input_event(
        "mcp__filesystem__write_file", {"path": "serving/x.py", "content": "x"}, demo_repo
    )
    assert "serving/x.py" in claude_reason(hook("claude-code", stdin, demo_repo))


@pytest.mark.parametrize(
    "path",
    ["serving/../evals/x.py", "app/../../demo/evals/x.py", "./evals//x.py", "app/./../evals/x.py"],
)
def test_relative_and_dotdot_paths_resolve_against_cwd(demo_repo, path):
    stdin = tool_input_event("Write", {"file_path": path, "content": "x"}, demo_repo)
    assert "evals/x.py" in claude_reason(hook("claude-code", stdin, demo_repo))


def test_relative_paths_resolve_against_payload_cwd_not_process_cwd(demo_repo, tmp_path):
    stdin = tool_input_event("Write", {"file_path": "x.py", "content": "x"}, demo_repo / "evals")
    assert "evals/x.py" in claude_reason(hook("claude-code", stdin, tmp_path))


def test_cursor_relative_path_resolves_against_first_workspace_root(demo_repo, tmp_path):
    stdin = json.dumps(
        {
            "hook_event_name": "beforeReadFile",
            "workspace_roots": [str(demo_repo)],
            "file_path": "serving/tokenizer.py",
            "conversation_id": "c",
        }
    )
    assert json.loads(hook("cursor", stdin, tmp_path).stdout)["permission"] == "deny"


def test_symlinks_into_deny_zones_are_judged_by_their_target(demo_repo):
    (demo_repo / "app" / "tok.py").symlink_to(demo_repo / "serving" / "tokenizer.py")
    (demo_repo / "app" / "srv").symlink_to(demo_repo / "serving")
    # "app/srv/../serving/x" is "app/serving/x" on paper, but the OS resolves "srv" before ".."
    for path in ("app/tok.py", "app/srv/new.py", "app/srv/../serving/tokenizer.py"):
        stdin = tool_input_event("Write", {"file_path": path, "content": "x"}, demo_repo)
        assert "internal zone 'model-serving'" in claude_reason(
            hook("claude-code", stdin, demo_repo)
        ), path


def test_paths_outside_the_repository_are_open(demo_repo, tmp_path):
    stdin = tool_input_event(
        "Write", {"file_path": str(tmp_path / "scratch.py"), "content": "x"}, demo_repo
    )
    assert_silent_allow(hook("claude-code", stdin, demo_repo))


def test_other_repository_is_judged_by_its_own_policy(demo_repo, make_repo):
    other = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "lab"\npath = "lab/**"\n'
            'level = "human-only"\n'
        }
    )
    stdin = tool_input_event(
        "Write", {"file_path": str(other / "lab" / "x.py"), "content": "x"}, demo_repo
    )
    assert "human-only zone 'lab'" in claude_reason(hook("claude-code", stdin, demo_repo))


def test_unknown_protocol_is_a_usage_error(demo_repo):
    done = run_cli("hook", "metacode", "--protocol", "vim", stdin="{}", cwd=demo_repo)
    assert done.returncode == 2 and "unknown hook protocol 'vim'" in done.stderr


def test_aliases_map_to_canonical_tool_ids(demo_repo):
    _apply_guide_edit(demo_repo)
    for later, alias in enumerate(("Copilot", "github_copilot")):
        event = json.loads(payload("copilot", "post_edit", demo_repo))
        event["timestamp"] += later  # another call: one call's twin runs journal once
        hook(alias, json.dumps(event), demo_repo)
    hook("claude", payload("claude-code", "post_edit", demo_repo), demo_repo)
    assert [e["agent"] for e in journal(demo_repo)] == ["copilot", "copilot", "claude-code"]
