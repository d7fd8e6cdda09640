"""The hook path's process-level guarantees: concurrent hooks never lose or tear a journal line,
and ``ringfence hook`` starts without the language server's libraries."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import RINGFENCE

HEAVY = ("pygls", "lsprotocol", "detect_secrets", "jsonschema", "cattrs")


def test_fifty_concurrent_hooks_append_fifty_intact_lines(demo_repo):
    docs = demo_repo / "docs"
    processes = []
    for index in range(50):
        target = docs / f"page{index}.md"
        target.write_text(f"# Page {index}\n\n" + "text\n" * index)
        stdin = json.dumps(
            {
                "session_id": f"session-{index}",
                "cwd": str(demo_repo),
                "hook_event_name": "PostToolUse",
                "model": "gpt-5-codex",
                "tool_name": "Write",
                "tool_input": {"file_path": str(target), "content": target.read_text()},
            }
        )
        process = subprocess.Popen(
            [*RINGFENCE, "hook", "codex"],
            cwd=demo_repo,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append((process, stdin))
    for process, stdin in processes:
        process.stdin.write(stdin)
        process.stdin.close()
    for process, _ in processes:
        assert process.wait(timeout=180) == 0, process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    lines = (demo_repo / ".git" / "ringfence" / "events.jsonl").read_text().split("\n")
    assert lines[-1] == "" and len(lines) == 51
    events = [json.loads(line) for line in lines[:-1]]
    assert sorted(e["session"] for e in events) == sorted(f"session-{i}" for i in range(50))
    for event in events:
        index = int(event["session"].split("-")[1])
        assert event["path"] == f"docs/page{index}.md" and event["ranges"] == [[1, index + 2]]
    records = (demo_repo / ".agent-trace" / "traces.jsonl").read_text().splitlines()
    assert len(records) == 50 and all(
        json.loads(r)["files"][0]["path"].startswith("docs/page") for r in records
    )


@pytest.mark.parametrize("event", ["PreToolUse", "PostToolUse"])
def test_hook_path_does_not_import_the_language_server(demo_repo, event):
    stdin = json.dumps(
        {
            "session_id": "s",
            "cwd": str(demo_repo),
            "hook_event_name": event,
            "tool_name": "Edit",
            "tool_input": {
                "file_path": "docs/guide.md",
                "old_string": "Serving",
                "new_string": "Serving",
            },
        }
    )
    done = subprocess.run(
        [RINGFENCE[0], "-X", "importtime", *RINGFENCE[1:], "hook", "claude-code"],
        input=stdin,
        cwd=demo_repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "ringfence" in imported and "json" in imported
    assert imported.isdisjoint(HEAVY), imported & set(HEAVY)
