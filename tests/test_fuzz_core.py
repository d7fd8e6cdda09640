"""Property and fuzz tests of the pure core's input surfaces: policy files, markers, patches, the
journal, Agent Trace records and git-ai notes.

Invariants: nothing raises but the documented one-line error types; every policy error is one
``FILE:LINE:COL: message`` line; a malformed policy never makes a decision *less* strict (every
path under a broken policy file is at least ``internal``); markers only raise; every path a
patch names is seen; the journal reader returns every whole line and no torn one.
Budgets: ``fuzz.budget`` (HYPOTHESIS_PROFILE=release for the long run).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import DEMO, init_repo
from fuzz import budget
from ringfence.errors import RingfenceError
from ringfence.evidence.journal import JournalEvent, append_event, journal_path, read_events
from ringfence.evidence.notes import parse_note
from ringfence.hooks.events import MalformedEvent
from ringfence.hooks.patch import parse_patch
from ringfence.policy import Policy
from ringfence.provenance.trace import TRACE_FILE, append_record, make_record, read_ranges

ERROR_LINE = re.compile(r"^[^\n]+:\d+:\d+: [^\n]+$")
PROBES = [
    "evals/x.py",
    "training/datagen/gen.py",
    "serving/api.py",
    "docs/a.md",
    "docs/generated/b.md",
    "app/main.py",
    "notes/n.txt",
    "README.md",
]
DEMO_POLICY = (DEMO / ".ringfence.toml").read_text()


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "demo"
    shutil.copytree(DEMO, root)
    return init_repo(root)


def _policy_with(repo, relpath: str, data: bytes) -> Policy:
    (repo / relpath).write_bytes(data)
    return Policy(repo, use_user_config=False)


def _assert_fails_closed(policy: Policy, probes) -> None:
    for error in policy.errors:
        assert ERROR_LINE.match(str(error)), str(error)
    for path in probes:
        decision = policy.classify(path, cwd=policy.root)
        if policy.errors:
            assert decision.level.rank >= 20, (
                path,
                decision.level.name,
                [str(e) for e in policy.errors],
            )


# ----- the policy loader ---------------------------------------------------------------------


@budget(150)
@given(data=st.binary(max_size=400))
def test_root_policy_of_arbitrary_bytes_fails_closed(repo, data):
    policy = _policy_with(repo, ".ringfence.toml", data)
    _assert_fails_closed(policy, PROBES)


TOKENS = [
    '"human-only"',
    '"open"',
    '"nope"',
    "true",
    "1",
    "-1",
    "[]",
    "{}",
    '"**"',
    '"../x"',
    '"!evals/**"',
    '""',
    '"evals/**"',
    "[[zone]]",
    "[levels.x]",
    "rank = 5",
    'level = "open"',
    "locked = false",
    '"\\u0000"',
    "'''",
    "1e400",
    "é = 1",
    "version = 2",
]


@st.composite
def mutated_policy(draw):
    """The demo policy with lines dropped, duplicated, or with their value swapped for a token."""
    lines = DEMO_POLICY.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "value", "insert"]))
        if action == "drop":
            del lines[at]
        elif action == "dup":
            lines.insert(at, lines[at])
        elif action == "value" and "=" in lines[at]:
            lines[at] = lines[at].split("=", 1)[0] + "= " + draw(st.sampled_from(TOKENS))
        else:
            lines.insert(at, draw(st.sampled_from(TOKENS)))
    return "\n".join(lines) + "\n"


@budget(150)
@given(text=mutated_policy())
def test_mutated_root_policy_is_valid_or_fails_closed(repo, text):
    policy = _policy_with(repo, ".ringfence.toml", text.encode())
    _assert_fails_closed(policy, PROBES)
    if not policy.errors and '"human-only"' not in text.replace('level = "human-only"', ""):
        # still valid and the training-data zone untouched: its paths stay human-only
        if 'path = ["training/datagen/**", "evals/**"]' in text and text.count("[[zone]]") == 3:
            assert policy.classify("evals/x.py", cwd=policy.root).level.name in ("human-only",)


@budget(100)
@given(data=st.one_of(st.binary(max_size=300), mutated_policy().map(str.encode)))
def test_nested_policy_of_arbitrary_bytes_fails_closed_below_it(repo, data):
    (repo / ".ringfence.toml").write_text(DEMO_POLICY)
    policy = _policy_with(repo, "docs/.ringfence.toml", data)
    _assert_fails_closed(policy, ["docs/generated/b.md", "docs/a.md"])
    assert (
        policy.classify("evals/x.py", cwd=policy.root).level.name == "human-only"
    )  # a broken nested file never lowers a floor


# ----- markers -------------------------------------------------------------------------------

MARKER_LINES = [
    "# ringfence: begin human-only",
    "# ringfence: begin internal",
    "# ringfence: begin open",
    "# ringfence: end",
    "# ringfence: open",
    "# ringfence: internal",
    "# ringfence: begin nope",
    "# ringfence: ai-begin tool=copilot",
    "# ringfence: ai-end",
    's = "# ringfence: open"',
    "x = 1",
    '"""',
    "    # ringfence: end",
    "#ringfence:begin tagged",
]
marker_texts = st.lists(st.one_of(st.sampled_from(MARKER_LINES), st.text(max_size=30)), max_size=30)


