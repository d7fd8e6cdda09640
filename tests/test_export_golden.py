"""Golden files: every writer's output for the demo policy and for policies with carve-outs,
nested files, locked floors, imported ignore files, header markers and ``ignore-case``.

A golden file is named after its export (``.claude/settings.json`` -> ``claude_settings.json``).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from conftest import run_cli
from ringfence.export.targets import TARGETS

GOLDEN = Path(__file__).parent / "golden" / "export"

CASES: dict[str, dict[str, str]] = {
    "carveouts": {
        ".ringfence.toml": (
            "version = 1\n\n"
            '[[zone]]\nname = "secrets"\npath = ["secret/", "*.pem"]\nlevel = "internal"\n'
            "locked = true\n\n"
            '[[zone]]\nname = "public-secrets"\npath = "secret/public/**"\nlevel = "open"\n\n'
            '[[zone]]\nname = "vendor"\npath = "vendor/**"\nlevel = "human-only"\n\n'
            '[[zone]]\nname = "vendor-readmes"\npath = "vendor/**/README.md"\nlevel = "tagged"\n'
        ),
        "services/.ringfence.toml": (
            "version = 1\n\n"
            '[[zone]]\nname = "keys"\npath = "keys/**"\nlevel = "human-only"\n\n'
            '[[zone]]\nname = "key-examples"\npath = "keys/examples/**"\nlevel = "open"\n\n'
            '[[zone]]\nname = "certs"\npath = "certs/*.pem"\nlevel = "open"\n'
        ),
        "data/.aiexclude": "",
        ".cursorignore": "# scratch space\nscratch/\n!scratch/keep.md\n",
        "tools/release.sh": (
            '#!/bin/sh\n# ringfence: human-only reason="Release signing."\necho release\n'
        ),
        "src/main.py": "print('hi')\n",
    },
    "ignorecase": {
        ".ringfence.toml": (
            "version = 1\nignore-case = true\n\n"
            '[[zone]]\nname = "models"\npath = "Models/**"\nlevel = "internal"\n\n'
            '[[zone]]\nname = "model-card"\npath = "Models/README.md"\nlevel = "open"\n'
        ),
        "models/weights.py": "w = 1\n",
    },
}


def golden_name(export_path: str) -> str:
    return export_path.lstrip(".").replace("/", "_")


def exported_case(name: str, demo_repo: Path, make_repo) -> tuple[Path, str]:
    root = demo_repo if name == "demo" else make_repo(CASES[name])
    done = run_cli("export", cwd=root)
    assert done.returncode == 0, done.stderr
    return root, done.stderr


@pytest.mark.parametrize("case", ["demo", *CASES])
def test_every_writer_matches_its_golden_file(case, demo_repo, make_repo):
    root, _ = exported_case(case, demo_repo, make_repo)
    expected_dir = GOLDEN / case
    for target in TARGETS:
        golden = expected_dir / golden_name(target.path)
        produced = root / target.path
        if not golden.exists():
            assert not produced.exists(), f"{target.path} was written but has no golden file"
            continue
        want = golden.read_text(encoding="utf-8")
        got = produced.read_text(encoding="utf-8")
        diff = "".join(
            difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "export")
        )
        assert got == want, f"{case}: {target.path} differs from its golden file:\n{diff}"


@pytest.mark.parametrize("case", ["demo", *CASES])
def test_warnings_match_their_golden_file(case, demo_repo, make_repo):
    _, stderr = exported_case(case, demo_repo, make_repo)
    assert stderr == (GOLDEN / case / "warnings.txt").read_text(encoding="utf-8")


def test_the_carveouts_case_warns_about_every_inexact_rule(demo_repo, make_repo):
    _, stderr = exported_case("carveouts", demo_repo, make_repo)
    assert ".ringfence.toml:9: zone 'public-secrets' (open) re-opens /secret/public/**" in stderr
    assert ".cursorignore:3: '!scratch/keep.md' re-includes paths" in stderr
    assert "certs" not in stderr  # below the locked floor: the policy itself ignores it (RF101)
