"""``ringfence check --format sarif`` against the official SARIF 2.1.0 schema (a test data file).

``tests/data/sarif-schema-2.1.0.json`` is byte-identical to oasis-tcs/sarif-spec
``Schemata/sarif-schema-2.1.0.json`` (the errata01 schema, id
``https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from conftest import git, run_cli
from ringfence.evidence.journal import journal_path
from test_check import CLAUDE, GEN, _event, _record, append_lines, commit

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def sarif(root: Path, *args: str) -> tuple[int, dict]:
    done = run_cli("check", "--format", "sarif", *args, cwd=root)
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def assert_valid(log: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture
def every_code(demo_repo):
    """A repository with one finding of each code the gate reports."""
    rel = "serving/model_server.py"
    lines = {}
    lines["RF010"] = append_lines(demo_repo, GEN, "history = 1\n")
    lines["RF002"] = append_lines(demo_repo, "docs/guide.md", "untagged docs\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    lines["RF001"] = append_lines(demo_repo, rel, "agent = 1\n")
    _event(demo_repo, rel, *lines["RF001"])
    lines["RF005"] = append_lines(demo_repo, rel, "guess = 1\n")
    _event(demo_repo, rel, *lines["RF005"], event="save", source="heuristic", agent="unknown")
    lines["RF003"] = append_lines(demo_repo, "evals/harness.py", "inhouse = 1\n")
    _record(demo_repo, "evals/harness.py", *lines["RF003"], tool="metacode")
    return demo_repo, lines


def test_sarif_with_every_code_is_valid_and_located(every_code):
    root, lines = every_code
    code, log = sarif(root)
    assert code == 1
    assert_valid(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["RF001", "RF002", "RF003", "RF005", "RF010"]
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    by_code = {r["ruleId"]: r for r in run["results"]}
    assert set(by_code) == set(lines)
    for rule_id, (start, end) in lines.items():
        result = by_code[rule_id]
        assert rules[result["ruleIndex"]]["id"] == rule_id
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] == start
        assert location["region"].get("endLine", start) == end
        assert result["partialFingerprints"]["ringfence/v1"]
    assert by_code["RF010"]["level"] == "error" and by_code["RF002"]["level"] == "warning"
    assert by_code["RF005"]["level"] == "warning" and by_code["RF003"]["level"] == "error"
    related = by_code["RF010"]["relatedLocations"][0]["physicalLocation"]
    assert (
        related["artifactLocation"]["uri"] == ".ringfence.toml"
        and related["region"]["startLine"] == 17
    )
    assert by_code["RF010"]["properties"]["zone"] == "training-data"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == f"file://{root}/"
    assert run["invocations"][0]["properties"]["partial"] is False


def test_schema_validation_can_fail(every_code):
    root, _ = every_code
    _, log = sarif(root)
    broken = copy.deepcopy(log)
    del broken["runs"][0]["results"][0]["message"]
    assert list(VALIDATOR.iter_errors(broken))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(VALIDATOR.iter_errors(broken))


def test_empty_and_partial_runs_are_valid(demo_repo):
    code, log = sarif(demo_repo)
    assert code == 0 and log["runs"][0]["results"] == []
    assert_valid(log)
    path = journal_path(demo_repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("garbage\n")
    git(demo_repo, "notes", "--ref=ai", "add", "-m", "not a note", "HEAD")
    code, log = sarif(demo_repo)
    assert_valid(log)
    invocation = log["runs"][0]["invocations"][0]
    assert (
        invocation["properties"]["partial"] is True
        and log["runs"][0]["properties"]["partial"] is True
    )
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("malformed line(s) in the journal" in t for t in texts)
    assert any("git-ai note" in t for t in texts)
    assert {n["descriptor"]["id"] for n in invocation["toolExecutionNotifications"]} == {
        "partial-results"
    }


def test_uris_are_relative_and_percent_encoded(make_repo):
    root = make_repo(
        {".ringfence.toml": 'version = 1\ndefault = "internal"\n', "dir with space/ä.py": "a\n"}
    )
    commit(root, {"dir with space/ä.py": "b\n"}, f"AI\n\n{CLAUDE}\n")
    code, log = sarif(root)
    assert code == 1
    assert_valid(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri == "dir%20with%20space/%C3%A4.py"
    assert not urlsplit(uri).scheme and not uri.startswith("/")


def test_fingerprints_survive_line_moves(demo_repo):
    append_lines(demo_repo, GEN, "history = 1\n")
    commit(demo_repo, {}, f"AI\n\n{CLAUDE}\n")
    _, before = sarif(demo_repo)
    text = (demo_repo / GEN).read_text()
    commit(demo_repo, {GEN: "# a human line on top\n" + text}, "human")
    _, after = sarif(demo_repo)
    first, second = before["runs"][0]["results"][0], after["runs"][0]["results"][0]
    assert (
        second["locations"][0]["physicalLocation"]["region"]["startLine"]
        == first["locations"][0]["physicalLocation"]["region"]["startLine"] + 1
    )
    assert first["partialFingerprints"] == second["partialFingerprints"]
