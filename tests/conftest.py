"""Shared fixtures: real git repositories in temp dirs, and the bundled demo repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
RINGFENCE = [sys.executable, "-m", "ringfence"]


def pytest_report_header(config: pytest.Config) -> str:
    """Which fuzz pass runs (derandomised, or random from RINGFENCE_FUZZ_SEED) and its seed."""
    from fuzz import describe_pass

    return describe_pass()


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    """Run a real git command in ``cwd`` and return its stdout."""
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, check=True, capture_output=True, text=True
    )
    return done.stdout


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def init_repo(root: Path, files: dict[str, str | bytes] | None = None, commit: bool = True) -> Path:
    """A real git repo at ``root`` holding ``files`` (committed unless ``commit`` is false)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    write_files(root, files or {})
    if commit and files:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def make_repo(tmp_path):
    """Factory: ``make_repo({"path": "text", ...})`` -> a committed git repository."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes] | None = None, commit: bool = True) -> Path:
        return init_repo(tmp_path / f"repo{next(counter)}", files, commit)

    return make


@pytest.fixture
def demo_repo(tmp_path) -> Path:
    """A fresh copy of ``examples/demo`` as its own committed git repository."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    init_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "demo")
    return root


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict | None = None):
    """Run the real ``ringfence`` CLI in a subprocess."""
    return subprocess.run(
        [*RINGFENCE, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
