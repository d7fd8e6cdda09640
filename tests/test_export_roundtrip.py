"""Round trip: each exported gitignore-dialect file, read by git itself (``git check-ignore
--no-index``), selects exactly the repository paths the policy closes to external context.

Only a warning may make an export broader (never narrower) than the policy: ``.aiexclude`` and
Claude's deny rules cannot re-open a path, so there they are a superset by design.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import git, init_repo, run_cli, write_files
from ringfence.export import Exporter
from ringfence.export.rules import is_pattern
from ringfence.export.targets import TARGETS
from ringfence.policy import Policy

NEGATING = [t.path for t in TARGETS if t.dialect == "gitignore"]


def git_excluded(repo: Path, exclude_lines: list[str], paths: list[str]) -> set[str]:
    """The paths git itself ignores given ``exclude_lines`` as an excludes file at the root."""
    excludes = repo / ".git" / "ringfence-roundtrip-excludes"
    excludes.write_text("\n".join(exclude_lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [
            "git",
            "-c",
            f"core.excludesFile={excludes}",
            "-c",
            "core.ignoreCase=false",
            "check-ignore",
            "--no-index",
            "--stdin",
            "-v",
            "-n",
        ],
        cwd=repo,
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    excluded = set()
    for line in done.stdout.splitlines():
        source, _, path = line.partition("\t")
        pattern = source.split(":", 2)[2] if source.count(":") >= 2 else ""
        if pattern and not pattern.startswith("!"):
            excluded.add(path)
    return excluded


def policy_denied(root: Path, paths: list[str]) -> set[str]:
    policy = Policy(root)
    return {p for p in paths if policy.classify(str(root / p)).level.external_context == "deny"}


def repo_paths(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
    )


def claude_patterns(settings_text: str, tool: str) -> list[str]:
    import json

    entries = json.loads(settings_text)["permissions"]["deny"]
    return [e[len(tool) + 1 : -1] for e in entries if e.startswith(f"{tool}(")]


# ----- the demo repository -------------------------------------------------------------------

DEMO_EXTRA = {
    "training/datagen/new/gen2.py": "x\n",
    "evals/sub/cases2.jsonl": "{}\n",
    "serving/x/y.py": "x\n",
    "docs/generated/deep/z.md": "z\n",
    "docs/guide2.md": "g\n",
    "notes/todo.md": "n\n",
    "app/notes/b.md": "b\n",
    "lib/serving/x.py": "x\n",
    "Training/datagen/a.py": "a\n",
    "app/evals/readme.md": "r\n",
}


def test_demo_exports_select_exactly_the_policys_paths(demo_repo):
    write_files(demo_repo, DEMO_EXTRA)
    assert run_cli("export", cwd=demo_repo).returncode == 0
    paths = repo_paths(demo_repo)
    expected = policy_denied(demo_repo, paths)
    assert {
        "serving/x/y.py",
        "notes/todo.md",
        "app/notes/b.md",
        "app/secrets_loader.py",
    } <= expected
    assert "docs/generated/deep/z.md" not in expected and "lib/serving/x.py" not in expected
    for name in [*NEGATING, ".aiexclude"]:
        lines = (demo_repo / name).read_text().splitlines()
        assert git_excluded(demo_repo, lines, paths) == expected, name
    settings_text = (demo_repo / ".claude/settings.json").read_text()
    assert git_excluded(demo_repo, claude_patterns(settings_text, "Read"), paths) == expected
    edits_denied = {
        p
        for p in paths
        if Policy(demo_repo).classify(str(demo_repo / p)).level.external_edits == "deny"
    }
    assert git_excluded(demo_repo, claude_patterns(settings_text, "Edit"), paths) == edits_denied


CARVE_OUTS = {
    ".ringfence.toml": (
        "version = 1\n"
        '[[zone]]\nname = "secrets"\npath = ["secret/", "*.pem"]\nlevel = "internal"\n'
        "locked = true\n"
        '[[zone]]\nname = "public-secrets"\npath = "secret/public/**"\nlevel = "open"\n'
    ),
    "lib/.ringfence.toml": 'version = 1\n[[zone]]\nname = "lib"\npath = "**"\nlevel = "open"\n',
    "secret/a.txt": "a\n",
    "secret/public/b.txt": "b\n",
    "secret/public/deep/c.txt": "c\n",
    "lib/secret/d.txt": "d\n",
    "lib/e.pem": "e\n",
    "lib/f.py": "f\n",
    "x/secret/public/g.txt": "g\n",
}


def test_carve_outs_are_exact_where_negation_exists_and_a_warned_superset_elsewhere(make_repo):
    root = make_repo(CARVE_OUTS)
    done = run_cli("export", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (
        ".ringfence.toml:7: zone 'public-secrets' (open) re-opens /secret/public/**" in done.stderr
    )
    assert ".aiexclude" in done.stderr and "safe superset" in done.stderr
    paths = repo_paths(root)
    expected = policy_denied(root, paths)
    assert expected == {"secret/a.txt", "lib/secret/d.txt", "lib/e.pem", "x/secret/public/g.txt"}
    for name in NEGATING:
        assert git_excluded(root, (root / name).read_text().splitlines(), paths) == expected, name
    superset = git_excluded(root, (root / ".aiexclude").read_text().splitlines(), paths)
    assert superset == expected | {"secret/public/b.txt", "secret/public/deep/c.txt"}


# ----- any policy: property-based ------------------------------------------------------------

NAMES = ["a", "b", "c"]
DIRS = ["a", "b", "c", "a/a", "a/b", "b/c", "c/a", "a/b/c", "b/c/a", "c/a/b", "A/b", "b/C"]
FILES = [f"{d}/{leaf}" for d in DIRS for leaf in ("f.py", "g.key")] + ["top.key", "top.py"]
LEVELS = ["open", "tagged", "internal", "human-only"]
TEMPLATES = [
    "{s}/**",
    "{s}/{t}/**",
    "{s}",
    "{s}/",
    "*.key",
    "{s}/*/{t}",
    "**/{s}",
    "{s}/{t}",
    "{s}/**/{t}",
    "*.py",
    "{s}/*.key",
    "/{s}",
]

pattern = st.builds(
    lambda tpl, s, t: tpl.format(s=s, t=t),
    st.sampled_from(TEMPLATES),
    st.sampled_from(NAMES),
    st.sampled_from(NAMES),
)
zone = st.tuples(st.lists(pattern, min_size=1, max_size=2), st.sampled_from(LEVELS), st.booleans())
policies = st.tuples(
    st.sampled_from(["open", "open", "tagged", "internal"]),
    st.booleans(),
    st.lists(zone, min_size=1, max_size=4),
    st.dictionaries(
        st.sampled_from(["a", "b/c", "c"]), st.lists(zone, min_size=1, max_size=3), max_size=2
    ),
    st.dictionaries(  # hand-written AI ignore files (a "!" line may re-include)
        st.sampled_from(["", "a/", "b/c/"]).flatmap(
            lambda d: st.sampled_from([f"{d}.cursorignore", f"{d}.aiexclude", f"{d}.geminiignore"])
        ),
        st.lists(st.one_of(pattern, pattern.map(lambda p: "!" + p)), max_size=2),
        max_size=2,
    ),
    st.lists(st.sampled_from([f for f in FILES if f.endswith(".py")]), max_size=2),  # header-marked
)


def _toml(zones, root_default=None, ignore_case=False) -> str:
    out = ["version = 1"]
    if root_default:
        out += [
            f'default = "{root_default}"',
            f"ignore-case = {'true' if ignore_case else 'false'}",
        ]
    for index, (patterns, level, locked) in enumerate(zones):
        quoted = ", ".join(f'"{p}"' for p in patterns)
        out += [
            "[[zone]]",
            f'name = "z{index}"',
            f"path = [{quoted}]",
            f'level = "{level}"',
            f"locked = {'true' if locked else 'false'}",
        ]
    return "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_any_policy_round_trips_through_git(spec):
    default, ignore_case, root_zones, nested, ignore_files, marked = spec
    with tempfile.TemporaryDirectory() as tmp:
        files = {path: "x\n" for path in FILES}
        files.update({path: "# ringfence: internal\nx\n" for path in marked})
        files.update({path: "\n".join(lines) + "\n" for path, lines in ignore_files.items()})
        files[".ringfence.toml"] = _toml(root_zones, default, ignore_case)
        for directory, zones in nested.items():
            files[f"{directory}/.ringfence.toml"] = _toml(zones)
        root = init_repo(Path(tmp) / "repo", files, commit=False)
        policy = Policy(root)
        exporter = Exporter(policy, sorted(files))
        paths = sorted(files)
        expected = policy_denied(root, paths)
        plans = {p.target.path: p for p in exporter.plan()}
        exact = not exporter.rules.warnings
        for name in [".cursorignore", ".aiexclude"]:
            lines = (plans[name].new or "").splitlines()
            selected = git_excluded(root, lines, paths)
            if (
                name == ".aiexclude"
                and plans[name].new is not None
                and not any(is_pattern(x) for x in lines)
            ):
                selected = set(paths)  # Gemini: an .aiexclude without patterns excludes everything
            assert expected <= selected, (name, sorted(expected - selected), lines)
            if exact and (name != ".aiexclude" or not plans[name].dropped):
                assert selected == expected, (name, sorted(selected - expected), lines)
        if plans[".claude/settings.json"].new:
            read = claude_patterns(plans[".claude/settings.json"].new, "Read")
            assert expected <= git_excluded(root, read, paths)


def test_git_check_ignore_helper_can_tell_negations(make_repo):
    root = make_repo({"a/x": "1", "a/y": "2"})
    assert git_excluded(root, ["/a/**", "!/a/y"], ["a/x", "a/y"]) == {"a/x"}
    assert git(root, "status", "--porcelain") == ""
