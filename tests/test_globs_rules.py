"""Glob rules beyond the git oracle: what zones refuse (and why), the two backends, the cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ringfence.policy import globs
from ringfence.policy.globs import GlobMatcher, glob_problem, translate


@pytest.mark.parametrize("pattern, reason", [
    ("", "empty pattern"),
    ("  ", "empty pattern"),
    ("!keep", "negation is not supported"),
    ("#notes", "is a comment in gitignore syntax"),
    ("../x", "climbs out of its directory"),
    ("a/../x", "climbs out of its directory"),
    ("..\\x", "climbs out of its directory"),
    ("./x", "'.' is not a path component"),
    ("a//b", "empty path component"),
    ("/", "empty path component"),
    ("a/***", "'***'"),
    ("foo**", "'**' must be a whole path component"),
    ("a/**b/c", "'**' must be a whole path component"),
    ("tab\tx", "control character"),
    ("[é]", "non-ASCII character inside [...]"),
    ("[a/b]", "'/' inside [...]"),
    ("a[b", "unclosed '['"),
    ("a\\", "ends with a backslash"),
    ("[[:alpah:]]", "unknown character class"),
    ("\\/a", "'\\/' at the start or end"),
])
def test_zone_globs_refused_with_a_reason(pattern, reason):
    problem = glob_problem(pattern)
    assert problem is not None and reason in problem, (pattern, problem)


@pytest.mark.parametrize("pattern", [
    "training/**", "evals/", "*.ipynb", "/config.py", "**/fixtures/*.json", "a/**/b", "docs/[a-z]*.md",
    "x[!0-9]", "[[:upper:]]*", "name\\ with\\ space", "\\#hash", "\\!bang", "é/*.py", "a/b/*/", "**",
])
def test_zone_globs_accepted(pattern):
    assert glob_problem(pattern) is None


@pytest.mark.parametrize("backend", ["hyperscan", "simple"])
def test_last_covering_pattern_and_batch(backend):
    matcher = GlobMatcher(["*.py", "a/", "a/keep.py", "b/**"], backend=backend)
    assert matcher.backend == backend
    paths = ["x.py", "a/x.py", "a/keep.py", "b/c/d", "c", "a/", "b/"]
    assert [matcher.last_match(p) for p in paths] == [0, 1, 2, 3, None, 1, 3]
    assert matcher.last_matches(paths) == [0, 1, 2, 3, None, 1, 3]
    assert matcher.check("a/x.py") == (True, 1) and matcher.check("c") == (None, None)


@pytest.mark.parametrize("backend", ["hyperscan", "simple"])
def test_bytes_not_characters(backend):
    """``?`` and brackets match one byte, as in git: 'é' is two bytes in UTF-8."""
    one, two = GlobMatcher(["caf?"], backend=backend), GlobMatcher(["caf??"], backend=backend)
    assert (one.last_match("café"), two.last_match("café")) == (None, 0)
    assert GlobMatcher(["*.py"], backend=backend).last_matches(["é.py", "a/ü.py", "x"]) == [0, 0, None]


@pytest.mark.parametrize("backend", ["hyperscan", "simple"])
def test_ignore_case(backend):
    matcher = GlobMatcher(["Docs/**", "*.MD", "[A-C]x"], ignore_case=True, backend=backend)
    assert matcher.last_matches(["docs/a", "DOCS/A", "x/readme.md", "bx", "Bx", "dx"]) == [0, 0, 1, 2, 2, None]
    strict = GlobMatcher(["Docs/**"], backend=backend)
    assert strict.last_matches(["docs/a", "Docs/a"]) == [None, 0]


def test_trailing_spaces_follow_git():
    assert translate("a ").covering == translate("a").covering
    assert translate("a\\ ").covering != translate("a").covering
    assert GlobMatcher(["a\\ "]).last_match("a ") == 0


def test_hyperscan_database_is_cached_by_pattern_list(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    patterns = [f"dir_{i}/**" for i in range(40)] + ["*.md"]
    first = GlobMatcher(patterns, backend="hyperscan")
    cached = list((tmp_path / "ringfence/globs").iterdir())
    assert len(cached) == 1
    second = GlobMatcher(patterns, backend="hyperscan")
    assert second._globs is None  # loaded from the cache: nothing translated
    paths = ["dir_3/x", "a/b.md", "dir_40/x"]
    assert first.last_matches(paths) == second.last_matches(paths) == [3, 40, None]
    cached[0].write_bytes(cached[0].read_bytes()[:-10] + b"0123456789")  # damaged: compiled afresh
    third = GlobMatcher(patterns, backend="hyperscan")
    assert third.last_matches(paths) == [3, 40, None] and third._globs is not None
    small = GlobMatcher(["a", "b"], backend="hyperscan")
    assert small.last_match("a") == 0 and len(list((tmp_path / "ringfence/globs").iterdir())) == 2  # cached too


def test_backend_choice(monkeypatch):
    long = [f"d{i}/**" for i in range(globs.HYPERSCAN_MIN_PATTERNS)]
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "simple")
    assert GlobMatcher(long).backend == "simple"
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "nonsense")
    assert GlobMatcher(long).backend == "hyperscan"
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "hyperscan")
    assert GlobMatcher(["a/**"]).backend == "hyperscan"


def test_short_lists_start_on_re_and_move_to_hyperscan_when_asked_about_many_paths(monkeypatch):
    monkeypatch.delenv("RINGFENCE_GLOB_BACKEND", raising=False)
    one_by_one = GlobMatcher(["*.py", "docs/**"])
    assert one_by_one.backend == "simple"
    answers = [one_by_one.last_match(p) for p in ["a.py", "docs/x", "c"] * 30]
    assert one_by_one.backend == "hyperscan" and answers == [0, 1, None] * 30
    batch = GlobMatcher(["*.py", "docs/**"])
    assert batch.last_matches(["a.py", "docs/x", "c"]) == [0, 1, None] and batch.backend == "hyperscan"
    assert GlobMatcher([]).last_matches(["a", "b"]) == [None, None]


def test_a_short_policy_leaves_hyperscan_unimported_in_a_hook_process(make_repo):
    """The hook's start-up budget (bench/hooks.py) has no room for importing Hyperscan.

    Holds from the second run on: the first translates the glob with pathspec, which imports
    Hyperscan itself, and caches the translation on disk.
    """
    root = make_repo({".ringfence.toml": 'version = 1\n[[zone]]\nname = "t"\npath = "t/**"\nlevel = "internal"\n'})
    probe = ("import sys; from ringfence.policy import Policy; "
             f"print(Policy({str(root)!r}).classify({str(root / 't/x.py')!r}).level.name, 'hyperscan' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "RINGFENCE_GLOB_BACKEND"}
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
            for _ in range(2)]
    assert runs[1].stdout.split() == ["internal", "False"]


@pytest.mark.parametrize("backend", ["hyperscan", "simple"])
def test_unclean_paths_are_flagged_in_the_same_scan(backend):
    matcher = GlobMatcher(["*.py", "docs/**"], backend=backend)
    paths = ["a.py", "/abs.py", "a//b.py", "./a.py", "a/../b.py", "a/..", "docs/", "a\\b.py", "é.py", "docs/x",
             "a/.hidden.py", ".github/x.py", "tab\t.py"]
    flagged = matcher.last_matches(paths, flag_unclean=True)
    u = globs.UNCLEAN
    assert flagged == [0, u, u, u, u, u, u, u, u, 1, 0, 0, u]
    assert matcher.last_matches(paths) == [matcher.last_match(p) for p in paths]
    assert GlobMatcher([], backend=backend).last_matches(["a", "/a"], flag_unclean=True) == [None, u]
