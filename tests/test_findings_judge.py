"""The one judgement (``ringfence.findings``), pure: a real policy on disk, no server, no git run.

Every face (language server, ``ringfence check``, SARIF, the demo) shows what these functions
return, so the codes, severities, messages and deciding rules are pinned here once.
"""

from __future__ import annotations

import pytest

from ringfence.findings import CODES, SEVERITY, Subject, file_place, history_origin, judge, pieces
from ringfence.findings.place import place_of
from ringfence.policy import Policy

POLICY = """version = 1
inhouse-tools = ["metacode"]

[[zone]]
name = "data"
path = "data/**"
level = "human-only"
reason = "Handwritten data only."
owner = "@data"

[[zone]]
name = "docs"
path = "docs/**"
level = "tagged"
reason = "Tag AI text."

[[zone]]
name = "src"
path = "src/**"
level = "internal"
reason = "Vendor code."
tools.allow = ["copilot"]
tools.level = { copilot = "tagged" }
"""

LIB = "a = 1\n# ringfence: begin human-only reason=hand-tuned\nb = 2\n# ringfence: end\nc = 3\n"


@pytest.fixture
def policy(make_repo) -> Policy:
    root = make_repo(
        {
            ".ringfence.toml": POLICY,
            "data/x.py": "x = 1\n",
            "docs/a.md": "text\n",
            "src/app.py": "a = 1\n",
            "lib.py": LIB,
        }
    )
    return Policy(root)


def at(policy: Policy, rel: str, subject: Subject, first: int = 1, last: int = 1):
    view = policy.view(f"{policy.root}/{rel}")
    return judge(policy, view.decision, place_of(view, first, last), subject)


def test_every_code_has_one_severity_and_rf010_is_an_error():
    assert SEVERITY == {
        "RF001": "error",
        "RF003": "error",
        "RF010": "error",
        "RF002": "warning",
        "RF005": "warning",
    }
    assert set(CODES) == set(SEVERITY)


def test_external_edit_in_a_deny_zone_is_rf001_decided_by_the_zone(policy):
    found = at(policy, "data/x.py", Subject("claude-code", lines=1))
    assert found is not None
    assert (found.code, found.severity, found.decided_by, found.rule) == (
        "RF001",
        "error",
        "zone",
        ".ringfence.toml:4",
    )
    assert (
        found.message == "AI edit (claude-code) in human-only zone 'data': Handwritten data only."
    )
    assert found.permission == "deny" and found.tool_rule == ""


def test_tags_and_reviews_never_clear_a_deny(policy):
    for state in ("tagged", "reviewed"):
        found = at(policy, "data/x.py", Subject("copilot", state=state))
        assert found is not None and found.code == "RF001"


def test_inhouse_tool_where_inhouse_edits_are_denied_is_rf003(policy):
    found = at(policy, "data/x.py", Subject("metacode"))
    assert found is not None and (found.code, found.severity) == ("RF003", "error")
    assert found.message.startswith("In-house AI edit (metacode) in human-only zone 'data'")


def test_tag_zone_wants_provenance_once(policy):
    found = at(policy, "docs/a.md", Subject("copilot"))
    assert found is not None and (found.code, found.severity, found.permission) == (
        "RF002",
        "warning",
        "tag",
    )
    assert (
        found.message == "AI edit (copilot) without provenance in tagged zone 'docs': Tag AI text."
    )
    assert at(policy, "docs/a.md", Subject("copilot", state="tagged")) is None
    assert at(policy, "docs/a.md", Subject("copilot", state="reviewed")) is None


def test_heuristic_guess_is_rf005_in_deny_and_tag_zones(policy):
    deny = at(policy, "data/x.py", Subject("unknown", source="heuristic", lines=3))
    tag = at(policy, "docs/a.md", Subject("unknown", source="heuristic", lines=1))
    assert deny is not None and tag is not None
    assert (deny.code, deny.severity, tag.code, tag.severity) == (
        "RF005",
        "warning",
        "RF005",
        "warning",
    )
    assert deny.message.startswith(
        "Possible AI edit (3 lines inserted at once, origin not reported) in human-only zone"
    )
    assert tag.message.startswith("Possible AI edit (1 line inserted at once,")


