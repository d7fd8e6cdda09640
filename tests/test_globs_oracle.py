"""Property tests: ringfence's glob decisions equal ``git check-ignore --no-index`` (the oracle).

Each example builds a real git repository in a temp dir holding random files, generates random
gitignore-style patterns, and asks git which paths each pattern ignores. What docs/policy.md
("Globs") promises is compared on both glob backends (Hyperscan and pathspec's regular
expressions):

- a zone pattern covers exactly the paths git ignores with that pattern alone (a directory is
  asked as ``DIR/``), and the deciding zone pattern is the last one covering the path;
- an imported ignore file (with ``!`` negation) excludes exactly what git excludes, and names
  the line ``git check-ignore -v`` names;
- with ``ignore-case`` the same holds against ``git -c core.ignorecase=true``.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.policy.globs import ENGINES, GlobMatcher, glob_problem
from ringfence.policy.imports import parse_ignore_file

BACKENDS = ENGINES  # every engine answers like git
ATOMS = [
    "a",
    "b",
    "c",
    "A",
    "x.py",
    ".py",
    "*",
    "**",
    "?",
    "/",
    "[ab]",
    "[!a]",
    "[^b]",
    "[a-c]",
    "[A-C]",
    "[]a]",
    "[a-]",
    "[[:alpha:]]",
    "[[:upper:]]",
    "[[:digit:]]",
    "\\*",
    "\\[",
    "\\ ",
    " ",
    "é",
]
NAMES = [
    "a",
    "b",
    "c",
    "ab",
    "ba",
    "abc",
    "A",
    "B1",
    "x.py",
    "a.py",
    "é",
    "a b",
    "[",
    "*",
    "a\nb",
    "-",
]
PATTERNS = (
    st.lists(st.sampled_from(ATOMS), min_size=1, max_size=5)
    .map("".join)
    .filter(lambda p: glob_problem(p) is None)
)
PATHS = st.lists(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=4).map("/".join), min_size=1, max_size=12
)
ORACLE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class GitRepo:
    """A fresh git repository holding ``paths`` as files (their parents as directories)."""

    def __init__(self, paths: list[str]) -> None:
        self.root = tempfile.mkdtemp(prefix="rf-oracle-")
        subprocess.run(["git", "init", "-q", self.root], check=True)
        self.files: list[str] = []
        dirs: set[str] = set()
        for path in sorted(set(paths), key=len):
            parts = path.split("/")
            parents = ["/".join(parts[:i]) for i in range(1, len(parts))]
            if path in dirs or any(p in self.files for p in parents):
                continue  # a file and a directory cannot share a name
            self.files.append(path)
            dirs.update(parents)
            full = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            open(full, "w").close()
        self.queries = self.files + sorted(d + "/" for d in dirs)

    def check_ignore(self, lines: list[str], ignore_case: bool) -> dict[str, str | None]:
        """``{query: line number of the deciding pattern if the query is excluded}``."""
        excludes = os.path.join(self.root, ".git", "rf-excludes")
        with open(excludes, "wb") as handle:
            handle.write("".join(f"{line}\n" for line in lines).encode())
        done = subprocess.run(
            [
                "git",
                "-c",
                f"core.excludesFile={excludes}",
                "-c",
                f"core.ignorecase={str(ignore_case).lower()}",
                "check-ignore",
                "--no-index",
                "--stdin",
                "-z",
                "-v",
                "-n",
            ],
            cwd=self.root,
            input=b"".join(q.encode() + b"\0" for q in self.queries),
            capture_output=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        fields = done.stdout.split(b"\0")
        out = {}
        for source, line, pattern, path in itertools.zip_longest(*[iter(fields[:-1])] * 4):
            excluded = bool(source) and not pattern.startswith(b"!")
            out[path.decode()] = line.decode() if excluded else None
        assert set(out) == set(self.queries)
        return out


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep compiled glob databases out of the user's cache directory."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME")
    else:
        os.environ["XDG_CACHE_HOME"] = old


@ORACLE
@given(patterns=st.lists(PATTERNS, min_size=1, max_size=4), paths=PATHS, ignore_case=st.booleans())
def test_zone_patterns_cover_what_git_ignores(patterns, paths, ignore_case):
    repo = GitRepo(paths)
    covering = [repo.check_ignore([p], ignore_case) for p in patterns]
    for backend in BACKENDS:
        singles = [GlobMatcher([p], ignore_case, backend) for p in patterns]
        matcher = GlobMatcher(patterns, ignore_case, backend)
        batch = matcher.last_matches(repo.queries)
        for query, batched in zip(repo.queries, batch, strict=True):
            covered_by = [i for i, answer in enumerate(covering) if answer[query] is not None]
            for i, single in enumerate(singles):
                assert (single.last_match(query) == 0) == (i in covered_by), (
                    backend,
                    patterns[i],
                    query,
                )
            expected = max(covered_by, default=None)
            assert matcher.last_match(query) == expected, (backend, patterns, query)
            assert batched == expected, (backend, patterns, query)


@ORACLE
@given(
    patterns=st.lists(st.tuples(st.booleans(), PATTERNS), min_size=1, max_size=5),
    paths=PATHS,
    ignore_case=st.booleans(),
)
def test_ignore_file_excludes_what_git_excludes(patterns, paths, ignore_case):
    lines = [("!" if negated else "") + pattern for negated, pattern in patterns]
    repo = GitRepo(paths)
    expected = repo.check_ignore(lines, ignore_case)
    text = "".join(f"{line}\n" for line in lines)
    for backend in BACKENDS:
        ignore = parse_ignore_file(".cursorignore", ".cursorignore", "", text, ignore_case, backend)
        for query in repo.queries:
            want = None if expected[query] is None else f".cursorignore:{expected[query]}"
            assert ignore.rule_for(query) == want, (backend, lines, query)


@pytest.mark.parametrize("backend", BACKENDS)
def test_path_with_newline_is_matched_like_git(backend):
    repo = GitRepo(["ab\ncd/e.py", "cd/e.py", "ab/x"])
    for pattern in ("ab*/**", "/cd/**", "e.py", "ab?cd/", "[!x]b*"):
        covered = repo.check_ignore([pattern], False)
        matcher = GlobMatcher([pattern], backend=backend)
        for query in repo.queries:
            assert (matcher.last_match(query) == 0) == (covered[query] is not None), (
                pattern,
                query,
            )
        assert matcher.last_matches(repo.queries) == [
            0 if covered[q] is not None else None for q in repo.queries
        ]
