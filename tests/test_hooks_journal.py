"""The hook path's process-level guarantees: concurrent hooks never lose or tear a journal line,
and ``ringfence hook`` starts without the language server's libraries."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import RINGFENCE
from ringfence.evidence.journal import JournalEvent, append_event, journal_path, read_events

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


# ----- the journal's line format: one record class, old journals still read ---------------

# Lines exactly as ringfence 0.x wrote them (fields in order, ``time`` stamped last).
OLD_LINES = [
    b'{"event":"edit","agent":"codex","session":"s1","model":"gpt-5-codex","path":"docs/a.md",'
    b'"ranges":[[1,3]],"hashes":["sha256:' + b"0" * 64 + b'"],"decision":"logged",'
    b'"source":"agent","state":"untagged","time":"2026-11-02T10:00:00.000Z"}',
    b'{"event":"read","agent":"claude-code","session":"s2","path":"secrets","ranges":[],'
    b'"hashes":[],"decision":"deny","source":"agent","note":"Read: external context denied '
    b'(human-only, zone keys)","time":"2026-11-02T10:00:01.000Z"}',
    b'{"event":"save","agent":"copilot","session":"e1","path":"src/\xc3\xa9.py","ranges":[[4,4]],'
    b'"hashes":["sha256:' + b"1" * 64 + b'"],"decision":"logged","source":"client",'
    b'"state":"untagged","time":"2026-11-02T10:00:02.000Z"}',
]


def test_old_journal_lines_read_and_are_written_back_byte_for_byte(tmp_path):
    path = journal_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\n".join(OLD_LINES) + b"\n")
    events, offset, skipped = read_events(tmp_path)
    assert skipped == [] and offset == path.stat().st_size
    assert [e.event for e in events] == ["edit", "read", "save"]
    assert events[0].spans() == [(1, 3, "sha256:" + "0" * 64)] and events[0].wrote_lines
    assert not events[1].wrote_lines and events[2].path == "src/é.py"
    assert [e.to_json().encode() for e in events] == OLD_LINES
    # appending an event writes the same bytes the old writer did
    again = tmp_path / "again"
    for event in events:
        append_event(again, event)
    assert journal_path(again).read_bytes() == path.read_bytes()


def test_an_old_line_with_time_first_and_unknown_fields_still_reads(tmp_path):
    path = journal_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(
        '{"time":"2026-01-01T00:00:00Z","event":"edit","path":"a.py","ranges":[[2,2]],'
        '"hashes":[7],"extra":{"x":1}}\n'
    )
    (event,), _, skipped = read_events(tmp_path)
    assert skipped == [] and event.time == "2026-01-01T00:00:00Z"
    assert event.spans() == [(2, 2, None)] and "extra" not in event.to_json()


MALFORMED = [
    (b"not json", "not JSON"),
    (b"[1, 2]", "a JSON list, not an object"),
    (b'{"path": "a.py"}', 'no "event"'),
    (b'{"event": "edit", "path": 3}', 'no "path"'),
    (b'{"event": "edit", "path": "a", "ranges": [[0, 1]]}', '"ranges" is not a list'),
    (b'{"event": "edit", "path": "a", "ranges": [[1]]}', '"ranges" is not a list'),
    (b'{"event": "edit", "path": "\xff"}', "not UTF-8"),
]


def test_malformed_lines_are_skipped_with_a_logged_reason_each(tmp_path, caplog):
    path = journal_path(tmp_path)
    path.parent.mkdir(parents=True)
    good = OLD_LINES[0]
    path.write_bytes(b"\n".join([good, *(raw for raw, _ in MALFORMED), good, b"  "]) + b"\n")
    with caplog.at_level("WARNING", logger="ringfence.evidence.journal"):
        events, _, skipped = read_events(tmp_path)
    assert len(events) == 2 and len(skipped) == len(MALFORMED)
    offset = len(good) + 1
    for (raw, reason), found in zip(MALFORMED, skipped, strict=True):
        assert found.startswith(f"byte {offset}: {reason}"), (found, reason)
        offset += len(raw) + 1
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 6 and "skipped 2 more malformed lines" in logged[-1]
    assert all("\n" not in line for line in logged)


def test_a_hook_writes_the_documented_field_order(demo_repo):
    target = demo_repo / "docs" / "new.md"
    target.write_text("# New\n")
    stdin = json.dumps(
        {
            "session_id": "s9",
            "cwd": str(demo_repo),
            "hook_event_name": "PostToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": str(target), "content": "# New\n"},
        }
    )
    done = subprocess.run(
        [*RINGFENCE, "hook", "claude-code"],
        input=stdin,
        cwd=demo_repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (line,) = journal_path(demo_repo).read_text().splitlines()
    keys = list(json.loads(line))
    assert keys == ["event", "agent", "session", "path", "ranges", "hashes"] + [
        "decision",
        "source",
        "state",
        "time",
    ]
    assert JournalEvent.from_json(line).to_json() == line
