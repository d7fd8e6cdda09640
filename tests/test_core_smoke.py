"""End-to-end smoke checks of the policy core through the real CLI on the demo repository."""

import json

from conftest import run_cli


def test_explain_demo_levels(demo_repo):
    done = run_cli(
        "explain",
        "--json",
        "training/datagen/generate.py",
        "serving/tokenizer.py",
        "docs/guide.md",
        "docs/generated/api.md",
        "app/main.py",
        "app/secrets_loader.py",
        "notes/todo.md",
        cwd=demo_repo,
    )
    assert done.returncode == 0, done.stderr
    rows = {r["path"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert {p: r["level"] for p, r in rows.items()} == {
        "training/datagen/generate.py": "human-only",
        "serving/tokenizer.py": "internal",
        "docs/guide.md": "tagged",
        "docs/generated/api.md": "open",
        "app/main.py": "open",
        "app/secrets_loader.py": "internal",
        "notes/todo.md": "internal",
    }
    assert rows["training/datagen/generate.py"]["rule"] == ".ringfence.toml:17"
    assert rows["app/secrets_loader.py"]["source"] == "marker"
    assert rows["notes/todo.md"]["source"] == "import"
    assert rows["notes/todo.md"]["exists"] is False


def test_broken_policy_is_one_line_and_exit_2(make_repo):
    repo = make_repo(
        {".ringfence.toml": 'version = 1\n[[zone]]\nname = "x"\npath = "a/**"\nlevl = "open"\n'}
    )
    done = run_cli("explain", "a/b.py", cwd=repo)
    assert done.returncode == 2
    assert (
        "ringfence: .ringfence.toml:5:1: unknown key 'levl' in [[zone]] (did you mean 'level'?)"
        in done.stderr
    )
    assert "Traceback" not in done.stderr
