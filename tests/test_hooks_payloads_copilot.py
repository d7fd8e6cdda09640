"""The payloads GitHub Copilot CLI 1.0.102 really sent, replayed through ``ringfence hook``.

``tests/fixtures/hooks/copilot/real-*.json`` were recorded from the real binary
(``tests/agents/test_copilot_e2e.py``) in the e2e repository layout (``src/`` open,
``training/`` human-only, ``serving/`` internal): ``real-<tool>-<pre|post>`` went to
``.github/hooks/ringfence.json`` (``ringfence hook copilot``), ``real-claude-<Tool>-<pre|post>``
to ``.claude/settings.json`` (``ringfence hook claude-code``), which Copilot CLI runs too, with
Claude Code's tool names and its own argument names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.agents.conftest import make_repo

from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "hooks" / "copilot"


def real(name: str, root: Path, **changes) -> str:
    text = (FIXTURES / f"{name}.json").read_text().replace("{{ROOT}}", str(root))
    data = json.loads(text)
    data.update(changes)
    return json.dumps(data)


def hook(protocol: str, stdin: str, root: Path):
    return run_cli("hook", protocol, stdin=stdin, cwd=root)


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def denied(done) -> str:
    assert done.returncode in (0, 2), done.stderr
    answer = json.loads(done.stdout)
    decision = (
        answer.get("permissionDecision") or answer["hookSpecificOutput"]["permissionDecision"]
    )
    assert decision == "deny"
    return (
        answer.get("permissionDecisionReason")
        or answer["hookSpecificOutput"]["permissionDecisionReason"]
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path)


def test_every_recorded_payload_has_a_fixture_name_it_can_be_found_by():
    names = sorted(p.stem for p in FIXTURES.glob("real-*.json"))
    assert "real-create-pre" in names and "real-claude-Write-pre" in names
    for name in names:
        data = json.loads((FIXTURES / f"{name}.json").read_text())
        assert ("toolName" in data) != name.startswith("real-claude-"), name
        assert "timestamp" in data and "transcript_path" not in data, name


@pytest.mark.parametrize(
    "protocol, name",
    [
        ("copilot", "real-create-pre"),
        ("copilot", "real-edit-pre"),
        ("claude-code", "real-claude-Write-pre"),
        ("claude-code", "real-claude-Edit-pre"),
        ("claude-code", "real-claude-Bash-pre"),
    ],
)
def test_open_edits_are_allowed_from_both_hook_files(repo, protocol, name):
    done = hook(protocol, real(name, repo), repo)
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


@pytest.mark.parametrize(
    "protocol, name, where",
    [
        ("copilot", "real-view-pre", "serving/server.py is in the internal zone"),
        ("copilot", "real-grep-pre", "training is in the human-only zone"),
        ("copilot", "real-glob-pre", "serving is in the internal zone"),
        ("copilot", "real-bash-pre", "training/x.py is in the human-only zone"),
        ("claude-code", "real-claude-Read-pre", "serving/server.py is in the internal zone"),
        ("claude-code", "real-claude-Grep-pre", "training is in the human-only zone"),
        ("claude-code", "real-claude-Glob-pre", "serving is in the internal zone"),
    ],
)
def test_zone_reads_and_shell_writes_are_refused_from_both_hook_files(repo, protocol, name, where):
    reason = denied(hook(protocol, real(name, repo), repo))
    assert where in reason and "(copilot)" in reason


def test_a_claude_format_write_into_a_zone_is_refused_as_copilot(repo):
    args = {"path": str(repo / "training/gen.py"), "file_text": "x = 1\n"}
    reason = denied(hook("claude-code", real("real-claude-Write-pre", repo, tool_input=args), repo))
    assert "human-only zone 'training-data'" in reason and "(copilot)" in reason


def test_the_twin_post_runs_of_one_edit_journal_it_once_as_copilot(repo):
    (repo / "src/new.py").write_text("x = 1\n")
    for protocol, name in (
        ("copilot", "real-create-post"),
        ("claude-code", "real-claude-Write-post"),
    ):
        done = hook(protocol, real(name, repo), repo)
        assert done.returncode == 0, done.stderr
    lines = [e for e in journal(repo) if e["path"] == "src/new.py"]
    assert len(lines) == 1, lines
    assert lines[0]["agent"] == "copilot" and lines[0]["ranges"] == [[1, 1]]


def test_the_claude_format_run_alone_journals_as_copilot(repo):
    (repo / "src/app.py").write_text("def app():\n    return 2\n")
    assert hook("claude-code", real("real-claude-Edit-post", repo), repo).returncode == 0
    (line,) = journal(repo)
    assert (line["agent"], line["path"], line["ranges"]) == ("copilot", "src/app.py", [[2, 2]])


def test_two_calls_in_one_session_are_not_taken_for_twins(repo):
    (repo / "src/new.py").write_text("x = 1\n")
    first = json.loads(real("real-create-post", repo))
    hook("copilot", json.dumps(first), repo)
    hook("copilot", json.dumps({**first, "timestamp": first["timestamp"] + 1}), repo)
    assert len([e for e in journal(repo) if e["path"] == "src/new.py"]) == 2


def test_a_failed_tool_in_the_claude_format_run_journals_nothing(repo):
    failed = {"result_type": "failure", "text_result_for_llm": "no such file"}
    done = hook("claude-code", real("real-claude-Write-post", repo, tool_result=failed), repo)
    assert done.returncode == 0 and journal(repo) == []


def test_claude_codes_own_payloads_are_still_claude_codes(repo):
    payload = json.loads(real("real-claude-Edit-post", repo))
    del payload["timestamp"], payload["tool_result"]
    payload["transcript_path"] = "/home/dev/.claude/projects/x.jsonl"
    payload["tool_input"] = {
        "file_path": payload["tool_input"]["path"],
        "old_string": "return 1",
        "new_string": "return 2",
    }
    (repo / "src/app.py").write_text("def app():\n    return 2\n")
    assert hook("claude-code", json.dumps(payload), repo).returncode == 0
    assert [e["agent"] for e in journal(repo)] == ["claude-code"]
