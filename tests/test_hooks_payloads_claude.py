"""The payloads the real Claude Code 2.1.328 sent its hooks, through the real hook process.

``tests/fixtures/hooks/claude-code/real-*.json`` were recorded by
``tests/agents/test_claude_e2e.py`` (which also checks, on every run, that the binary still sends
their fields). They were sent in that test's repository (``tests/agents/conftest.py``: human-only
``training/``, internal ``serving/``, open ``src/``), so they are replayed in a fresh copy of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.conftest import make_repo
from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "hooks" / "claude-code"


@pytest.fixture
def root(tmp_path) -> Path:
    return make_repo(tmp_path)


def real(name: str, root: Path) -> dict:
    text = (FIXTURES / f"real-{name}.json").read_text()
    return json.loads(text.replace("{{ROOT}}", str(root)))


def hook(payload: dict, root: Path):
    return run_cli("hook", "claude-code", stdin=json.dumps(payload), cwd=root)


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def denial(done) -> str:
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)["hookSpecificOutput"]
    assert (output["hookEventName"], output["permissionDecision"]) == ("PreToolUse", "deny")
    return output["permissionDecisionReason"]


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("pre_write_deny", ("training/gen.py", "human-only", "'training-data'")),
        ("pre_bash_deny", ("training/gen.py", "human-only")),
        ("pre_edit_policy_deny", (".ringfence.toml",)),
        ("pre_read_deny", ("serving/server.py", "internal", "'model-serving'")),
    ],
)
def test_real_pre_events_that_ringfence_refuses(root, name, parts):
    reason = denial(hook(real(name, root), root))
    assert reason.startswith("ringfence: ")
    for part in parts:
        assert part in reason


def test_real_read_deny_goes_into_the_egress_ledger_with_the_session(root):
    payload = real("pre_read_deny", root)
    denial(hook(payload, root))
    assert [(e["event"], e["path"], e["decision"], e["session"]) for e in journal(root)] == [
        ("read", "serving/server.py", "deny", payload["session_id"])
    ]


def test_real_edit_in_open_code_is_allowed_silently(root):
    done = hook(real("pre_edit_allow", root), root)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_real_post_write_journals_the_whole_new_file(root):
    payload = real("post_write", root)
    Path(payload["tool_input"]["file_path"]).write_text(payload["tool_input"]["content"])
    assert hook(payload, root).returncode == 0
    assert [(e["path"], e["ranges"], e["session"]) for e in journal(root)] == [
        ("src/new_module.py", [[1, 2]], payload["session_id"])
    ]


def test_real_post_edit_journals_the_lines_of_its_structured_patch(root):
    payload = real("post_edit", root)
    (root / "src/app.py").write_text("def app():\n    value = 1\n    return value\n")
    assert hook(payload, root).returncode == 0
    assert [(e["path"], e["ranges"]) for e in journal(root)] == [("src/app.py", [[2, 3]])]


def appended(root: Path) -> None:
    (root / "src/app.py").write_text("def app():\n    return 1\ndef more():\n    return 2\n")


def test_real_bash_edit_diff_journals_its_exact_hunks(root):
    appended(root)
    assert hook(real("post_bash_edit_diff", root), root).returncode == 0
    assert [(e["path"], e["ranges"], e["note"], len(e["hashes"])) for e in journal(root)] == [
        ("src/app.py", [[3, 4]], "shell: lines from Claude Code's bashEditDiff", 1)
    ]


def test_an_incomplete_bash_edit_diff_lists_the_other_files_with_lines_unknown(root):
    appended(root)
    payload = real("post_bash_edit_diff", root)
    diff = payload["tool_response"]["bashEditDiff"]
    diff.update(files=[], moreFiles=1, unavailable=True)
    assert hook(payload, root).returncode == 0
    assert [(e["path"], e["ranges"], e["note"]) for e in journal(root)] == [
        ("src/app.py", [], "shell: Claude Code reports a change here; lines unknown")
    ]


def test_a_skipped_bash_edit_diff_falls_back_to_reading_the_command(root):
    appended(root)
    payload = real("post_bash_edit_diff", root)
    payload["tool_response"]["bashEditDiff"] = {"files": [], "moreFiles": 0, "skipped": True}
    assert hook(payload, root).returncode == 0
    assert [(e["path"], e["ranges"]) for e in journal(root)] == [("src/app.py", [])]
    assert "lines unknown" in journal(root)[0]["note"]


def test_a_bash_edit_diff_into_a_denied_zone_is_journaled_as_logged(root):
    """A shell write the pre-hook could not see still leaves its exact lines behind."""
    (root / "training/gen.py").write_text("def gen():\n    return 'handwritten'\nx = 1\n")
    payload = real("post_bash_edit_diff", root)
    entry = payload["tool_response"]["bashEditDiff"]["files"][0]
    entry.update(
        filePath=str(root / "training/gen.py"),
        hunks=[
            {
                "oldStart": 1,
                "oldLines": 2,
                "newStart": 1,
                "newLines": 3,
                "lines": [" def gen():", "     return 'handwritten'", "+x = 1"],
            }
        ],
    )
    payload["tool_response"]["bashEditDiff"]["changedFiles"] = [entry["filePath"]]
    assert hook(payload, root).returncode == 0
    [event] = journal(root)
    assert (event["path"], event["ranges"], event["decision"]) == (
        "training/gen.py",
        [[3, 3]],
        "logged",
    )
    assert "written where the policy denies" in event["note"]
