"""``ringfence explain`` and ``ringfence init`` through the real CLI (docs/policy.md,
"ringfence explain"; docs/cli.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import RINGFENCE, run_cli

FIELDS = ["path", "level", "zone", "reason", "owner", "source", "rule", "exists"]


def run_bytes(*args: str, cwd, stdin: bytes):
    return subprocess.run(
        [*RINGFENCE, *args], cwd=cwd, input=stdin, capture_output=True, timeout=120
    )


def test_json_fields_per_spec(demo_repo):
    done = run_cli(
        "explain",
        "--json",
        "training/datagen/generate.py",
        "evals",
        "docs/guide.md",
        "notes/x.md",
        "app/main.py",
        cwd=demo_repo,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [list(r) for r in rows] == [FIELDS] * 5
    training, evals, docs, notes, app = rows
    assert training == {
        "path": "training/datagen/generate.py",
        "level": "human-only",
        "zone": "training-data",
        "reason": (
            "Training and eval data must be handwritten: distillation risk and provider terms."
        ),
        "owner": "@ml-data-governance",
        "source": "zone",
        "rule": ".ringfence.toml:17",
        "exists": True,
    }
    assert (evals["level"], evals["exists"]) == ("human-only", True)  # a directory
    assert (docs["level"], docs["rule"]) == ("tagged", ".ringfence.toml:32")
    assert (notes["source"], notes["rule"], notes["exists"]) == ("import", ".cursorignore:2", False)
    assert (app["level"], app["source"], app["rule"], app["zone"], app["reason"]) == (
        "open",
        "default",
        None,
        None,
        None,
    )


def test_text_output(demo_repo):
    done = run_cli("explain", "app/secrets_loader.py", "serving/new.py", cwd=demo_repo)
    assert done.returncode == 0
    assert "app/secrets_loader.py: internal\n" in done.stdout
    assert "  rule    app/secrets_loader.py:1 (marker)" in done.stdout
    assert "serving/new.py: internal\n  zone    model-serving\n" in done.stdout
    assert "  note    the path does not exist; classified by its path alone" in done.stdout
    assert (
        "  allows  external AI edits: deny; in-house AI edits: tag; external AI context: deny"
        in done.stdout
    )


def test_stdin_batch_equals_one_path_at_a_time(demo_repo):
    paths = [
        line
        for line in subprocess.run(
            ["git", "ls-files"], cwd=demo_repo, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    ]
    paths += [
        "training",
        "docs/generated/new.md",
        "notes/a/b.md",
        "./serving//x.py",
        "app/../evals/x",
    ]
    batch = run_cli("explain", "--json", "--stdin", cwd=demo_repo, stdin="\n".join(paths) + "\n")
    single = run_cli("explain", "--json", *paths, cwd=demo_repo)
    assert batch.returncode == single.returncode == 0
    assert batch.stdout == single.stdout
    assert len(batch.stdout.splitlines()) == len(paths)


def test_stdin_odd_input(demo_repo):
    data = (
        b"\n\ntraining/datagen/generate.py\r\napp/main.py\0docs/guide.md\0\0\n"
        b"serving/caf\xe9.py\n\n"
    )
    done = run_bytes("explain", "--json", "--stdin", cwd=demo_repo, stdin=data)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [(r["path"][:8], r["level"]) for r in rows] == [
        ("training", "human-only"),
        ("app/main", "open"),
        ("docs/gui", "tagged"),
        ("serving/", "internal"),
    ]
    assert b"not UTF-8" in done.stderr and b"Traceback" not in done.stderr


def test_paths_that_need_json_escapes(demo_repo):
    names = ['docs/quote".md', "docs/back\\slash.md", "docs/tab\there.md", "docs/ünï.md"]
    done = run_cli("explain", "--json", "--stdin", cwd=demo_repo, stdin="\n".join(names) + "\n")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["path"] for r in rows] == names
    assert [r["level"] for r in rows] == ["tagged"] * 4


def test_arguments_and_stdin_together_and_root_option(demo_repo, tmp_path):
    done = run_cli(
        "explain",
        "--json",
        "--root",
        str(demo_repo),
        "app/main.py",
        "--stdin",
        cwd=tmp_path,
        stdin="evals/cases.jsonl\n",
    )
    assert [json.loads(line)["level"] for line in done.stdout.splitlines()] == [
        "open",
        "human-only",
    ]


def test_usage_errors_are_one_line(demo_repo, tmp_path):
    none = run_cli("explain", cwd=demo_repo)
    assert (none.returncode, none.stderr) == (2, "ringfence: give one or more paths, or --stdin\n")
    bad_root = run_cli("explain", "--root", str(tmp_path / "missing"), "x", cwd=demo_repo)
    assert (
        bad_root.returncode == 2
        and bad_root.stderr.count("\n") == 1
        and "not a directory" in bad_root.stderr
    )


def test_policy_error_exit_2_after_answering(make_repo):
    root = make_repo({".ringfence.toml": "version = 1\n[import]\nlevel = 7\n"})
    done = run_cli("explain", "--json", "--stdin", cwd=root, stdin="a.py\nb.py\n")
    assert done.returncode == 2
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["level"], "error" in r) for r in rows] == [("internal", True), ("internal", True)]
    assert done.stderr == "ringfence: .ringfence.toml:3:1: import.level must be a string, not int\n"


def test_empty_aiexclude_rule_is_the_file_alone(make_repo):
    root = make_repo({"vendor/.aiexclude": "", "README.md": "r\n"})
    done = run_cli("explain", "--json", "vendor/lib/a.js", "README.md", cwd=root)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["level"], r["rule"]) for r in rows] == [
        ("internal", "vendor/.aiexclude"),
        ("open", None),
    ]


def test_python_dash_m(demo_repo):
    done = subprocess.run(
        [sys.executable, "-m", "ringfence", "explain", "--json", "evals/cases.jsonl"],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(done.stdout)["level"] == "human-only"


# ----- init ---------------------------------------------------------------------------------------


def test_init_writes_a_valid_starter_at_the_root(make_repo):
    root = make_repo({"src/app.py": "x\n"})
    done = run_cli("init", cwd=root / "src")
    assert done.returncode == 0, done.stderr
    assert (
        root / ".ringfence.toml"
    ).is_file() and f"wrote {root / '.ringfence.toml'}" in done.stdout
    check = run_cli("explain", "--json", "src/app.py", cwd=root)
    assert check.returncode == 0 and json.loads(check.stdout)["level"] == "open"


def test_init_never_overwrites_silently(make_repo):
    root = make_repo({".ringfence.toml": "version = 1\n# mine\n"})
    done = run_cli("init", cwd=root)
    assert done.returncode == 2 and "already exists (use --force" in done.stderr
    assert (root / ".ringfence.toml").read_text() == "version = 1\n# mine\n"
    forced = run_cli("init", "--force", cwd=root)
    assert forced.returncode == 0 and "# mine" not in (root / ".ringfence.toml").read_text()


def test_init_respects_pyproject_policy_and_odd_targets(make_repo, tmp_path):
    root = make_repo(
        {"pyproject.toml": '[project]\nname = "x"\n\n[[tool.ringfence.zone]]\nname = "z"\n'}
    )
    done = run_cli("init", cwd=root)
    assert done.returncode == 2 and "already holds [tool.ringfence]" in done.stderr
    unrelated = make_repo({"pyproject.toml": '[project]\nname = "ringfence-user"\n'})
    assert run_cli("init", cwd=unrelated).returncode == 0
    odd = make_repo({".ringfence.toml/x": "a directory"})
    done = run_cli("init", "--force", cwd=odd)
    assert (
        done.returncode == 2 and "is a directory" in done.stderr and "Traceback" not in done.stderr
    )
    plain = tmp_path / "not-a-repo"
    plain.mkdir()
    assert run_cli("init", "--root", str(plain), cwd=tmp_path).returncode == 0
    assert (plain / ".ringfence.toml").is_file()
    read_only = tmp_path / "ro"
    read_only.mkdir()
    os.chmod(read_only, 0o500)
    try:
        done = run_cli("init", "--root", str(read_only), cwd=tmp_path)
        if os.geteuid() != 0:  # root may write anyway
            assert done.returncode == 2 and "cannot write" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        os.chmod(read_only, 0o700)
