"""History evidence on real git repositories: trailers, AI authors, git-ai notes, blame, renames."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git, init_repo, write_files
from ringfence.evidence import history as hist
from ringfence.evidence.notes import NoteError, parse_note, unquote_path
from ringfence.policy.model import HistorySettings

DEFAULTS = HistorySettings()

# Trailers exactly as each agent writes them (the history evidence of docs/ci.md).
AI_TRAILERS = [
    ("Co-Authored-By: Claude <noreply@anthropic.com>", "claude-code", ""),
    (
        "Co-Authored-By: Claude Opus 4.7 (1M context) <noreply@anthropic.com>",
        "claude-code",
        "Claude Opus 4.7",
    ),
    ("Co-authored-by: aider (gpt-4o) <aider@aider.chat>", "aider", "gpt-4o"),
    (
        "Co-authored-by: aider (claude-3-5-sonnet) <noreply@aider.chat>",
        "aider",
        "claude-3-5-sonnet",
    ),
    ("Co-authored-by: Codex <noreply@openai.com>", "codex", ""),
    ("Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>", "copilot", ""),
    ("Co-authored-by: Cursor <cursoragent@cursor.com>", "cursor", ""),
    ("Assisted-by: Claude:claude-4.6-sonnet", "claude-code", "claude-4.6-sonnet"),
    ("Assisted-by: Gemini", "gemini", ""),
    ("CO-AUTHORED-BY: Copilot <175728472+Copilot@users.noreply.github.com>", "copilot", ""),
    ("assisted-BY: codex", "codex", ""),
]


def commit(
    root: Path,
    files: dict[str, str | bytes],
    message: str,
    author: str = "Dev",
    committer: str = "Dev",
) -> str:
    write_files(root, files)
    git(root, "add", "-A")
    git(
        root,
        "commit",
        "-q",
        "-m",
        message,
        env={"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": committer},
    )
    return git(root, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize(("trailer", "tool", "model"), AI_TRAILERS)
def test_each_documented_trailer_marks_a_real_commit(tmp_path, trailer, tool, model):
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    sha = commit(root, {"a.py": "x = 2\n"}, f"Change x\n\nSome body text.\n\n{trailer}\n")
    found, scanned = hist.ai_commits(hist.Git(str(root)), ["HEAD"], DEFAULTS)
    assert scanned == 2
    assert list(found) == [sha]
    assert (found[sha].tool, found[sha].model) == (tool, model)
    assert found[sha].signal == trailer


@pytest.mark.parametrize(
    "message",
    [
        "Fix\n\nCo-authored-by: Jane Doe <jane@example.com>\n",
        "Fix\n\nReviewed-by: Claude <noreply@anthropic.com>\n",  # not an AI trailer key
        "Mention claude in the subject only\n",
        "Fix\n\nCo-authored-by: Claudette <c@example.com>\n",  # a name, not the word
    ],
)
def test_human_commits_are_not_ai(tmp_path, message):
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    commit(root, {"a.py": "x = 2\n"}, message)
    found, _ = hist.ai_commits(hist.Git(str(root)), ["HEAD"], DEFAULTS)
    assert found == {}


def test_ai_authors_and_committers(tmp_path):
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    aider = commit(root, {"a.py": "x = 2\n"}, "aider: change x", author="Paul Gauthier (aider)")
    bot = commit(root, {"a.py": "x = 3\n"}, "Apply suggestion", author="copilot-swe-agent[bot]")
    committed = commit(root, {"a.py": "x = 4\n"}, "change", committer="Dev (aider)")
    commit(root, {"a.py": "x = 5\n"}, "human", author="Aiden Smith")
    found, _ = hist.ai_commits(hist.Git(str(root)), ["HEAD"], DEFAULTS)
    assert set(found) == {aider, bot, committed}
    assert found[aider].tool == "aider" and found[aider].signal == "author: Paul Gauthier (aider)"
    assert found[bot].tool == "copilot"
    assert found[committed].signal == "committer: Dev (aider)"


def test_configured_names_and_keys(tmp_path):
    settings = HistorySettings(
        trailer_keys=("generated-by",), ai_names=("metacode",), ai_authors=()
    )
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    ours = commit(root, {"a.py": "x = 2\n"}, "x\n\nGenerated-by: metacode (qwen2.5-coder)\n")
    commit(root, {"a.py": "x = 3\n"}, "y\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    found, _ = hist.ai_commits(hist.Git(str(root)), ["HEAD"], settings)
    assert list(found) == [ours]
    assert (found[ours].tool, found[ours].model) == ("metacode", "qwen2.5-coder")


def test_blame_keeps_only_lines_the_ai_commit_still_owns(tmp_path):
    root = init_repo(tmp_path / "r", {"f.py": "".join(f"line{i}\n" for i in range(1, 11))})
    lines = [f"line{i}\n" for i in range(1, 11)]
    lines[2:5] = ["ai3\n", "ai4\n", "ai5\n"]
    ai = commit(
        root, {"f.py": "".join(lines)}, "ai\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n"
    )
    lines[3] = "human4\n"
    lines.insert(0, "header\n")
    commit(root, {"f.py": "".join(lines)}, "human touch")
    g = hist.Git(str(root))
    found, _ = hist.ai_commits(g, ["HEAD"], DEFAULTS)
    runs = hist.attribute(hist.blame(g, "f.py"), found, hist.Notes())
    assert [(r.start, r.end, r.tool, r.commit) for r in runs] == [
        (4, 4, "cursor", ai),
        (6, 6, "cursor", ai),
    ]


def test_blame_of_uncommitted_lines_and_of_a_range(tmp_path):
    root = init_repo(tmp_path / "r", {"f.py": "a\n"})
    ai = commit(root, {"f.py": "a\nb\n"}, "x\n\nCo-authored-by: Codex <noreply@openai.com>\n")
    commit(root, {"f.py": "a\nb\nc\n"}, "human")
    (root / "f.py").write_text("a\nb\nc\nd\n")
    g = hist.Git(str(root))
    found, _ = hist.ai_commits(g, ["HEAD"], DEFAULTS)
    worktree = hist.blame(g, "f.py")
    assert len(worktree.lines) == 4 and worktree.lines[3][0] == hist.ZERO_SHA
    assert [(r.start, r.end) for r in hist.attribute(worktree, found, hist.Notes())] == [(2, 2)]
    # blame limited to the last commit: the AI line is older, so the boundary owns it
    ranged = hist.blame(g, "f.py", revs=["HEAD~1..HEAD"])
    assert hist.attribute(ranged, found, hist.Notes()) == []
    assert ai in ranged.boundary


def test_touched_paths_and_renames(tmp_path):
    root = init_repo(tmp_path / "r", {"old/a.py": "a\n", "b.py": "b\n"})
    ai = commit(root, {"old/a.py": "a\nai\n", "new file.py": "n\n"}, "x\n\nAssisted-by: Gemini\n")
    (root / "moved").mkdir()
    git(root, "mv", "old/a.py", "moved/a.py")
    git(root, "commit", "-q", "-m", "move")
    g = hist.Git(str(root))
    touched = hist.touched_paths(g, [ai])
    assert touched == {ai: {"old/a.py", "new file.py"}}
    pairs = hist.renames(g, ["HEAD"])
    assert pairs == [("old/a.py", "moved/a.py")]
    assert hist.follow_renames({"old/a.py"}, pairs) == {"old/a.py", "moved/a.py"}
    found, _ = hist.ai_commits(g, ["HEAD"], DEFAULTS)
    runs = hist.attribute(hist.blame(g, "moved/a.py"), found, hist.Notes())
    assert [(r.start, r.end, r.tool) for r in runs] == [(2, 2, "gemini")]


NOTE = """src/main.py
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 2-3,5
  h_31dce776f88375 1
