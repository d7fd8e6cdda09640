"""Glob rules beyond the git oracle: what zones refuse (and why), the engines, index, caches."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ringfence.policy import globs
from ringfence.policy.globs import ENGINES, GlobMatcher, glob_problem, translate


@pytest.mark.parametrize(
    "pattern, reason",
    [
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
        ("/ ", "empty path component"),  # git drops the trailing space: "/"
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
    ],
)
def test_zone_globs_refused_with_a_reason(pattern, reason):
    problem = glob_problem(pattern)
    assert problem is not None and reason in problem, (pattern, problem)


@pytest.mark.parametrize(
    "pattern",
    [
        "training/**",
        "evals/",
        "*.ipynb",
        "/config.py",
        "**/fixtures/*.json",
        "a/**/b",
        "docs/[a-z]*.md",
        "x[!0-9]",
        "[[:upper:]]*",
        "name\\ with\\ space",
        "\\#hash",
        "\\!bang",
        "é/*.py",
        "a/b/*/",
        "**",
    ],
)
def test_zone_globs_accepted(pattern):
    assert glob_problem(pattern) is None


@pytest.mark.parametrize("backend", ENGINES)
def test_last_covering_pattern_and_batch(backend):
    matcher = GlobMatcher(["*.py", "a/", "a/keep.py", "b/**"], backend=backend)
    assert matcher.backend == backend
    paths = ["x.py", "a/x.py", "a/keep.py", "b/c/d", "c", "a/", "b/"]
    assert [matcher.last_match(p) for p in paths] == [0, 1, 2, 3, None, 1, 3]
    assert matcher.last_matches(paths) == [0, 1, 2, 3, None, 1, 3]
    assert matcher.check("a/x.py") == (True, 1) and matcher.check("c") == (None, None)


@pytest.mark.parametrize("backend", ENGINES)
def test_bytes_not_characters(backend):
    """``?`` and brackets match one byte, as in git: 'é' is two bytes in UTF-8."""
    one, two = GlobMatcher(["caf?"], backend=backend), GlobMatcher(["caf??"], backend=backend)
    assert (one.last_match("café"), two.last_match("café")) == (None, 0)
    assert GlobMatcher(["*.py"], backend=backend).last_matches(["é.py", "a/ü.py", "x"]) == [
        0,
        0,
        None,
    ]


@pytest.mark.parametrize("backend", ENGINES)
def test_ignore_case(backend):
    matcher = GlobMatcher(["Docs/**", "*.MD", "[A-C]x"], ignore_case=True, backend=backend)
    assert matcher.last_matches(["docs/a", "DOCS/A", "x/readme.md", "bx", "Bx", "dx"]) == [
        0,
        0,
        1,
        2,
        2,
        None,
    ]
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
    assert (
        small.last_match("a") == 0 and len(list((tmp_path / "ringfence/globs").iterdir())) == 2
    )  # cached too


def test_backend_choice(monkeypatch):
    long = [f"d{i}/**" for i in range(globs.HYPERSCAN_MIN_PATTERNS)]
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "simple")
    assert GlobMatcher(long).backend == "simple"
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "nonsense")
    assert GlobMatcher(long).backend == "indexed"
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "hyperscan")
    assert GlobMatcher(["a/**"]).backend == "hyperscan"
    monkeypatch.setenv("RINGFENCE_GLOB_BACKEND", "indexed")
    assert GlobMatcher(long, backend="simple").backend == "simple"  # an explicit engine wins


def test_single_questions_and_small_batches_stay_on_the_index(monkeypatch, tmp_path):
    monkeypatch.delenv("RINGFENCE_GLOB_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    patterns = [f"d{i}/**" for i in range(globs.HYPERSCAN_MIN_PATTERNS)] + ["*.py"]
    matcher = GlobMatcher(patterns)
    answers = [matcher.last_match(p) for p in ["a.py", "d3/x", "c"] * 30]
    assert answers == [64, 3, None] * 30 and matcher.backend == "indexed"
    assert matcher.last_matches(["a.py", "d3/x", "c"] * 100) == [64, 3, None] * 100
    assert matcher.backend == "indexed" and not (tmp_path / "ringfence/globs").exists()
    assert GlobMatcher([]).last_matches(["a", "b"]) == [None, None]


def test_a_large_batch_compiles_the_database_in_the_background_for_the_next(monkeypatch, tmp_path):
    """The first large batch answers on the index at once; a detached process caches the
    compiled database, and the next batch (in this process or another) scans with Hyperscan."""
    monkeypatch.delenv("RINGFENCE_GLOB_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    patterns = [f"d{i}/**" for i in range(200)] + ["**/gen/*.md"]
    paths = [
        f"d{i % 300}/gen/f{i}.{('py', 'md')[i % 7 == 0]}" for i in range(globs.HYPERSCAN_MIN_PATHS)
    ]
    expected = [
        200 if i % 7 == 0 else i % 300 if i % 300 < 200 else None for i in range(len(paths))
    ]
    first = GlobMatcher(patterns)
    assert first.last_matches(paths) == expected and first.backend == "indexed"
    directory = tmp_path / "ringfence/globs"
    deadline = time.monotonic() + 120
    while not [p for p in directory.iterdir() if not p.name.startswith(".")]:
        assert time.monotonic() < deadline, "no database was compiled in the background"
        time.sleep(0.1)
    while [p for p in directory.iterdir() if p.name.endswith(".job")]:  # the job is removed last
        assert time.monotonic() < deadline, "the background compile never finished"
        time.sleep(0.1)
    assert first.last_matches(paths) == expected and first.backend == "hyperscan"
    second = GlobMatcher(patterns)
    assert second.last_matches(paths) == expected and second.backend == "hyperscan"
    assert second._globs is None  # nothing translated: the database came from the cache


def test_a_job_already_running_is_not_started_twice(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    patterns = ["a/**"] * 70
    job = Path(globs.job_file(patterns, False))
    job.parent.mkdir(parents=True)
    job.write_text("{}")
    assert globs.compile_later(patterns, False) is False and job.read_text() == "{}"
    assert globs.compile_job(str(job)) is False and not job.exists()  # a malformed job: removed


@pytest.mark.parametrize(
    "pattern, kind, key",
    [
        ("src/**", globs.FIRST, b"src"),
        ("/setup.py", globs.FIRST, b"setup.py"),
        ("**/fixtures/*.json", globs.NAME, b"fixtures"),
        ("evals/", globs.NAME, b"evals"),
        ("a\\*b", globs.NAME, b"a*b"),
        ("dir_12*/x?.py", globs.FIRST_PREFIX, b"dir_12"),
        ("*.ipynb", globs.EXTENSION, b"ipynb"),
        ("**/f1[0-4]*.tar.gz", globs.EXTENSION, b"gz"),
        ("secret*", globs.NAME_PREFIX, b"secret"),
        ("Docs/**", globs.FIRST, b"Docs"),
        ("[ab]?", globs.RESIDUAL, b""),
        ("**", globs.RESIDUAL, b""),
        ("x[a/b]y/z", globs.NAME, b"z"),  # a "/" inside brackets is no separator
    ],
)
def test_index_files_each_pattern_under_a_key_every_covered_path_holds(pattern, kind, key):
    assert globs.index_key(pattern) == (kind, key)
    assert globs.index_key("Docs/**", ignore_case=True) == (globs.FIRST, b"docs")
    assert globs.index_key("a[") is None  # git matches nothing with it


def test_index_tests_a_handful_of_candidates_and_is_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    patterns = [f"team-{i}/**" for i in range(500)] + [f"**/gen-{i}/*.py" for i in range(500)]
    patterns += ["*.ipynb", "**"]
    matcher = GlobMatcher(patterns, backend="indexed")
    index = matcher._indexed()
    assert index.candidates(b"team-7/gen-9/a.py") == [1001, 509, 7]
    assert matcher.last_match("team-7/gen-9/a.py") == 1001 and len(index._compiled) == 1
    assert (tmp_path / "ringfence/indexes").is_dir()
    again = GlobMatcher(patterns, backend="indexed")
    assert again.last_match("x/y.ipynb") == 1001 and again._globs is None  # from the cache
    entry = next((tmp_path / "ringfence/indexes").iterdir())
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")  # damaged: built afresh
    third = GlobMatcher(patterns[:-1], backend="indexed")
    assert third.last_match("x/y.ipynb") == 1000 and third.last_match("team-3/q") == 3


def test_a_short_policy_leaves_hyperscan_unimported_in_a_hook_process(make_repo):
    """The hook's start-up budget (bench/hooks.py) has no room for importing Hyperscan, nor
    (from the second run on, once the translation is cached) pathspec."""
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "t"\npath = "t/**"\n'
            'level = "internal"\n'
        }
    )
    probe = (
        "import sys; from ringfence.policy import Policy; "
        f"print(Policy({str(root)!r}).classify({str(root / 't/x.py')!r}).level.name, "
        "'hyperscan' in sys.modules, 'pathspec' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "RINGFENCE_GLOB_BACKEND"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
        )
        for _ in range(2)
    ]
    assert runs[1].stdout.split() == ["internal", "False", "False"]


def test_a_large_policy_never_compiles_hyperscan_for_a_single_question(make_repo, tmp_path):
    """The first hook after a policy change answers on the index (docs/performance.md)."""
    zones = "".join(
        f'[[zone]]\nname = "z{i}"\npath = "team-{i}/**"\nlevel = "internal"\n' for i in range(300)
    )
    root = make_repo({".ringfence.toml": "version = 1\n" + zones})
    probe = (
        "from ringfence.policy import Policy; "
        f"print(Policy({str(root)!r}).classify({str(root / 'team-250/x.py')!r}).zone.name)"
    )
    env = {k: v for k, v in os.environ.items() if k != "RINGFENCE_GLOB_BACKEND"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["z250"]
    cached = {p.name for p in (tmp_path / "cache/ringfence").iterdir()}
    assert "indexes" in cached and "globs" not in cached  # indexed and cached, nothing compiled
