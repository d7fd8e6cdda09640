"""``ringfence hook antigravity``: Antigravity CLI (``agy``) payloads through the real hook process.

agy is not installable here (no npm package), so the fixtures in
``tests/fixtures/hooks/antigravity/`` are written from the shape its docs and two live third-party
tests report (docs/security.md, "Payload fields ringfence relies on"): camelCase, ``toolCall
{name, args}`` with PascalCase arguments, ``workspacePaths``, and no event name (the installed
command passes ``--event``). Each is piped into the real CLI inside a git copy of
``examples/demo``; ``install-hooks`` and ``doctor`` run for real too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from test_hooks import journal, payload


def hook(stdin: str, root: Path, event: str = "PreToolUse"):
    return run_cli("hook", "antigravity", "--event", event, stdin=stdin, cwd=root)


def answer(done) -> dict:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("pre_edit_deny", "evals/harness.py is in the human-only zone 'training-data'"),
        ("shell_deny", "evals/harness.py is in the human-only zone 'training-data'"),
        ("read_deny", "serving/tokenizer.py is in the internal zone 'model-serving'"),
        ("search_deny", "serving is in the internal zone 'model-serving'"),
    ],
)
def test_tools_reaching_into_closed_zones_are_denied(demo_repo, name, where):
    got = answer(hook(payload("antigravity", name, demo_repo), demo_repo))
    assert got["decision"] == "deny" and got["reason"].startswith(f"ringfence: {where}")


def test_an_allowed_edit_says_allow_explicitly(demo_repo):
    # agy asks the user when a PreToolUse answer has no decision: silence is not an allow.
    assert answer(hook(payload("antigravity", "pre_edit_allow", demo_repo), demo_repo)) == {
        "decision": "allow"
    }


def test_post_tool_use_journals_the_edit_in_a_tagged_zone(demo_repo):
    guide = demo_repo / "docs" / "guide.md"
    from test_hooks import NEW, OLD

    guide.write_text(guide.read_text().replace(OLD, NEW))
    done = hook(payload("antigravity", "post_edit", demo_repo), demo_repo, "PostToolUse")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    [entry] = journal(demo_repo)
    assert (entry["agent"], entry["path"], entry["session"]) == (
        "antigravity",
        "docs/guide.md",
        "agy-7c1e",
    )
    line = guide.read_text().split("\n").index("Set `RF_PORT` to change the port.") + 1
    assert entry["ranges"] == [[line, line + 1]]


def test_a_failed_tool_is_not_journaled(demo_repo):
    done = hook(payload("antigravity", "post_edit_failed", demo_repo), demo_repo, "PostToolUse")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert journal(demo_repo) == []


def test_without_an_event_the_hook_fails_closed(demo_repo):
    done = run_cli(
        "hook",
        "antigravity",
        stdin=payload("antigravity", "pre_edit_allow", demo_repo),
        cwd=demo_repo,
    )
    assert done.returncode == 2
    assert json.loads(done.stdout)["decision"] == "deny" and "--event" in done.stderr


def test_install_hooks_writes_agents_hooks_json_and_doctor_sees_it(demo_repo):
    (demo_repo / ".agents" / "rules").mkdir(parents=True)
    out = run_cli("install-hooks", "--agent", "agy", cwd=demo_repo)
    assert out.returncode == 0, out.stderr
    assert "created .agents/hooks.json" in out.stdout
    config = json.loads((demo_repo / ".agents" / "hooks.json").read_text())
    pre = config["hooks"]["PreToolUse"][0]
    assert "write_to_file" in pre["matcher"] and "view_file" in pre["matcher"]
    assert pre["hooks"][0]["command"].endswith(
        "-m ringfence hook antigravity --event PreToolUse || exit 2"
    )
    again = run_cli("install-hooks", "--agent", "antigravity", cwd=demo_repo)
    assert again.stdout.splitlines()[0] == "unchanged .agents/hooks.json"
    report = run_cli("doctor", cwd=demo_repo).stdout
    assert "[ok]  hooks: antigravity: installed in .agents/hooks.json" in report
    assert "[gap] antigravity: an 'allow' does not skip agy's own confirmation" in report


def test_the_hooks_file_is_protected_from_agent_edits(demo_repo):
    run_cli("install-hooks", "--agent", "antigravity", cwd=demo_repo)
    stdin = json.dumps(
        {
            "toolCall": {
                "name": "write_to_file",
                "args": {"TargetFile": str(demo_repo / ".agents/hooks.json"), "CodeContent": "{}"},
            },
            "workspacePaths": [str(demo_repo)],
        }
    )
    got = answer(hook(stdin, demo_repo))
    assert got["decision"] == "deny" and "Antigravity CLI's hooks" in got["reason"]
