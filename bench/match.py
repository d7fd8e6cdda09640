"""Benchmark: classify many paths against a large policy, ringfence side by side with its peers.

Generates N repository paths (1-6 directories deep) and a policy of Z zones of mixed shape
(40% ``dir_n/**``, 30% ``**/dir_n/*.py``, 20% ``*.ext``, 10% ``dir_n*/f1[0-4]*.py``, one
pattern per zone), then in one run classifies every path through

- ``ringfence explain --stdin --json`` (end to end: interpreter start, policy load, output) once
  per glob engine: the default install (Hyperscan for a batch once its database is cached, the
  pure-Python index before), ``RINGFENCE_GLOB_BACKEND=hyperscan`` and ``=indexed``, each with
  its own cache,
- ``git check-ignore --no-index --stdin -v -n`` with the same patterns (end to end),
- pathspec's default ("simple") backend in this process (compile and match),

prints paths/second for each and the ratios, and checks that all agree on which paths a
zone covers (and, ringfence against pathspec, on which zone decides). It also reports, per
engine, the cold start (the first classification after a policy change, empty cache) with Z and
with 5,000 zones and the warm policy load, and, for reference, pathspec's Hyperscan backend.

ringfence runs as installed: with compiled bytecode (kept in a temp dir, whatever
PYTHONDONTWRITEBYTECODE says) and with a warm cache of the compiled policy; the first run after
a policy change (cold cache) is reported separately.

Usage: python bench/match.py [--paths 100000] [--zones 1000] [--seed 1] [--runs 3]
                             [--files] [--layout random|tree] [--skip-simple]
                             [--engines default,hyperscan,indexed] [--big-zones 5000]
Exit status: 0 when all agree, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LEVELS = ("open", "tagged", "internal", "human-only")


def generate(
    n_paths: int, n_zones: int, seed: int, layout: str = "random"
) -> tuple[list[str], list[str]]:
    """``(patterns, paths)``: zone globs of four shapes and paths that hit each of them.

    ``random``: every path gets its own random directories (about 2.6 directories per file);
    ``tree``: files share a tree of about one directory per 10 files, like a real repository.
    """
    rnd = random.Random(seed)
    n_dirs = 2000
    extensions = ["py"] * 300 + [f"e{i}" for i in range(700)]
    patterns = []
    for _ in range(n_zones):
        shape = rnd.random()
        if shape < 0.4:
            patterns.append(f"dir_{rnd.randrange(n_dirs)}/**")
        elif shape < 0.7:
            patterns.append(f"**/dir_{rnd.randrange(n_dirs)}/*.py")
        elif shape < 0.9:
            patterns.append(f"*.e{rnd.randrange(1000)}")
        else:
            patterns.append(f"dir_{rnd.randrange(n_dirs)}*/f1[0-4]*.py")
    tree = [""]
    if layout == "tree":
        while len(tree) < n_paths // 10:
            parent = rnd.choice(tree)
            if parent.count("/") < 5:
                tree.append(f"{parent}/dir_{rnd.randrange(n_dirs)}".lstrip("/"))
        tree = tree[1:]
    paths: set[str] = set()
    while len(paths) < n_paths:
        if layout == "tree":
            dirs = rnd.choice(tree)
        else:
            dirs = "/".join(f"dir_{rnd.randrange(n_dirs)}" for _ in range(rnd.randint(1, 6)))
        paths.add(f"{dirs}/f{rnd.randrange(1000)}.{rnd.choice(extensions)}")
    return patterns, sorted(paths)


def write_repo(
    root: Path, patterns: list[str], paths: list[str], seed: int, files: bool
) -> list[int]:
    """A git repository with the policy (one zone per pattern); returns each zone's header line."""
    rnd = random.Random(seed + 1)
    lines = ["version = 1", 'default = "open"']
    headers = []
    for i, pattern in enumerate(patterns):
        lines.append("")
        headers.append(len(lines) + 1)
        lines += [
            "[[zone]]",
            f'name = "zone-{i}"',
            f"path = {json.dumps(pattern)}",
            f'level = "{rnd.choice(LEVELS[1:])}"',
            f'reason = "benchmark zone {i}"',
        ]
    (root / ".ringfence.toml").write_text("\n".join(lines) + "\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    if files:
        for path in paths:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
    return headers


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of each tool's runs


def timed(command: list[str], stdin: bytes, cwd: Path, env: dict) -> tuple[float, bytes]:
    """Wall seconds and stdout of one run; its CPU seconds go to ``CPU`` (less noisy on a
    shared machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(command[0] if command[0] == "git" else "ringfence", []).append(cpu)
    if done.returncode not in (0, 1):
        sys.exit(
            f"{command[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')[:500]}"
        )
    return elapsed, done.stdout


def run_ringfence(root: Path, stdin: bytes, env: dict, headers: list[int], runs: int):
    command = [sys.executable, "-m", "ringfence", "explain", "--stdin", "--json"]
    times, out = [], b""
    for _ in range(runs):
        elapsed, out = timed(command, stdin, root, env)
        times.append(elapsed)
    zone_of_line = {line: i for i, line in enumerate(headers)}
    decided = []
    for row in map(json.loads, out.splitlines()):
        rule = row["rule"]
        decided.append(
            zone_of_line[int(rule.rsplit(":", 1)[1])] if row["source"] == "zone" else None
        )
    return times, decided


def run_git(root: Path, stdin: bytes, excludes: Path, env: dict) -> tuple[float, list[bool]]:
    command = [
        "git",
        "-c",
        f"core.excludesFile={excludes}",
        "check-ignore",
        "--no-index",
        "--stdin",
        "-v",
        "-n",
    ]
    elapsed, out = timed(command, stdin, root, env)
    return elapsed, [not line.startswith(b"::") for line in out.splitlines()]


def run_pathspec(
    patterns: list[str], paths: list[str], backend: str
) -> tuple[float, list[int | None]]:
    import pathspec

    start = time.perf_counter()
    spec = pathspec.GitIgnoreSpec.from_lines(patterns, backend=backend)
    decided = []
    for path in paths:
        result = spec.check_file(path)
        decided.append(result.index if result.include else None)
    return time.perf_counter() - start, decided


ENGINES = {"default": None, "hyperscan": "hyperscan", "indexed": "indexed", "simple": "simple"}


def engine_env(env: dict, engine: str, cache: Path) -> dict:
    out = {**env, "XDG_CACHE_HOME": str(cache)}
    out.pop("RINGFENCE_GLOB_BACKEND", None)
    if ENGINES[engine]:
        out["RINGFENCE_GLOB_BACKEND"] = ENGINES[engine]
    return out


def wait_for_background_compile(cache: Path, timeout: float = 600.0) -> float:
    """Seconds until the default engine's background compile (``ringfence.policy.warm``) is done."""
    start = time.perf_counter()
    directory = cache / "ringfence" / "globs"
    while time.perf_counter() - start < timeout:
        names = [p.name for p in directory.iterdir()] if directory.is_dir() else []
        if names and not any(n.endswith(".job") for n in names):
            break
        time.sleep(0.2)
    return time.perf_counter() - start


def policy_load_times(root: Path, env: dict) -> tuple[float, float]:
    """Seconds to load the policy in a fresh process: with an empty cache, then a warm one."""
    probe = (
        "import sys, time; t = time.perf_counter(); "
        "from ringfence.policy import Policy; p = Policy(sys.argv[1]); "
        "p.classify('dir_0/x.py'); print(time.perf_counter() - t)"
    )
    out = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", probe, str(root)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(float(done.stdout))
    return out[0], out[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="ringfence runs (the median counts)")
    parser.add_argument("--files", action="store_true", help="create every path as a file first")
    parser.add_argument(
        "--layout",
        choices=("random", "tree"),
        default="random",
        help="random directories per path (default), or a shared tree like a real repository",
    )
    parser.add_argument(
        "--skip-simple", action="store_true", help="skip pathspec's slow default backend"
    )
    parser.add_argument(
        "--engines",
        default="default,hyperscan,indexed",
        help="ringfence glob engines to run, comma-separated (also: simple)",
    )
    parser.add_argument(
        "--big-zones", type=int, default=5000, help="zones of the second cold-start policy"
    )
    args = parser.parse_args()

    engines = [e for e in args.engines.split(",") if e]
    if unknown := [e for e in engines if e not in ENGINES]:
        parser.error(f"unknown engine(s) {', '.join(unknown)}: choose from {', '.join(ENGINES)}")
    patterns, paths = generate(args.paths, args.zones, args.seed, args.layout)
    big_patterns, _ = generate(10, args.big_zones, args.seed, args.layout)
    stdin = ("\n".join(paths) + "\n").encode()
    results: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory(prefix="rf-bench-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        headers = write_repo(root, patterns, paths, args.seed, args.files)
        big = Path(tmp) / "big"
        big.mkdir()
        write_repo(big, big_patterns, [], args.seed, False)
        excludes = Path(tmp) / "excludes"
        excludes.write_text("\n".join(patterns) + "\n")
        env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [sys.executable, "-c", "import ringfence.cli"], env=env, check=True
        )  # bytecode
        for engine in engines:
            cache = Path(tmp) / f"cache-{engine}"
            big_cold, _ = policy_load_times(
                big, engine_env(env, engine, Path(tmp) / f"big-{engine}")
            )
            cold, warm = policy_load_times(root, engine_env(env, engine, cache))
            shutil.rmtree(cache)
            first_run, _ = run_ringfence(root, stdin, engine_env(env, engine, cache), headers, 1)
            waited = wait_for_background_compile(cache) if engine == "default" else 0.0
            CPU.clear()
            times, decided = run_ringfence(
                root, stdin, engine_env(env, engine, cache), headers, args.runs
            )
            results[engine] = (
                times,
                decided,
                statistics.median(CPU["ringfence"]),
                cold,
                warm,
                big_cold,
                first_run[0],
                waited,
            )
        CPU.clear()
        git_time, git = run_git(root, stdin, excludes, env)
        git_cpu = CPU["git"][0]
        hs_time, hs = run_pathspec(patterns, paths, "hyperscan")
        simple_time, simple = (
            (None, hs) if args.skip_simple else run_pathspec(patterns, paths, "simple")
        )

    n = len(paths)
    n_dirs = len({p.rpartition("/")[0] for p in paths})
    print(
        f"{n:,} paths in {n_dirs:,} directories ({args.layout}), {len(patterns):,} zones, "
        f"files on disk: {'yes' if args.files else 'no'}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "cold start = the first classification after a policy change (fresh process, empty cache, "
        "imports included); warm = the same with the cache filled"
    )
    for engine, (_, _, _, cold, warm, big_cold, first, waited) in results.items():
        extra = f"; background compile done {waited:.1f} s after it" if engine == "default" else ""
        print(
            f"  {engine:<10} cold start {len(patterns):,} zones {cold * 1000:6.0f} ms, "
            f"{args.big_zones:,} zones {big_cold * 1000:6.0f} ms; warm {warm * 1000:4.0f} ms; "
            f"first batch run {first:.2f} s{extra}"
        )
    rows = [
        (
            f"ringfence explain --stdin --json, {engine}",
            statistics.median(r[0]),
            f"median of {len(r[0])}: " + ", ".join(f"{t:.2f}s" for t in r[0]),
        )
        for engine, r in results.items()
    ]
    rows.append(("git check-ignore --no-index --stdin", git_time, ""))
    if simple_time is not None:
        rows.append(("pathspec default backend (in process, old baseline)", simple_time, ""))
    rows.append(("pathspec hyperscan backend (in process, reference)", hs_time, ""))
    for name, seconds, note in rows:
        print(f"  {name:<56} {n / seconds:>10,.0f} paths/s  {seconds:7.2f} s  {note}")
    for engine, (times, _, cpu, *_rest) in results.items():
        print(
            f"ratio ringfence ({engine}) / git: "
            f"{git_time / statistics.median(times):.1f}x wall clock; "
            f"{git_cpu / cpu:.1f}x CPU time (ringfence {cpu:.2f} s, git {git_cpu:.2f} s)"
        )
    if simple_time is not None:
        print(f"ratio pathspec default / git: {git_time / simple_time:.1f}x")

    failed = False
    for engine, (_, rf, *_rest) in results.items():
        covered = [d is not None for d in rf]
        disagree_git = sum(a != b for a, b in zip(covered, git, strict=True))
        disagree_covered = sum(a != (b is not None) for a, b in zip(covered, simple, strict=True))
        disagree_zone = sum(a != b for a, b in zip(rf, simple, strict=True))
        print(
            f"agreement ({engine}): {n - disagree_git:,}/{n:,} with git on coverage; "
            f"{n - disagree_covered:,}/{n:,} with pathspec on coverage; "
            f"{n - disagree_zone:,}/{n:,} "
            f"with pathspec on the deciding zone ({sum(covered):,} paths covered)"
        )
        failed = failed or bool(disagree_git or disagree_covered or disagree_zone)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
