"""Benchmark: ``ringfence check --all`` against its floor, side by side in one run.

A repository of 2,000 commits touching 5,000 files is generated with ``git fast-import``
(about 10% of the commits carry an AI trailer; zones: ``training/**`` human-only, ``serving/**``
internal, ``docs/**`` tagged, the rest open). The floor is what any tool doing this job must
at least run: ``git log --format=%B`` over the history plus ``git blame`` of the files ringfence
has to blame (AI-touched files in zones that restrict AI edits), one after the other as a shell
loop would. The same blames run with ringfence's parallelism are shown too.

    python bench/check.py [--commits 2000] [--files 5000] [--repeat 3] [--keep DIR]

Prints both timings and the ratio ringfence / floor (target: within 3x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

POLICY = """version = 1
[[zone]]
name = "training-data"
path = "training/**"
level = "human-only"
reason = "Handwritten training data only."

[[zone]]
name = "serving"
path = "serving/**"
level = "internal"
reason = "Serving code stays in-house."

[[zone]]
name = "docs"
path = "docs/**"
level = "tagged"
reason = "AI docs need provenance."
"""
TOP_DIRS = ["training", "serving", "docs", "app", "lib", "tools", "web", "infra"]
TRAILERS = [
    "Co-Authored-By: Claude <noreply@anthropic.com>",
    "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    "Co-authored-by: Cursor <cursoragent@cursor.com>",
    "Assisted-by: Codex:gpt-5-codex",
]
RESTRICTED = ("training/", "serving/", "docs/")


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def generate(root: Path, commits: int, files: int, seed: int = 7) -> set[str]:
    """Build the repository; return the files AI commits touched in restricted zones."""
    rng = random.Random(seed)
    paths = [f"{TOP_DIRS[i % len(TOP_DIRS)]}/m{i % 97:02d}/f{i:05d}.py" for i in range(files)]
    content = {
        p: [f"# {p}", *(f"v_{i} = {rng.randint(0, 999)}" for i in range(rng.randint(20, 60)))]
        for p in paths
    }
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    ai_touched: set[str] = set()
    stream = bytearray()
    when = 1_700_000_000
    for n in range(1, commits + 1):
        ai = n > 1 and rng.random() < 0.10
        if n == 1:
            changed = paths
            message = "initial import"
        else:
            changed = rng.sample(paths, rng.randint(2, 8))
            message = f"change {n}\n\nTouch {len(changed)} files."
            if ai:
                message += f"\n\n{rng.choice(TRAILERS)}"
                ai_touched.update(p for p in changed if p.startswith(RESTRICTED))
            for path in changed:
                lines = content[path]
                for _ in range(rng.randint(1, 3)):
                    i = rng.randrange(1, len(lines) + 1)
                    if rng.random() < 0.5 and i < len(lines):
                        lines[i] = f"v_{i} = {rng.randint(0, 9999)}  # c{n}"
                    else:
                        lines.insert(i, f"w_{n}_{i} = {n}")
        stream += b"commit refs/heads/main\nmark :%d\n" % n
        stamp = f"{when + n * 60} +0000"
        people = f"author Dev <dev@example.com> {stamp}\ncommitter Dev <dev@example.com> {stamp}\n"
        stream += people.encode()
        stream += _data(message)
        if n > 1:
            stream += b"from :%d\n" % (n - 1)
        if n == 1:
            stream += b"M 100644 inline .ringfence.toml\n" + _data(POLICY)
        for path in changed:
            stream += f"M 100644 inline {path}\n".encode() + _data("\n".join(content[path]))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
    return ai_touched


def time_ringfence(root: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ringfence", "check", "--all", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"ringfence check failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.returncode, done.stdout


def time_floor(root: Path, blamed: list[str], workers: int = 1) -> float:
    def blame(path: str) -> None:
        subprocess.run(
            ["git", "blame", "--incremental", "--", path], cwd=root, capture_output=True, check=True
        )

    start = time.perf_counter()
    subprocess.run(["git", "log", "--format=%B", "HEAD"], cwd=root, capture_output=True, check=True)
    if workers == 1:
        for path in blamed:
            blame(path)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(blame, blamed))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="build the repository in DIR and keep it")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ringfence-bench-"))
    root = base / "repo"
    try:
        if root.exists():
            shutil.rmtree(root)
        began = time.perf_counter()
        ai_touched = generate(root, args.commits, args.files)
        print(
            f"generated {args.commits} commits x {args.files} files "
            f"in {time.perf_counter() - began:.1f}s; "
            f"{len(ai_touched)} AI-touched files in restricted zones"
        )
        blamed = sorted(ai_touched)
        workers = (os.cpu_count() or 2) + 1
        summary = ""
        for label, prepare in (("", None), (" [commit-graph]", "commit-graph")):
            if (
                prepare
            ):  # git's changed-path Bloom filters speed up every blame, ours and the floor's
                subprocess.run(
                    ["git", "commit-graph", "write", "--reachable", "--changed-paths"],
                    cwd=root,
                    check=True,
                    capture_output=True,
                )
            ours, floor, floor_parallel = [], [], []
            for rep in range(
                args.repeat
            ):  # interleaved, order alternating, so drift hits both sides alike
                if rep % 2:
                    floor.append(time_floor(root, blamed))
                    floor_parallel.append(time_floor(root, blamed, workers))
                elapsed, code, findings = time_ringfence(root)
                ours.append(elapsed)
                if not rep % 2:
                    floor.append(time_floor(root, blamed))
                    floor_parallel.append(time_floor(root, blamed, workers))
            if not summary:
                report = json.loads(findings)
                summary = (
                    f"ringfence check --all: exit {code}, {report['summary']['errors']} errors, "
                    f"{report['summary']['warnings']} warnings "
                    f"in {report['summary']['files']} files; "
                    f"floor blames {len(blamed)} files"
                )
                print(summary)
            t_ours, t_floor, t_par = (statistics.median(x) for x in (ours, floor, floor_parallel))
            print(
                f"{'ringfence check --all' + label:<58} {t_ours:8.2f} s  (median of {args.repeat})"
            )
            print(
                f"{'floor: git log --format=%B + git blame, serial' + label:<58} {t_floor:8.2f} s"
            )
            print(
                f"{f'floor, {workers} blames at a time like ringfence' + label:<58} {t_par:8.2f} s"
            )
            print(
                f"ratio ringfence / floor{label}: {t_ours / t_floor:5.2f}x serial, "
                f"{t_ours / t_par:5.2f}x "
                "parallel  (target <= 3x)"
            )
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