"other dir/x y.py"
  0123456789abcdef 1
---
{"schema_version": "authorship/3.0.0", "git_ai_version": "1.4.5", "base_commit_sha": "abc",
 "prompts": {"0123456789abcdef": {"agent_id": {"tool": "github_copilot", "model": "gpt-4.1"}}},
 "humans": {"h_31dce776f88375": {"author": "Developer <dev@example.com>"}},
 "sessions": {"s_c9883b05a2487d":
   {"agent_id": {"tool": "claude", "id": "c1", "model": "claude-sonnet-4"}}}}
"""


def test_parse_note_sessions_legacy_prompts_humans_and_quoted_paths():
    files, problems = parse_note(NOTE)
    assert problems == []
    assert [(r.start, r.end, r.tool, r.model) for r in files["src/main.py"]] == [
        (2, 3, "claude-code", "claude-sonnet-4"),
        (5, 5, "claude-code", "claude-sonnet-4"),
    ]
    assert [(r.start, r.tool) for r in files["other dir/x y.py"]] == [(1, "copilot")]


@pytest.mark.parametrize(
    "text",
    [
        "src/a.py\n  s_1::t_2 1-2\n",  # no '---'
        "  s_1::t_2 1-2\n---\n{}\n",  # entry before any path
        "src/a.py\n  s_1::t_2 x-2\n---\n{}\n",  # bad range
        "src/a.py\n  s_1::t_2 5-2\n---\n{}\n",  # reversed range
    ],
)
def test_parse_note_rejects_malformed_attestations(text):
    with pytest.raises(NoteError):
        parse_note(text)


def test_parse_note_keeps_ranges_when_metadata_is_broken():
    files, problems = parse_note("a.py\n  s_1::t_2 1-2\n---\n{not json\n")
    assert [(r.start, r.end, r.tool) for r in files["a.py"]] == [(1, 2, "unknown")]
    assert problems and "not JSON" in problems[0]


def test_unquote_path():
    assert unquote_path('"a\\tb \\303\\251.py"') == "a\tb é.py"
    assert unquote_path("plain.py") == "plain.py"


def test_notes_from_refs_notes_ai_attribute_shifted_lines(tmp_path):
    root = init_repo(tmp_path / "r", {"src/main.py": "h1\n"})
    noted = commit(root, {"src/main.py": "h1\nai2\nai3\nh4\n"}, "work")  # no trailer at all
    git(
        root,
        "notes",
        "--ref=ai",
        "add",
        "-m",
        "src/main.py\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb 2-3\n---\n"
        '{"sessions": {"s_aaaaaaaaaaaaaa": {"agent_id": {"tool": "cursor", "model": "gpt-5"}}}}',
        noted,
    )
    commit(root, {"src/main.py": "new0\nh1\nai2\nai3\nh4\n"}, "human inserts a line above")
    g = hist.Git(str(root))
    notes = hist.load_notes(g)
    assert notes.present and notes.unreadable == 0
    runs = hist.attribute(hist.blame(g, "src/main.py"), {}, notes)
    assert [(r.start, r.end, r.tool, r.model, r.kind) for r in runs] == [
        (3, 4, "cursor", "gpt-5", "note")
    ]


def test_missing_and_malformed_notes(tmp_path):
    root = init_repo(tmp_path / "r", {"a.py": "a\n"})
    g = hist.Git(str(root))
    assert hist.load_notes(g).present is False
    git(root, "notes", "--ref=ai", "add", "-m", "a.py\n  s_1::t_2 one-two\n---\n{}", "HEAD")
    notes = hist.load_notes(g)
    assert notes.present and notes.unreadable == 1 and notes.by_commit == {}
    assert "skipped" in notes.problems[0] and "bad line range" in notes.problems[0]


@pytest.mark.parametrize(
    "metadata, reason",
    [
        ('{"n": ' + "7" * 5000 + "}", "metadata is not readable JSON (Exceeds the limit"),
        ("[" * 20_000 + "]" * 20_000, "metadata is not readable JSON (maximum recursion"),
        ('{"sessions": ', "metadata is not JSON (Expecting value)"),
    ],
    ids=["5000-digit-number", "nested-too-deep", "truncated"],
)
def test_a_note_whose_metadata_json_cannot_be_read_keeps_its_ranges(tmp_path, metadata, reason):
    """Regression: a plain ValueError from json (no ``.msg``) used to crash reading the notes."""
    root = init_repo(tmp_path / "r", {"a.py": "a\nb\n"})
    note = tmp_path / "note.txt"
    note.write_text("a.py\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb 1-2\n---\n" + metadata)
    git(root, "notes", "--ref=ai", "add", "-F", str(note), "HEAD")
    notes = hist.load_notes(hist.Git(str(root)))
    assert notes.unreadable == 0 and len(notes.problems) == 1
    assert reason in notes.problems[0], notes.problems
    head = git(root, "rev-parse", "HEAD").strip()
    assert notes.by_commit[head]["a.py"] == [hist.NoteRange(1, 2, "unknown", "")]


def test_lookup_commits_and_git_errors(tmp_path):
    root = init_repo(tmp_path / "r", {"a.py": "a\n"})
    ai = commit(
        root,
        {"a.py": "b\n"},
        "x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n",
    )
    g = hist.Git(str(root))
    looked = hist.lookup_commits(
        g, [ai, git(root, "rev-parse", "HEAD~1").strip(), hist.ZERO_SHA], DEFAULTS
    )
    assert looked[ai].tool == "copilot" and len(looked) == 2
    assert g.resolve("no-such-rev") is None
    with pytest.raises(hist.GitError):
        g.run("log", "no-such-rev")
    assert hist.blame(g, "missing.py") is None
    assert hist.Git(str(tmp_path)).is_repository() is False
