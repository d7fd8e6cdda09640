"""``ringfence hook`` for Windsurf, Kiro CLI, Cline and Cursor's ``preToolUse``, through the real
hook process, with payloads in each agent's own wire format (``tests/fixtures/hooks/<agent>/``;
sources in docs/security.md, "Payload fields ringfence relies on")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from ringfence.evidence.hashing import content_hash

FIXTURES = Path(__file__).parent / "fixtures" / "hooks"
OLD = "Run `python -m serving.model_server` with the weights path."
NEW = OLD + "\nSet `RF_PORT` to change the port.\nThe server logs to stderr."


def payload(agent: str, name: str, root: Path) -> str:
    text = (FIXTURES / agent / f"{name}.json").read_text()
    for key, value in {"ROOT": str(root), "OLD": OLD, "NEW": NEW}.items():
        text = text.replace(f"{{{{{key}}}}}", json.dumps(value)[1:-1])
    json.loads(text)
    return text


def hook(agent: str, stdin: str, cwd: Path):
    return run_cli("hook", agent, stdin=stdin, cwd=cwd)


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def denied(agent: str, done) -> str:
    """The reason of a deny in the agent's protocol (and that it is a deny)."""
    if agent in ("windsurf", "kiro"):
        assert done.returncode == 2 and done.stdout == "", done.stderr
        return done.stderr
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    if agent == "cline":
        assert answer["cancel"] is True
        return answer["errorMessage"]
    assert answer["permission"] == "deny"
    return answer["agent_message"]


ALLOWED = {
    "windsurf": "",
    "kiro": "",
    "cline": '{"cancel": false}\n',
    "cursor": '{"permission": "allow"}\n',
}


@pytest.mark.parametrize("agent", ["windsurf", "kiro", "cline", "cursor"])
def test_write_into_human_only_zone_is_denied(demo_repo, agent):
    reason = denied(agent, hook(agent, payload(agent, "pre_edit_deny", demo_repo), demo_repo))
    assert "evals/harness.py" in reason and "human-only" in reason and agent in reason
    assert "a human must make this change by hand" in reason
    assert journal(demo_repo) == []


@pytest.mark.parametrize("agent", ["windsurf", "kiro", "cline", "cursor"])
def test_allowed_edit_gets_the_agents_allow_answer(demo_repo, agent):
    done = hook(agent, payload(agent, "pre_edit_allow", demo_repo), demo_repo)
    assert (done.returncode, done.stdout, done.stderr) == (0, ALLOWED[agent], "")


@pytest.mark.parametrize("agent", ["windsurf", "kiro", "cline"])
def test_read_of_internal_file_is_denied_and_recorded_in_the_ledger(demo_repo, agent):
    reason = denied(agent, hook(agent, payload(agent, "read_deny", demo_repo), demo_repo))
    assert "serving/tokenizer.py" in reason and "must not reach external AI tools" in reason
    [event] = journal(demo_repo)
    assert (event["event"], event["path"], event["decision"], event["agent"]) == (
        "read",
        "serving/tokenizer.py",
        "deny",
        agent,
    )


@pytest.mark.parametrize("agent", ["windsurf", "kiro", "cline"])
def test_shell_write_into_a_zone_is_denied(demo_repo, agent):
    reason = denied(agent, hook(agent, payload(agent, "shell_deny", demo_repo), demo_repo))
    assert "evals/cases.jsonl" in reason and "'training-data'" in reason


@pytest.mark.parametrize("agent", ["windsurf", "kiro", "cline"])
def test_post_edit_journals_the_written_lines(demo_repo, agent):
    guide = demo_repo / "docs" / "guide.md"
    guide.write_text(guide.read_text().replace(OLD, NEW))
    lines = guide.read_text().split("\n")
    done = hook(agent, payload(agent, "post_edit", demo_repo), demo_repo)
    assert done.returncode == 0, done.stderr
    [event] = journal(demo_repo)
    assert (event["event"], event["path"], event["agent"]) == ("edit", "docs/guide.md", agent)
    assert event["ranges"] == [[8, 9]] and event["hashes"] == [content_hash(lines[7:9])]
    assert event["state"] == "tagged"


@pytest.mark.parametrize(
    "agent,path",
    [
        ("windsurf", ".windsurf/hooks.json"),
        ("kiro", ".kiro/agents/ringfence.json"),
        ("cline", ".clinerules/hooks/PreToolUse"),
        ("cline", ".kiroignore"),
        ("kiro", "opencode.json"),
        ("cursor", ".cursor/hooks.json"),
        ("windsurf", ".ringfence.toml"),
    ],
)
def test_the_agents_own_hook_settings_are_protected(demo_repo, agent, path):
    stdin = payload(agent, "pre_edit_allow", demo_repo).replace("app/utils.py", path)
    reason = denied(agent, hook(agent, stdin, demo_repo))
    assert path in reason and "protected" in reason


