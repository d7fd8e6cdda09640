"""``ringfence check`` end to end: real repositories, real commits, the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import git, run_cli, write_files
from ringfence.evidence.hashing import content_hash
from ringfence.evidence.journal import JournalEvent, append_event, journal_path
from ringfence.provenance.trace import TRACE_FILE, append_record, make_record

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
GEN = "training/datagen/generate.py"


def commit(root: Path, files: dict[str, str], message: str) -> str:
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def append_lines(root: Path, rel: str, text: str) -> tuple[int, int]:
    """Append ``text`` to a file; return the 1-based line range it now occupies."""
    path = root / rel
    before = path.read_text().splitlines() if path.exists() else []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in before) + text)
    return len(before) + 1, len(before) + len(text.splitlines())


def lines_of(root: Path, rel: str, start: int, end: int) -> list[str]:
    return (root / rel).read_text().splitlines()[start - 1 : end]


def check(root: Path, *args: str) -> tuple[int, dict, str]:
    done = run_cli("check", "--format", "json", *args, cwd=root)
    assert "Traceback" not in done.stderr
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else {}), done.stderr


def codes(report: dict) -> list[tuple[str, str, int | None, int | None]]:
    return [(f["code"], f["path"], f["start"], f["end"]) for f in report["findings"]]


# ----- history --------------------------------------------------------------------------


def test_trailer_commit_in_human_only_zone_is_rf010_error(demo_repo):
    start, end = append_lines(demo_repo, GEN, "def more():\n    return 2\n")
    sha = commit(demo_repo, {}, f"Add more\n\n{CLAUDE}\n")
    code, report, _ = check(demo_repo)
    assert code == 1
    assert codes(report) == [("RF010", GEN, start, end)]
    finding = report["findings"][0]
    assert finding["severity"] == "error" and finding["zone"] == "training-data"
    assert finding["level"] == "human-only" and finding["rule"] == ".ringfence.toml:17"
    assert finding["evidence"]["commit"] == sha and finding["evidence"]["signal"] == CLAUDE
    assert "training-data" in finding["message"] and "handwritten" in finding["message"]
    assert report["partial"] is False


def test_text_output_groups_by_file_with_zone_and_reason(demo_repo):
    append_lines(demo_repo, GEN, "x = 1\n")
    append_lines(demo_repo, "serving/model_server.py", "y = 2\n")
    append_lines(demo_repo, "docs/guide.md", "AI docs\n")
    append_lines(demo_repo, "app/main.py", "z = 3\n")  # open: fine
    commit(
        demo_repo,
        {},
        "Mixed\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n",
    )
    done = run_cli("check", cwd=demo_repo)
    assert done.returncode == 1
    out = done.stdout
    assert "app/main.py" not in out
    for path in ("docs/guide.md", "serving/model_server.py", GEN):
        assert f"\n{path}\n" in f"\n{out}"
    assert "internal zone 'model-serving': Serving code must not leave the company" in out
    assert "tagged zone 'docs'" in out and "RF002" in out
    assert "2 error(s), 1 warning(s) in 3 file(s)" in out
    assert out.index("docs/guide.md") < out.index("serving/model_server.py") < out.index(GEN)


def test_no_findings_exits_zero_and_fail_on_warning(demo_repo):
    append_lines(demo_repo, "app/main.py", "z = 3\n")
    commit(demo_repo, {}, f"Open zone only\n\n{CLAUDE}\n")
    code, report, _ = check(demo_repo)
    assert code == 0 and report["findings"] == []
    append_lines(demo_repo, "docs/guide.md", "AI docs\n")
    commit(demo_repo, {}, f"Docs\n\n{CLAUDE}\n")
    code, report, _ = check(demo_repo)
    assert code == 0 and [f["code"] for f in report["findings"]] == ["RF002"]
    code, _, _ = check(demo_repo, "--fail-on", "warning")
    assert code == 1


def test_later_human_rewrite_clears_history_evidence(demo_repo):
    start, _ = append_lines(demo_repo, GEN, "ai_line = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    lines = (demo_repo / GEN).read_text().splitlines()
    lines[start - 1] = "human_line = 1"
    commit(demo_repo, {GEN: "\n".join(lines) + "\n"}, "Rewrite by hand")
    code, report, _ = check(demo_repo)
    assert code == 0 and report["findings"] == []


def test_region_marker_raises_only_its_lines(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": "version = 1\n",
            "lib.py": "a = 1\n# ringfence: begin human-only\nb = 2\n# ringfence: end\nc = 3\n",
        }
    )
    commit(
        root,
        {"lib.py": "a = 10\n# ringfence: begin human-only\nb = 20\n# ringfence: end\nc = 30\n"},
        f"AI rewrite\n\n{CLAUDE}\n",
    )
    code, report, _ = check(root)
    assert code == 1
    assert codes(report) == [("RF010", "lib.py", 3, 3)]
    assert report["findings"][0]["rule"] == "lib.py:2"


def test_git_ai_notes_are_line_level_evidence(demo_repo):
    start, end = append_lines(demo_repo, "serving/tokenizer.py", "ai_a = 1\nai_b = 2\nhuman = 3\n")
    sha = commit(demo_repo, {}, "No trailer here")
    git(
        demo_repo,
        "notes",
        "--ref=ai",
        "add",
        "-m",
        f"serving/tokenizer.py\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb {start}-{start + 1}\n---\n"
        '{"sessions": {"s_aaaaaaaaaaaaaa": '
        '{"agent_id": {"tool": "codex", "model": "gpt-5-codex"}}}}',
        sha,
    )
    code, report, _ = check(demo_repo)
    assert code == 1
    assert codes(report) == [("RF010", "serving/tokenizer.py", start, start + 1)]
    assert (
        report["findings"][0]["tool"] == "codex"
        and report["findings"][0]["evidence"]["kind"] == "note"
    )


def test_malformed_note_is_reported_and_marks_partial(demo_repo):
    git(
        demo_repo,
        "notes",
        "--ref=ai",
        "add",
        "-m",
        "serving/tokenizer.py\n  s_1::t_2 1-x\n---\n{}",
        "HEAD",
    )
    code, report, err = check(demo_repo)
    assert code == 0 and report["partial"] is True
    assert "git-ai note on commit" in err and "skipped" in err
    done = run_cli("check", cwd=demo_repo)
    assert "PARTIAL" in done.stdout


def test_renamed_file_keeps_its_history(demo_repo):
    append_lines(demo_repo, "app/utils.py", "ai = 1\n")
    commit(demo_repo, {}, f"AI util\n\n{CLAUDE}\n")
    git(demo_repo, "mv", "app/utils.py", "evals/utils.py")
    git(demo_repo, "commit", "-q", "-m", "move into evals")
    code, report, _ = check(demo_repo)
    assert code == 1
    assert [(c, p) for c, p, _, _ in codes(report)] == [("RF010", "evals/utils.py")]


def test_binary_file_is_file_level(demo_repo):
    (demo_repo / "evals" / "weights.bin").write_bytes(b"\0\1\2binary\0")
    git(demo_repo, "add", "-A")
    git(demo_repo, "commit", "-q", "-m", f"Add weights\n\n{CLAUDE}")
    code, report, _ = check(demo_repo, "--format", "json")
    assert code == 1
    assert codes(report) == [("RF010", "evals/weights.bin", None, None)]
    sarif = json.loads(run_cli("check", "--format", "sarif", cwd=demo_repo).stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1}


def test_shallow_clone_is_partial(demo_repo, tmp_path):
    append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    commit(demo_repo, {"README.md": "later\n"}, "later")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{demo_repo}", str(clone))
    code, report, err = check(clone)
    assert report["partial"] is True and "shallow clone" in err
    assert code == 0  # the AI commit is beyond the boundary: not found, and said so
    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", f"file://{demo_repo}", str(full))
    code, report, err = check(full)
    assert code == 1 and report["partial"] is False
    assert (
        "no refs/notes/ai in this clone" in err
    )  # a clone without notes is told how to fetch them


# ----- scopes ---------------------------------------------------------------------------


def test_range_reports_only_lines_the_range_introduced(demo_repo):
    append_lines(demo_repo, GEN, "old_ai = 1\n")
    commit(demo_repo, {}, f"Old AI\n\n{CLAUDE}\n")
    base = git(demo_repo, "rev-parse", "HEAD").strip()
    start, end = append_lines(demo_repo, "evals/harness.py", "new_ai = 2\n")
    commit(demo_repo, {}, "New AI\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n")
    append_lines(demo_repo, "serving/tokenizer.py", "human = 1\n")
    commit(demo_repo, {}, "Human")
    code, report, _ = check(demo_repo, "--range", f"{base}..HEAD")
    assert code == 1
    assert codes(report) == [("RF010", "evals/harness.py", start, end)]
    assert report["scope"] == "range"
    code, report, _ = check(demo_repo, "--range", "HEAD~1..HEAD")
    assert code == 0 and report["findings"] == []
    code, report, _ = check(demo_repo)  # --all sees both
    assert sorted(p for _, p, _, _ in codes(report)) == ["evals/harness.py", GEN]


def test_range_reads_files_at_its_tip_not_the_working_tree(demo_repo):
    start, end = append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    (demo_repo / GEN).write_text("rewritten = True\n")  # uncommitted
    code, report, _ = check(demo_repo, "--range", "HEAD~1..HEAD")
    assert codes(report) == [("RF010", GEN, start, end)] and code == 1
    code, report, _ = check(demo_repo)
    assert code == 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("HEAD", "expected A..B"),
        ("HEAD...HEAD~1", "expected A..B"),
        ("nosuch..HEAD", "unknown revision 'nosuch'"),
        ("HEAD..nosuch", "unknown revision 'nosuch'"),
    ],
)
def test_bad_ranges_are_usage_errors(demo_repo, spec, message):
    done = run_cli("check", "--range", spec, cwd=demo_repo)
    assert done.returncode == 2 and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_scope_flags_are_exclusive(demo_repo):
    done = run_cli("check", "--staged", "--all", cwd=demo_repo)
    assert done.returncode == 2 and "not allowed with" in done.stderr


def test_staged_checks_staged_content_with_journal_and_history(demo_repo):
    # an agent edit the hook journaled (Cursor has no pre-edit block), then staged
    start, end = append_lines(demo_repo, "serving/model_server.py", "def leak():\n    pass\n")
    append_event(
        demo_repo,
        JournalEvent.from_dict(
            {
                "event": "edit",
                "agent": "cursor",
                "session": "s1",
                "path": "serving/model_server.py",
                "ranges": [[start, end]],
                "hashes": [
                    content_hash(lines_of(demo_repo, "serving/model_server.py", start, end))
                ],
                "decision": "logged",
                "source": "agent",
                "state": "untagged",
            }
        ),
    )
    code, report, _ = check(demo_repo, "--staged")
    assert code == 0 and report["findings"] == []  # not staged yet
    git(demo_repo, "add", "serving/model_server.py")
    (demo_repo / "serving/model_server.py").write_text("unstaged rewrite\n")
    code, report, _ = check(demo_repo, "--staged")
    assert code == 1
    assert codes(report) == [("RF001", "serving/model_server.py", start, end)]
    assert report["findings"][0]["tool"] == "cursor" and report["findings"][0]["source"] == "agent"


def test_staged_blames_staged_content_against_history(demo_repo):
    start, _ = append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    append_lines(demo_repo, GEN, "human = 2\n")
    git(demo_repo, "add", GEN)
    code, report, _ = check(demo_repo, "--staged")
    assert code == 1 and codes(report) == [("RF010", GEN, start, start)]
    git(demo_repo, "mv", GEN, "evals/generate.py")  # a staged rename keeps the old path's history
    code, report, _ = check(demo_repo, "--staged")
    assert codes(report) == [("RF010", "evals/generate.py", start, start)]


def test_staged_in_a_repository_without_commits(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "h"\npath = "h/**"\n'
            'level = "human-only"\n',
            "h/a.py": "x = 1\n",
        },
        commit=False,
    )
    git(root, "add", "-A")
    append_event(
        root,
        JournalEvent.from_dict(
            {
                "event": "edit",
                "agent": "claude-code",
                "path": "h/a.py",
                "ranges": [[1, 1]],
                "hashes": [content_hash(["x = 1"])],
                "decision": "logged",
                "source": "agent",
            }
        ),
    )
    code, report, _ = check(root, "--staged")
    assert code == 1 and codes(report) == [("RF001", "h/a.py", 1, 1)]


def test_paths_limit_the_check(demo_repo):
    append_lines(demo_repo, GEN, "a = 1\n")
    append_lines(demo_repo, "serving/tokenizer.py", "b = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    code, report, _ = check(demo_repo, "serving")
    assert [p for _, p, _, _ in codes(report)] == ["serving/tokenizer.py"]
    code, report, _ = check(demo_repo, GEN)
    assert [p for _, p, _, _ in codes(report)] == [GEN]
    done = run_cli("check", "/elsewhere/x.py", cwd=demo_repo)
    assert done.returncode == 2 and "outside the repository" in done.stderr


# ----- journal, traces, comments --------------------------------------------------------


def _event(root, rel, start, end, **extra):
    event = {
        "event": "edit",
        "agent": "claude-code",
        "session": "s",
        "path": rel,
        "ranges": [[start, end]],
        "hashes": [content_hash(lines_of(root, rel, start, end))],
        "decision": "logged",
        "source": "agent",
    }
    event.update(extra)
    append_event(root, JournalEvent.from_dict(event))


def test_journal_events_decisions_and_sources(demo_repo):
    rel = "serving/model_server.py"
    s1, e1 = append_lines(demo_repo, rel, "agent_line = 1\n")
    _event(demo_repo, rel, s1, e1)
    s2, e2 = append_lines(demo_repo, rel, "denied = 1\n")
    _event(demo_repo, rel, s2, e2, decision="deny")  # a denied edit never happened
    _event(demo_repo, rel, s2, e2, event="read")
    s3, e3 = append_lines(demo_repo, rel, "guess_a = 1\nguess_b = 2\nguess_c = 3\n")
    _event(demo_repo, rel, s3, e3, event="save", source="heuristic", agent="unknown")
    s4, e4 = append_lines(demo_repo, rel, "inhouse = 1\n")
    _event(demo_repo, rel, s4, e4, agent="metacode", source="client")
    code, report, _ = check(demo_repo)
    assert code == 1
    assert codes(report) == [("RF001", rel, s1, e1), ("RF005", rel, s3, e3), ("RF002", rel, s4, e4)]
    assert [f["severity"] for f in report["findings"]] == ["error", "warning", "warning"]


def test_journal_regions_follow_moved_text_and_stale_ones(demo_repo):
    rel = "serving/model_server.py"
    start, end = append_lines(demo_repo, rel, "moved_a = 1\nmoved_b = 2\n")
    _event(demo_repo, rel, start, end)
    s2, e2 = append_lines(demo_repo, rel, "editor_ai = 1\n")
    _event(demo_repo, rel, s2, e2, event="save", source="client", agent="copilot")
    text = (demo_repo / rel).read_text()
    (demo_repo / rel).write_text(
        "# two\n# new lines\n" + text.replace("editor_ai = 1", "edited_by_me = 1")
    )
    code, report, _ = check(demo_repo)
    # the agent region was re-found two lines down; the superseded editor save is gone
    assert codes(report) == [("RF001", rel, start + 2, end + 2)]
    assert report["findings"][0]["evidence"]["recorded_lines"] == [start, end]
    # an agent edit whose text changed stays at its recorded lines, flagged as changed
    (demo_repo / rel).write_text(
        (demo_repo / rel).read_text().replace("moved_b = 2", "moved_b = 3")
    )
    code, report, _ = check(demo_repo)
    assert code == 1 and codes(report) == [("RF001", rel, start, end)]
    assert report["findings"][0]["evidence"]["matched"] is False
    assert "changed after the record" in report["findings"][0]["message"]


def test_malformed_journal_lines_mark_partial(demo_repo):
    path = journal_path(demo_repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"broken\n{"event": "edit", "path": 5}\n')
    code, report, err = check(demo_repo)
    assert report["partial"] is True and "2 malformed line(s) in the journal" in err and code == 0


def _record(root, rel, start, end, tool="copilot", state="tagged", digest=None):
    digest = digest or content_hash(lines_of(root, rel, start, end))
    append_record(
        root,
        make_record(
            root,
            rel,
            [(start, end, digest)],
            tool=tool,
            state=state,
            reviewer="r@example.com" if state == "reviewed" else None,
        ),
    )


def test_trace_records_tag_zones_but_never_clear_a_deny(demo_repo):
    d1, d1e = append_lines(demo_repo, "docs/guide.md", "tagged docs\n")
    d2, d2e = append_lines(demo_repo, "docs/guide.md", "reviewed docs\n")
    d3, d3e = append_lines(demo_repo, "docs/guide.md", "untagged docs\n")
    commit(demo_repo, {}, f"Docs\n\n{CLAUDE}\n")
    _record(demo_repo, "docs/guide.md", d1, d1e, tool="claude-code")
    _record(demo_repo, "docs/guide.md", d2, d2e, tool="claude-code", state="reviewed")
    s, e = append_lines(demo_repo, GEN, "tagged_but_denied = 1\n")
    _record(demo_repo, GEN, s, e)
    code, report, _ = check(demo_repo)
    assert code == 1
    assert codes(report) == [("RF002", "docs/guide.md", d3, d3e), ("RF001", GEN, s, e)]
    assert report["findings"][1]["source"] == "trace"


def test_stale_trace_record_no_longer_tags(demo_repo):
    s, e = append_lines(demo_repo, "docs/guide.md", "ai docs\n")
    _record(demo_repo, "docs/guide.md", s, e)
    code, report, _ = check(demo_repo)
    assert report["findings"] == []
    (demo_repo / "docs/guide.md").write_text(
        (demo_repo / "docs/guide.md").read_text().replace("ai docs", "ai dogs")
    )
    code, report, _ = check(demo_repo)
    assert codes(report) == [("RF002", "docs/guide.md", s, e)]
    assert "no longer matches" in report["findings"][0]["message"]


def test_inhouse_tool_codes(demo_repo):
    s1, e1 = append_lines(
        demo_repo, "serving/tokenizer.py", "inhouse = 1\n"
    )  # internal: inhouse-edits = tag
    _record(demo_repo, "serving/tokenizer.py", s1, e1, tool="metacode")
    s2, e2 = append_lines(demo_repo, GEN, "inhouse = 1\n")  # human-only: inhouse-edits = deny
    _record(demo_repo, GEN, s2, e2, tool="metacode")
    code, report, _ = check(demo_repo)
    assert codes(report) == [("RF003", GEN, s2, e2)]
    assert report["findings"][0]["message"].startswith("In-house AI edit (metacode)")


def test_malformed_trace_lines_mark_partial(demo_repo):
    (demo_repo / TRACE_FILE).parent.mkdir(parents=True, exist_ok=True)
    (demo_repo / TRACE_FILE).write_text("not json\n[1, 2]\n")
    code, report, err = check(demo_repo)
    assert report["partial"] is True and f"2 malformed line(s) in {TRACE_FILE}" in err


def test_comment_provenance_blocks(demo_repo):
    append_lines(
        demo_repo,
        "docs/guide.md",
        "<!-- ringfence: ai-begin tool=copilot -->\nAI para\n<!-- ringfence: ai-end -->\n",
    )
    start, end = append_lines(
        demo_repo,
        "serving/tokenizer.py",
        "# ringfence: ai-begin tool=claude-code model=sonnet\nx = 1\n# ringfence: ai-end\n",
    )
    commit(demo_repo, {}, f"Tagged inline\n\n{CLAUDE}\n")
    code, report, _ = check(demo_repo)
    got = codes(report)
    assert ("RF001", "serving/tokenizer.py", start, end) in got
    assert not [c for c in got if c[1] == "docs/guide.md"]  # the comment block is the tag


# ----- bad input ------------------------------------------------------------------------


def test_policy_error_exits_2_but_still_reports(demo_repo):
    append_lines(demo_repo, GEN, "x = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    (demo_repo / "docs" / ".ringfence.toml").write_text("version = 1\n[[zone]]\nname = 3\n")
    done = run_cli("check", "--format", "json", cwd=demo_repo)
    assert done.returncode == 2
    assert "docs/.ringfence.toml:" in done.stderr
    assert json.loads(done.stdout)["findings"]


def test_not_a_git_repository(tmp_path):
    root = tmp_path / "plain"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "demo", root)
    s, e = append_lines(root, GEN, "x = 1\n")
    append_record(
        root,
        make_record(root, GEN, [(s, e, content_hash(lines_of(root, GEN, s, e)))], tool="codex"),
    )
    code, report, err = check(root, "--root", str(root))
    assert code == 1 and report["partial"] is True and "not a git repository" in err
    assert codes(report) == [("RF001", GEN, s, e)]
    done = run_cli("check", "--staged", "--root", str(root), cwd=root)
    assert done.returncode == 2 and "--staged needs a git repository" in done.stderr


def test_history_can_be_disabled(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\ndefault = "human-only"\n[history]\nenabled = false\n',
            "a.py": "a\n",
        }
    )
    commit(root, {"a.py": "b\n"}, f"AI\n\n{CLAUDE}\n")
    code, report, err = check(root)
    assert code == 0 and report["findings"] == [] and "history evidence is disabled" in err


def test_history_settings_from_the_policy(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\ndefault = "human-only"\n'
            '[history]\ntrailer-keys = ["Generated-By"]\nai-names = ["robot"]\n',
            "a.py": "a\n",
        }
    )
    commit(root, {"a.py": "b\n"}, f"AI\n\n{CLAUDE}\n")
    code, _, _ = check(root)
    assert code == 0
    commit(root, {"a.py": "c\n"}, "AI\n\ngenerated-by: Robot 3000\n")
    code, report, _ = check(root)
    assert code == 1 and report["findings"][0]["tool"] == "robot"


def test_range_reads_traces_and_comments_at_its_tip(demo_repo):
    base = git(demo_repo, "rev-parse", "HEAD").strip()
    start, end = append_lines(
        demo_repo,
        "serving/tokenizer.py",
        "# ringfence: ai-begin tool=copilot\nx = 1\n# ringfence: ai-end\n",
    )
    s2, e2 = append_lines(demo_repo, "serving/model_server.py", "traced = 1\n")
    _record(demo_repo, "serving/model_server.py", s2, e2, tool="codex")
    commit(demo_repo, {}, "human commit carrying tagged AI code")
    code, report, _ = check(demo_repo, "--range", f"{base}..HEAD")
    assert code == 1
    assert codes(report) == [
        ("RF001", "serving/model_server.py", s2, e2),
        ("RF001", "serving/tokenizer.py", start, end),
    ]
    assert [f["source"] for f in report["findings"]] == ["trace", "comment"]


def test_untracked_file_with_ai_history_is_partial(demo_repo):
    append_lines(demo_repo, "serving/tokenizer.py", "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    git(demo_repo, "rm", "-q", "--cached", "serving/tokenizer.py")
    git(demo_repo, "commit", "-q", "-m", "stop tracking it (the file stays on disk)")
    code, report, err = check(demo_repo)
    assert report["partial"] is True and "git blame failed for serving/tokenizer.py" in err


def test_lines_are_counted_as_git_counts_them(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\ndefault = "human-only"\n',
            "a.txt": "page one\fstill line one\r\nline two\r\n",
        }
    )
    commit(
        root,
        {"a.txt": "page one\fstill line one\r\nline two\r\nai line three\r\n"},
        f"AI\n\n{CLAUDE}\n",
    )
    append_event(
        root,
        JournalEvent.from_dict(
            {
                "event": "edit",
                "agent": "codex",
                "path": "a.txt",
                "ranges": [[3, 3]],
                "hashes": [content_hash(["ai line three"])],
                "decision": "logged",
                "source": "agent",
            }
        ),
    )
    code, report, _ = check(root)
    assert codes(report) == [("RF001", "a.txt", 3, 3), ("RF010", "a.txt", 3, 3)]
    assert all(f["evidence"].get("matched", True) for f in report["findings"])