def test_history_in_a_deny_zone_is_rf010_naming_commit_and_model(policy):
    origin = history_origin("trailer", "0123456789abcdef", "Co-Authored-By: Claude")
    found = at(policy, "data/x.py", Subject("claude-code", "opus", "history", origin=origin))
    assert found is not None and (found.code, found.severity) == ("RF010", "error")
    assert found.message == (
        "AI-authored lines from history (claude-code, opus; commit 0123456789ab: "
        "Co-Authored-By: Claude) in human-only zone 'data': Handwritten data only."
    )
    assert history_origin("note", "fedcba9876543210", "") == "git-ai note on commit fedcba987654"


def test_open_path_and_approved_tool_get_nothing(policy):
    assert at(policy, "lib.py", Subject("claude-code")) is None  # the default level is open
    tagged = at(policy, "src/app.py", Subject("copilot"))  # tools.level lowers copilot to tagged
    assert tagged is not None and tagged.code == "RF002"
    assert tagged.tool_rule.startswith("tools.level copilot = 'tagged'")


def test_tool_rule_is_named_between_place_and_reason(policy):
    found = at(policy, "src/app.py", Subject("claude-code", "sonnet"))
    assert found is not None and found.code == "RF001"
    assert found.message == (
        "AI edit (claude-code) in internal zone 'src' [claude-code is not in tools.allow "
        "(copilot) (.ringfence.toml:17)]: Vendor code."
    )


def test_region_marker_decides_its_lines_and_pieces_split_there(policy):
    view = policy.view(f"{policy.root}/lib.py")
    split = [(a, b, p.kind, p.level.name) for a, b, p in pieces(view, 1, 5)]
    assert split == [
        (1, 1, "default", "open"),
        (2, 4, "region", "human-only"),
        (5, 5, "default", "open"),
    ]
    inside = at(policy, "lib.py", Subject("codex"), 3, 3)
    assert inside is not None
    assert (inside.code, inside.decided_by, inside.rule) == ("RF001", "region", "lib.py:2")
    assert inside.message == "AI edit (codex) in human-only region (marked at line 2): hand-tuned"
    assert at(policy, "lib.py", Subject("codex"), 5, 5) is None


def test_the_default_level_is_worded_one_way(make_repo):
    root = make_repo({".ringfence.toml": 'version = 1\ndefault = "internal"\n', "a.py": "a\n"})
    policy = Policy(root)
    view = policy.view(f"{root}/a.py")
    place = file_place(view.decision)
    assert (place.kind, place.label, place.rule) == ("default", "path (the default level)", None)
    found = judge(policy, view.decision, place, Subject("cursor"))
    assert found is not None and found.message.startswith(
        "AI edit (cursor) in internal path (the default level)"
    )


def test_moved_records_say_so(policy):
    moved = at(policy, "data/x.py", Subject("codex", source="agent", matched=False))
    stale = at(policy, "docs/a.md", Subject("codex", source="trace", matched=False))
    assert moved is not None and moved.message.endswith(
        "[the recorded lines changed after the record; checked at the recorded position]"
    )
    assert stale is not None and stale.message.endswith(
        "[the provenance record no longer matches these lines]"
    )


def test_a_failing_closed_policy_says_so_in_the_message(make_repo):
    root = make_repo({".ringfence.toml": "version = 1\n[[zone]]\nlevl = 1\n", "a.py": "a\n"})
    policy = Policy(root)
    view = policy.view(f"{root}/a.py")
    found = judge(policy, view.decision, file_place(view.decision), Subject("cursor"))
    assert found is not None and found.code == "RF001"
    assert " internal " in found.message and "failing closed" in found.message
