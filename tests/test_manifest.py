"""``ringfence trace manifest``: every known AI-authored range, one JSON line each, any source."""

from __future__ import annotations

import json

from conftest import git, run_cli
from test_check import CLAUDE, GEN, _event, _record, append_lines, commit

FIELDS = {"path", "start", "end", "tool", "model", "source", "level", "zone", "state"}


def manifest(root, *args: str) -> tuple[list[dict], str]:
    done = run_cli("trace", "manifest", *args, cwd=root)
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(set(e) == FIELDS for e in entries)
    return entries, done.stderr


def test_manifest_lists_every_source_in_every_zone(demo_repo):
    h = append_lines(demo_repo, "app/main.py", "open_zone_ai = 1\n")  # open zone: listed too
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    n = append_lines(demo_repo, "app/utils.py", "noted = 1\n")
    sha = commit(demo_repo, {}, "noted")
    git(
        demo_repo,
        "notes",
        "--ref=ai",
        "add",
        "-m",
        f"app/utils.py\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb {n[0]}\n---\n"
        '{"sessions": {"s_aaaaaaaaaaaaaa": '
        '{"agent_id": {"tool": "gemini", "model": "gemini-2.5-pro"}}}}',
        sha,
    )
    a = append_lines(demo_repo, "serving/model_server.py", "agent = 1\n")
    _event(demo_repo, "serving/model_server.py", *a, agent="codex", model="gpt-5-codex")
    t = append_lines(demo_repo, "docs/guide.md", "traced\n")
    _record(demo_repo, "docs/guide.md", *t, tool="copilot")
    r = append_lines(demo_repo, "docs/guide.md", "reviewed\n")
    _record(demo_repo, "docs/guide.md", *r, tool="copilot", state="reviewed")
    c = append_lines(
        demo_repo, GEN, "# ringfence: ai-begin tool=cursor\nx = 1\n# ringfence: ai-end\n"
    )
    entries, _ = manifest(demo_repo)
    got = {(e["path"], e["start"], e["end"], e["source"], e["tool"], e["state"]) for e in entries}
    assert got == {
        ("app/main.py", *h, "history", "claude-code", "untagged"),
        ("app/utils.py", n[0], n[0], "history", "gemini", "untagged"),
        ("serving/model_server.py", *a, "agent", "codex", "untagged"),
        ("docs/guide.md", *t, "trace", "copilot", "tagged"),
        ("docs/guide.md", *r, "trace", "copilot", "reviewed"),
        (GEN, *c, "comment", "cursor", "tagged"),
    }
    by_path = {e["path"]: e for e in entries}
    assert by_path[GEN]["level"] == "human-only" and by_path[GEN]["zone"] == "training-data"
    assert by_path["app/main.py"]["level"] == "open" and by_path["app/main.py"]["zone"] is None
    assert by_path["serving/model_server.py"]["model"] == "gpt-5-codex"
    assert [e["path"] for e in entries] == sorted(e["path"] for e in entries)


def test_manifest_marks_history_lines_tagged_by_a_record(demo_repo):
    s, e = append_lines(demo_repo, "docs/guide.md", "ai docs\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    _record(demo_repo, "docs/guide.md", s, e, tool="claude-code", state="reviewed")
    entries, _ = manifest(demo_repo)
    history = [x for x in entries if x["source"] == "history"]
    assert [(x["start"], x["state"]) for x in history] == [(s, "reviewed")]


def test_manifest_paths_empty_repo_and_bad_format(demo_repo):
    append_lines(demo_repo, "app/main.py", "a = 1\n")
    append_lines(demo_repo, GEN, "b = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    entries, _ = manifest(demo_repo, "app")
    assert [e["path"] for e in entries] == ["app/main.py"]
    done = run_cli("trace", "manifest", "--format", "csv", cwd=demo_repo)
    assert done.returncode == 2 and "invalid choice" in done.stderr
    done = run_cli("trace", cwd=demo_repo)
    assert done.returncode == 2


def test_manifest_without_evidence_is_empty(demo_repo):
    entries, err = manifest(demo_repo)
    assert entries == [] and "Traceback" not in err


def test_manifest_binary_file_is_whole_file(demo_repo):
    (demo_repo / "evals" / "blob.bin").write_bytes(b"\0bin\0")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    entries, _ = manifest(demo_repo)
    assert [(e["path"], e["start"], e["end"]) for e in entries] == [("evals/blob.bin", None, None)]
