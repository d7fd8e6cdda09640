"""The CI integrations, run for real: the pre-commit hook manifest and the GitHub Actions workflow.

The workflow's ``run:`` steps are executed in order in a real clone (full depth, an origin that
holds ``refs/notes/ai``), with GitHub's ``if:`` semantics; ``uses:`` steps are checked for
their inputs, and the SARIF file handed to ``upload-sarif`` is validated against the schema.
The install step is replaced by the locally installed package (no network in tests).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import GIT_ENV, REPO, git
from test_check import CLAUDE, GEN, append_lines, commit
from test_check_sarif import assert_valid

WORKFLOW = REPO / "examples" / "github-workflow.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
LOCAL_INSTALL = f"{shlex.quote(sys.executable)} -m ringfence --version"


def _env() -> dict:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, **GIT_ENV, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


# ----- pre-commit ----------------------------------------------------------------------------


def test_pre_commit_manifest_runs_the_staged_gate(demo_repo):
    hooks = yaml.safe_load(HOOKS.read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["id"] == "ringfence-check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and "pre-commit" in hook["stages"]

    def run_hook() -> (
        subprocess.CompletedProcess
    ):  # what pre-commit does: entry + args, in the repo
        argv = shlex.split(hook["entry"]) + hook.get("args", [])
        return subprocess.run(
            argv, cwd=demo_repo, capture_output=True, text=True, env=_env(), timeout=120
        )

    assert run_hook().returncode == 0  # nothing staged
    start, _ = append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    append_lines(demo_repo, "app/main.py", "unrelated = 1\n")
    git(demo_repo, "add", "app/main.py")
    assert run_hook().returncode == 0  # the staged file is clean
    append_lines(demo_repo, GEN, "human = 2\n")
    git(demo_repo, "add", GEN)
    done = run_hook()
    assert done.returncode == 1 and f"{start}  " in done.stdout and "RF010" in done.stdout


# ----- GitHub Actions --------------------------------------------------------------------------


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the bare key `on` as true
    return data


def test_workflow_shape():
    flow = load_workflow()
    assert set(flow["on"]) == {"pull_request", "push"}
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["ringfence"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any("refs/notes/ai:refs/notes/ai" in s.get("run", "") for s in steps)
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["if"] == "always()"
    produced = [
        re.search(r">\s*(\S+\.sarif)", s["run"])
        for s in steps
        if "--format sarif" in s.get("run", "")
    ]
    assert produced and produced[0].group(1) == upload["with"]["sarif_file"]
    assert steps.index(checkout) < steps.index(upload)


def test_docs_embed_the_workflow():
    docs = (REPO / "docs" / "ci.md").read_text()
    assert WORKFLOW.read_text().split("\n", 3)[3].strip() in docs  # past the header comment


def run_workflow(workdir: Path) -> tuple[list[tuple[str, int | None]], str]:
    """Run the workflow's steps like a runner: ``bash -e``, success()/failure()/always()."""
    failed = False
    ran: list[tuple[str, int | None]] = []
    log = ""
    for step in load_workflow()["jobs"]["ringfence"]["steps"]:
        name = step.get("name") or step.get("uses")
        condition = step.get("if", "success()")
        if not {"success()": not failed, "failure()": failed, "always()": True}[condition]:
            ran.append((name, None))
            continue
        if "uses" in step:
            ran.append((name, 0))
            continue
        script = step["run"].replace("pip install ringfence", LOCAL_INSTALL)
        script = re.sub(r"(?m)^ringfence ", f"{shlex.quote(sys.executable)} -m ringfence ", script)
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=workdir,
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
        log += done.stdout + done.stderr
        ran.append((name, done.returncode))
        failed = failed or done.returncode != 0
    return ran, log


def _origin_with_history(demo_repo: Path, tmp_path: Path) -> tuple[Path, int]:
    start, _ = append_lines(demo_repo, GEN, "ai = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    noted_line, _ = append_lines(demo_repo, "serving/tokenizer.py", "noted = 1\n")
    sha = commit(demo_repo, {}, "no trailer")
    git(
        demo_repo,
        "notes",
        "--ref=ai",
        "add",
        "-m",
        f"serving/tokenizer.py\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb {noted_line}\n---\n"
        '{"sessions": {"s_aaaaaaaaaaaaaa": {"agent_id": {"tool": "codex", "model": "gpt-5"}}}}',
        sha,
    )
    commit(demo_repo, {"README.md": "later\n"}, "later")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(demo_repo), str(origin))
    git(demo_repo, "push", "-q", str(origin), "refs/notes/ai")
    return origin, start


def test_workflow_steps_run_locally_and_upload_valid_sarif(demo_repo, tmp_path):
    origin, start = _origin_with_history(demo_repo, tmp_path)
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", f"file://{origin}", str(checkout))  # fetch-depth: 0 = a full clone
    ran, log = run_workflow(checkout)
    status = dict(ran)
    assert status["Fetch git-ai authorship notes"] == 0
    assert status["Install ringfence"] == 0
    assert status["ringfence check"] == 1  # the gate fails the job ...
    assert status["Show the findings in the log"] == 0 and "RF010" in log
    assert status["Upload to code scanning"] == 0  # ... and the upload still runs
    sarif = json.loads((checkout / "ringfence.sarif").read_text())
    assert_valid(sarif)
    found = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for r in sarif["runs"][0]["results"]
    }
    assert found == {
        (GEN, "RF010"),
        ("serving/tokenizer.py", "RF010"),
    }  # the note came through the fetch
    assert sarif["runs"][0]["invocations"][0]["properties"]["partial"] is False


def test_workflow_on_a_clean_repository_without_notes(demo_repo, tmp_path):
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(demo_repo), str(origin))
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", f"file://{origin}", str(checkout))
    ran, log = run_workflow(checkout)
    status = dict(ran)
    assert status["Fetch git-ai authorship notes"] == 0 and "no refs/notes/ai on origin" in log
    assert status["ringfence check"] == 0 and status["Show the findings in the log"] is None
    sarif = json.loads((checkout / "ringfence.sarif").read_text())
    assert_valid(sarif)
    assert sarif["runs"][0]["results"] == []
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("no refs/notes/ai in this clone" in n["message"]["text"] for n in notes)
