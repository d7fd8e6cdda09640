"""Payloads recorded from the real Gemini CLI 0.61 through the real ``ringfence hook gemini``.

The fixtures ``tests/fixtures/hooks/gemini/real-*.json`` were sent by the real binary in
``tests/agents/test_gemini_e2e.py`` (which also checks they still have the recorded shape). Here
each one is piped into the hook process inside a repository with the same policy, and the
answer, the exit code and the journal are checked without the agent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.conftest import make_repo
from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "hooks" / "gemini"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def fixture(name: str, root: Path) -> str:
    text = (FIXTURES / f"real-{name}.json").read_text().replace("{{ROOT}}", str(root))
    json.loads(text)
    return text


def hook(stdin: str, root: Path):
    return run_cli("hook", "gemini", stdin=stdin, cwd=root)


def denial(done) -> str:
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny"
    return answer["reason"]


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("write_file-deny", "training/gen.py is in the human-only zone 'training-data'"),
        ("shell-deny", "training/gen.py is in the human-only zone 'training-data'"),
        ("read_file-deny", "serving/server.py is in the internal zone 'model-serving'"),
        ("grep_search-dir_path", "training is in the human-only zone 'training-data'"),
        ("grep_search-include_pattern", "training is in the human-only zone 'training-data'"),
        ("glob-dir_path", "serving is in the internal zone 'model-serving'"),
        ("list_directory", "training is in the human-only zone 'training-data'"),
    ],
)
def test_recorded_payloads_into_closed_zones_are_denied(repo, name, where):
    assert denial(hook(fixture(name, repo), repo)).startswith(f"ringfence: {where}")


def test_recorded_reads_and_searches_are_in_the_egress_ledger(repo):
    for name in ("read_file-deny", "grep_search-dir_path", "glob-dir_path"):
        denial(hook(fixture(name, repo), repo))
    assert [(e["event"], e["path"], e["decision"]) for e in journal(repo)] == [
        ("read", "serving/server.py", "deny"),
        ("read", "training", "deny"),
        ("read", "serving", "deny"),
    ]


@pytest.mark.parametrize("name", ["write_file-allow", "replace-allow"])
def test_recorded_edits_of_open_code_are_allowed_silently(repo, name):
    done = hook(fixture(name, repo), repo)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_recorded_after_tool_payloads_journal_the_written_lines(repo):
    (repo / "src/new.py").write_text("def new():\n    pass\n")
    (repo / "src/app.py").write_text("def app():\n    return 2\n")
    for name in ("write_file-post", "replace-post"):
        done = hook(fixture(name, repo), repo)
        assert done.returncode == 0, done.stderr
    assert [(e["path"], e["ranges"], e["decision"], e["agent"]) for e in journal(repo)] == [
        ("src/new.py", [[1, 2]], "allow", "gemini"),
        ("src/app.py", [[2, 2]], "allow", "gemini"),
    ]


def test_read_many_files_include_list_is_read(repo):
    stdin = json.loads(fixture("read_file-deny", repo))
    stdin.update(tool_name="read_many_files", tool_input={"include": ["src/app.py", "serving/*"]})
    assert "serving is in the internal zone" in denial(hook(json.dumps(stdin), repo))
    stdin["tool_input"] = {"include": ["src/*.py"]}
    done = hook(json.dumps(stdin), repo)
    assert (done.returncode, done.stdout) == (0, "")