@budget(200)
@given(
    lines=marker_texts,
    path=st.sampled_from(["app/x.py", "evals/x.py", "serving/y.py", "docs/z.md"]),
)
def test_markers_only_raise_and_stay_in_bounds(repo, lines, path):
    (repo / ".ringfence.toml").write_text(DEMO_POLICY)
    policy = Policy(repo, use_user_config=False)
    text = "\n".join(lines) + "\n"
    base = policy.classify(path, cwd=policy.root).level
    view = policy.view(path, cwd=policy.root, content=text)
    assert view.decision.level.rank >= base.rank
    count = text.count("\n")
    for region in view.markers.regions:
        assert 0 <= region.start <= region.end <= count
    for line in range(count):
        assert view.level_at(line).rank >= view.decision.level.rank


@budget(100)
@given(rest=marker_texts)
def test_a_header_marker_holds_whatever_follows(repo, rest):
    (repo / ".ringfence.toml").write_text(DEMO_POLICY)
    policy = Policy(repo, use_user_config=False)
    text = "\n".join(["# ringfence: human-only", *rest]) + "\n"
    view = policy.view("app/x.py", cwd=policy.root, content=text)
    assert view.decision.level.name == "human-only"
    assert all(view.level_at(n).name == "human-only" for n in range(text.count("\n")))


# ----- Codex patches -------------------------------------------------------------------------

PATCH_LINES = [
    "*** Add File: evals/a.py",
    "*** Update File: app/b.py",
    "*** Delete File: serving/c.py",
    "*** Move to: evals/d.py",
    "@@",
    "+added",
    "-removed",
    " context",
    "*** End of File",
    "",
    "*** Add File: ",
    "*** Update File:  spaced.py  ",
    "  *** Add File: evals/indented.py",
]


@budget(300)
@given(
    lines=st.lists(st.one_of(st.sampled_from(PATCH_LINES), st.text(max_size=20)), max_size=25),
    begin=st.booleans(),
    crlf=st.booleans(),
)
def test_patch_parser_sees_every_named_path_or_refuses(lines, begin, crlf):
    text = "\n".join((["*** Begin Patch"] if begin else []) + lines + ["*** End Patch"])
    if crlf:
        text = text.replace("\n", "\r\n")
    try:
        files = parse_patch(text)
    except MalformedEvent as exc:
        assert "\n" not in str(exc)
        return
    seen = {f.path for f in files} | {f.move_to for f in files if f.move_to}
    for line in lines:
        stripped = line.strip()
        for header in ("*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "):
            if stripped.startswith(header) and stripped[len(header) :].strip():
                assert stripped[len(header) :].strip() in seen, (line, seen)


# ----- the journal ---------------------------------------------------------------------------