def _cline(tool: str, parameters: dict, root: Path, name: str = "PreToolUse") -> str:
    key = "preToolUse" if name == "PreToolUse" else "postToolUse"
    return json.dumps(
        {
            "hookName": name,
            "taskId": "t",
            "workspaceRoots": [str(root)],
            key: {"toolName": tool, "parameters": parameters},
        }
    )


@pytest.mark.parametrize(
    "tool,parameters",
    [
        ("editor", {"path": "evals/harness.py", "old_text": "import", "new_text": "x"}),
        ("editor", {"path": "evals/new.py", "new_text": "x = 1\n"}),
        ("editor", {"path": "evals/harness.py", "new_text": "x", "insert_line": "3"}),
        ("delete_file", {"path": "evals/harness.py"}),
        (
            "apply_patch",
            {"input": "*** Begin Patch\n*** Add File: evals/p.py\n+x\n*** End Patch\n"},
        ),
        (
            "replace_in_file",
            {
                "path": "evals/harness.py",
                "diff": "------- SEARCH\nimport\n=======\nx\n+++++++ REPLACE",
            },
        ),
        ("execute_command", {"command": "rm -rf evals"}),
        ("run_commands", {"commands": '[{"command": "rm", "args": ["-rf", "evals"]}]'}),
        ("list_files", {"path": "serving", "recursive": "true"}),
        ("read_file", {"path": "serving/tokenizer.py"}),
    ],
)
def test_cline_tools_into_deny_zones_are_cancelled(demo_repo, tool, parameters):
    reason = denied("cline", hook("cline", _cline(tool, parameters, demo_repo), demo_repo))
    assert "ringfence:" in reason


@pytest.mark.parametrize(
    "agent,stdin",
    [
        ("cline", '{"hookName": "PreToolUse", "preToolUse": {"toolName": "write_to_file"}}'),
        ("cline", "not json"),
        ("kiro", '{"hook_event_name": "preToolUse", "tool_name": "fs_write", "tool_input": {}}'),
        ("windsurf", '{"agent_action_name": "pre_write_code", "tool_info": {}}'),
        ("windsurf", "[]"),
        (
            "cursor",
            '{"hook_event_name": "preToolUse", "workspace_roots": ["/tmp"], '
            '"tool_name": "Write", "tool_input": {}}',
        ),
    ],
)
def test_malformed_events_fail_closed_in_the_agents_protocol(demo_repo, agent, stdin):
    reason = denied(agent, hook(agent, stdin, demo_repo))
    assert "fail closed" in reason or "denied" in reason
    assert "Traceback" not in reason


def test_cline_post_event_of_a_failed_tool_records_nothing(demo_repo):
    stdin = json.loads(payload("cline", "post_edit", demo_repo))
    stdin["postToolUse"]["success"] = False
    done = hook("cline", json.dumps(stdin), demo_repo)
    assert done.returncode == 0 and journal(demo_repo) == []


def test_events_ringfence_does_not_judge_are_allowed(demo_repo):
    windsurf = json.dumps(
        {"agent_action_name": "pre_user_prompt", "tool_info": {"user_prompt": "hi"}}
    )
    assert hook("windsurf", windsurf, demo_repo).returncode == 0
    kiro = json.dumps({"hook_event_name": "agentSpawn", "cwd": str(demo_repo)})
    assert hook("kiro", kiro, demo_repo).returncode == 0
    cline = json.dumps({"hookName": "TaskStart", "taskId": "t", "workspaceRoots": [str(demo_repo)]})
    assert hook("cline", cline, demo_repo).stdout == ""


# ----- the Cline CLI / SDK runs the same hook files with hookName tool_call / tool_result ------


@pytest.mark.parametrize(
    "fixture,where",
    [
        ("cli_pre_edit_deny", "evals/harness.py"),
        ("cli_shell_deny", "evals/cases.jsonl"),
        ("cli_read_deny", "serving/tokenizer.py"),
    ],
)
def test_cline_cli_tool_call_events_are_judged(demo_repo, fixture, where):
    reason = denied("cline", hook("cline", payload("cline", fixture, demo_repo), demo_repo))
    assert where in reason


def test_cline_cli_tool_result_journals_the_written_lines(demo_repo):
    guide = demo_repo / "docs" / "guide.md"
    guide.write_text(guide.read_text().replace(OLD, NEW))
    done = hook("cline", payload("cline", "cli_post_edit", demo_repo), demo_repo)
    assert done.returncode == 0, done.stderr
    [event] = journal(demo_repo)
    assert (event["path"], event["ranges"], event["agent"]) == ("docs/guide.md", [[8, 9]], "cline")


def test_cline_cli_bare_string_inputs_are_understood(demo_repo):
    stdin = json.dumps(
        {
            "hookName": "tool_call",
            "taskId": "t",
            "workspaceRoots": [str(demo_repo)],
            "tool_call": {"id": "c", "name": "run_commands", "input": "rm -rf evals"},
            "preToolUse": {"toolName": "run_commands", "parameters": {}},
        }
    )
    assert "evals" in denied("cline", hook("cline", stdin, demo_repo))