def _event(n: int) -> dict:
    return {
        "time": "2026-01-01T00:00:00Z",
        "event": "edit",
        "agent": "codex",
        "session": f"s{n}",
        "model": "",
        "path": f"evals/f{n}.py",
        "ranges": [[1, n + 1]],
        "hashes": ["sha256:" + "0" * 64],
        "decision": "logged",
        "source": "agent",
        "state": "untagged",
        "note": "",
    }


@budget(100)
@given(
    plan=st.lists(
        st.one_of(
            st.integers(0, 50), st.binary(max_size=40).map(lambda b: b"#" + b.replace(b"\n", b""))
        ),
        max_size=20,
    ),
    cut=st.integers(1, 30),
)
def test_journal_reader_returns_every_whole_line_and_no_torn_one(tmp_path_factory, plan, cut):
    root = tmp_path_factory.mktemp("journal")  # no git: the journal lives in .ringfence/
    journal_path(root).parent.mkdir(parents=True, exist_ok=True)
    expected = []
    for item in plan:
        if isinstance(item, int):
            expected.append(append_event(root, JournalEvent.from_dict(_event(item))))
        else:
            with open(journal_path(root), "ab") as handle:
                handle.write(item + b"\n")
    events, offset, skipped = read_events(root)
    assert events == expected and len(skipped) == sum(1 for i in plan if not isinstance(i, int))
    # a line still being written is left for the next read, then read whole
    line = (json.dumps(_event(99)) + "\n").encode()
    with open(journal_path(root), "ab") as handle:
        handle.write(line[:cut])
    assert read_events(root, offset)[0] == [] and read_events(root, offset)[1] == offset
    with open(journal_path(root), "ab") as handle:
        handle.write(line[cut:])
    tail, end, _ = read_events(root, offset)
    assert tail == [JournalEvent.from_dict(_event(99))] and end == journal_path(root).stat().st_size


# ----- Agent Trace records and git-ai notes --------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "files",
                    "path",
                    "conversations",
                    "contributor",
                    "type",
                    "ranges",
                    "start_line",
                    "end_line",
                    "metadata",
                    "dev.ringfence",
                    "model_id",
                    "ai",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=15,
)


@budget(100)
@given(junk=st.lists(st.one_of(json_values.map(json.dumps), st.text(max_size=40)), max_size=8))
def test_trace_reader_keeps_valid_records_among_junk(tmp_path_factory, junk):
    root = tmp_path_factory.mktemp("trace")
    good = make_record(root, "evals/x.py", [(3, 5, "sha256:" + "1" * 64)], tool="codex")
    (root / TRACE_FILE).parent.mkdir(parents=True, exist_ok=True)
    with open(root / TRACE_FILE, "w", encoding="utf-8") as handle:
        handle.write("".join(line.replace("\n", " ") + "\n" for line in junk))
    append_record(root, good)
    ranges = list(read_ranges(root))
    assert all(
        isinstance(r.start_line, int) and isinstance(r.end_line, int) and isinstance(r.path, str)
        for r in ranges
    )
    assert any(
        (r.path, r.start_line, r.end_line, r.tool) == ("evals/x.py", 3, 5, "codex") for r in ranges
    )


NOTE_LINES = [
    "evals/x.py",
    '"evals/\\303\\251.py"',
    "  abcd1234 1-3,7",
    "  h_123 4",
    "  s_1 0-2",
    "  bad",
    "---",
    '{"schema_version": "authorship/3.0.0", '
    '"sessions": {"abcd1234": {"agent_id": {"tool": "claude"}}}}',
    "{not json",
    "  abcd1234 5-2",
    "",
]


@budget(200)
@given(lines=st.lists(st.one_of(st.sampled_from(NOTE_LINES), st.text(max_size=20)), max_size=12))
def test_note_parser_returns_ranges_or_one_line_error(lines):
    try:
        files, problems = parse_note("\n".join(lines))
    except RingfenceError as exc:
        assert "\n" not in str(exc)
        return
    for ranges in files.values():
        assert ranges and all(1 <= r.start <= r.end for r in ranges)
    assert all("\n" not in p for p in problems)
