"""Diagnostics end to end (docs/protocol.md, "Diagnostic codes"): RF001-RF005 on AI regions,
markers, policy files."""

from __future__ import annotations

import asyncio

import test_lsp_editor
from ringfence.tool_ids import CANONICAL
from test_lsp_editor import start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

ZONE_REASON = "Training and eval data must be handwritten: distillation risk and provider terms."
SNIPPET = "def extra():\n    value = 1\n    return value\n"


def codes(found) -> list[str]:
    return sorted(d.code for d in found)


async def test_rf001_on_exactly_the_inserted_lines(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    assert await ed.diagnostics(uri) == []
    ed.ai_insert(uri, 5, "def extra():\n    return 1\n\n", tool="copilot")
    found = await ed.diagnostics(uri, until=lambda d: d and d[0].code == "RF001")
    assert len(found) == 1
    diagnostic = found[0]
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (5, 0)
    assert (diagnostic.range.end.line, diagnostic.range.end.character) == (7, 0)
    assert diagnostic.severity == 1 and diagnostic.source == "ringfence"
    assert (
        diagnostic.message == f"AI edit (copilot) in human-only zone 'training-data': {ZONE_REASON}"
    )
    related = diagnostic.related_information[0].location
    assert related.uri == ed.uri(".ringfence.toml") and related.range.start.line == 16


async def test_rf002_rf003_and_inhouse_rules_per_level(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    docs = ed.open("docs/guide.md", language_id="markdown")
    training = ed.open("training/datagen/generate.py")
    serving = ed.open("serving/tokenizer.py")
    generated = ed.open("docs/generated/api.md", language_id="markdown")
    ed.ai_insert(docs, 2, "AI line one\nAI line two\n", tool="Copilot")
    ed.ai_insert(training, 0, SNIPPET, tool="metacode")
    ed.ai_insert(serving, 0, SNIPPET, tool="metacode")
    ed.ai_insert(generated, 0, "anything\n", tool="claude")
    (rf002,) = await ed.diagnostics(docs, until=lambda d: d)
    assert (rf002.code, rf002.severity, rf002.range.start.line, rf002.range.end.line) == (
        "RF002",
        2,
        2,
        3,
    )
    assert rf002.message.startswith(
        "AI edit (copilot) without provenance in tagged zone 'docs': AI-written docs"
    )
    (rf003,) = await ed.diagnostics(training, until=lambda d: d)
    assert (rf003.code, rf003.severity) == ("RF003", 1)
    assert rf003.message.startswith(
        "In-house AI edit (metacode) in human-only zone 'training-data'"
    )
    (internal,) = await ed.diagnostics(serving, until=lambda d: d)
    assert (internal.code, internal.severity) == ("RF002", 2)  # internal: in-house edits need a tag
    ed.ai_insert(serving, 0, "import os\n", tool="codex")
    found = await ed.diagnostics(serving, until=lambda d: "RF001" in codes(d))
    assert codes(found) == ["RF001", "RF002"]
    await asyncio.sleep(0.2)
    assert await ed.diagnostics(generated) == []  # open zone: anything goes


async def test_rf005_waits_for_the_grace_period_then_warns(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    await ed.diagnostics(uri)
    started = asyncio.get_running_loop().time()
    version = ed.insert(uri, 3, SNIPPET)
    first = await ed.diagnostics(uri)
    assert first == []  # published at once, without the guess
    found = await ed.diagnostics(uri, until=lambda d: d)
    assert asyncio.get_running_loop().time() - started >= 0.29
    (rf005,) = found
    assert (rf005.code, rf005.severity, rf005.range.start.line, rf005.range.end.line) == (
        "RF005",
        2,
        3,
        5,
    )
    assert rf005.message.startswith(
        "Possible AI edit (3 lines inserted at once, origin not reported) in human-only"
    )
    # a late report still counts: ai turns the guess into a certain region
    ed.origin(uri, "ai", version=version, tool="cursor")
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d and d[0].code == "RF001")
    assert rf001.message.startswith("AI edit (cursor) in human-only")


async def test_paste_report_withdraws_the_guess_and_reload_from_disk_is_no_guess(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    version = ed.insert(uri, 3, SNIPPET)
    ed.origin(uri, "paste", version=version)
    await asyncio.sleep(0.5)
    assert await ed.diagnostics(uri) == []
    late = ed.insert(uri, 10, SNIPPET)
    await ed.diagnostics(uri, until=lambda d: d)
    ed.origin(uri, "human", version=late)
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
    path = demo_repo / "training/datagen/generate.py"
    path.write_text(path.read_text() + "\n" + SNIPPET * 3)
    ed.replace_all(uri, path.read_text())  # the editor reloads the file after a tool changed it
    await asyncio.sleep(0.5)
    assert await ed.diagnostics(uri) == []


async def test_heuristic_settings(lsp, demo_repo):
    ed = await start(
        lsp, demo_repo, {"ringfence": {"heuristics": {"minLines": 5, "minChars": 500}}}
    )
    uri = ed.open("training/datagen/generate.py")
    ed.insert(uri, 3, SNIPPET)  # 3 lines: below the configured threshold
    await asyncio.sleep(0.5)
    assert await ed.diagnostics(uri) == []
    ed.insert(uri, 3, SNIPPET + SNIPPET)
    assert codes(await ed.diagnostics(uri, until=lambda d: d)) == ["RF005"]
    from lsprotocol import types

    ed.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"ringfence": {"heuristics": {"enabled": False}}}
        )
    )
    ed.insert(uri, 20, SNIPPET * 3)
    await asyncio.sleep(0.5)
    assert codes(await ed.diagnostics(uri)) == ["RF005"]  # only the earlier guess


async def test_region_markers_raise_a_span_and_report_problems(lsp, make_repo):
    repo = make_repo({".ringfence.toml": "version = 1\n", "app.py": "x = 1\n"})
    ed = await start(lsp, repo)
    text = (
        'a = 1\n# ringfence: begin human-only reason="hand-tuned"\nb = 2\n# ringfence: end\n'
        "c = 3\n# ringfence: bogus\n# ringfence: begin internal\n"
    )
    uri = ed.open("app.py", text)
    found = await ed.diagnostics(uri, until=lambda d: d)
    assert sorted((d.code, d.range.start.line) for d in found) == [("RF102", 6), ("RF104", 5)]
    ed.ai_insert(uri, 2, "b2 = 3\n", tool="codex")
    found = await ed.diagnostics(uri, until=lambda d: "RF001" in codes(d))
    rf001 = next(d for d in found if d.code == "RF001")
    assert rf001.range.start.line == 2
    assert rf001.message == "AI edit (codex) in human-only region (marked at line 2): hand-tuned"
    assert rf001.related_information[0].location.uri == uri
    ed.ai_insert(uri, 0, "top = 0\n", tool="codex")  # open part of the file: allowed
    await asyncio.sleep(0.2)
    assert codes(await ed.diagnostics(uri)) == ["RF001", "RF102", "RF104"]


POLICY = """version = 1

[[zone]]
name = "data"
path = "data/**"
level = "human-only"
reason = "Handwritten data."
locked = true
"""


async def test_invalid_policy_keeps_the_last_good_one_and_recovers(lsp, make_repo):
    repo = make_repo({".ringfence.toml": POLICY, "data/set.py": "rows = []\n"})
    ed = await start(lsp, repo)
    data = ed.open("data/set.py")
    policy = ed.open(".ringfence.toml", language_id="toml")
    ed.ai_insert(data, 0, "more = 1\n", tool="copilot")
    await ed.diagnostics(data, until=lambda d: codes(d) == ["RF001"])
    ed.replace(policy, (5, 0), (5, 20), 'levl = "open"')  # unknown key
    found = await ed.diagnostics(policy, until=lambda d: d)
    assert {d.code for d in found} == {"RF100"}
    (rf100,) = [d for d in found if "levl" in d.message]
    assert (rf100.severity, rf100.range.start.line) == (1, 5)
    assert (
        "unknown key 'levl'" in rf100.message
        and "last valid policy stays in force" in rf100.message
    )
    rf001 = await ed.diagnostics(data, until=lambda d: codes(d) == ["RF001"])
    assert "human-only zone 'data'" in rf001[0].message
    ed.replace(policy, (5, 0), (5, 13), 'level = "open"')
    assert await ed.diagnostics(policy, until=lambda d: not d) == []
    assert await ed.diagnostics(data, until=lambda d: not d) == []  # the zone is open now


async def test_broken_policy_from_the_start_fails_closed(lsp, make_repo):
    repo = make_repo({".ringfence.toml": "version = 1\n[[zone]\n", "app/main.py": "x = 1\n"})
    ed = await start(lsp, repo)
    uri = ed.open("app/main.py")
    ed.ai_insert(uri, 0, "y = 2\n", tool="copilot")
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d)
    assert (
        rf001.code == "RF001"
        and " internal " in rf001.message
        and "failing closed" in rf001.message
    )
    (rf100,) = await ed.diagnostics(ed.uri(".ringfence.toml"), until=lambda d: d)
    assert rf100.code == "RF100" and rf100.range.start.line == 1
    assert "no valid policy yet" in rf100.message


async def test_rule_below_a_locked_floor_is_rf101(lsp, make_repo):
    nested = 'version = 1\n\n[[zone]]\nname = "loose"\npath = "**"\nlevel = "open"\n'
    repo = make_repo(
        {".ringfence.toml": POLICY, "data/.ringfence.toml": nested, "data/set.py": "rows = []\n"}
    )
    ed = await start(lsp, repo)
    ed.open("data/set.py")
    (rf101,) = await ed.diagnostics(ed.uri("data/.ringfence.toml"), until=lambda d: d)
    assert (rf101.code, rf101.severity, rf101.range.start.line) == ("RF101", 2, 2)
    assert "below the locked zone 'data'" in rf101.message
    assert rf101.related_information[0].location.uri == ed.uri(".ringfence.toml")


APPROVED_TOOLS = """version = 1

[[zone]]
name = "src"
path = "src/**"
level = "internal"
reason = "Vendor code under the enterprise agreement only."
tools.allow = ["copilot"]
tools.level = { copilot = "open" }
models.deny = ["gpt-4*"]
"""


async def test_each_region_is_judged_by_its_own_tool_and_model(lsp, make_repo):
    root = make_repo({".ringfence.toml": APPROVED_TOOLS, "src/app.py": "a = 1\n" * 12})
    ed = await start(lsp, root)
    uri = ed.open("src/app.py")
    assert await ed.diagnostics(uri) == []
    ed.ai_insert(uri, 2, "copilot_line = 1\n", tool="copilot", model="gpt-5")
    ed.ai_insert(uri, 8, "claude_line = 1\nclaude_line = 2\n", tool="claude-code")
    found = await ed.diagnostics(uri, until=lambda d: any(x.code == "RF001" for x in d))
    (rf001,) = found  # the approved tool's lines get nothing
    assert (rf001.range.start.line, rf001.range.end.line) == (8, 9)
    assert rf001.message == (
        "AI edit (claude-code) in internal zone 'src' [claude-code is not in tools.allow "
        "(copilot) (.ringfence.toml:3)]: Vendor code under the enterprise agreement only."
    )
    ed.ai_insert(uri, 0, "denied_model = 1\n", tool="copilot", model="gpt-4.1")
    found = await ed.diagnostics(uri, until=lambda d: len(d) == 2)
    lines = sorted((d.code, d.range.start.line) for d in found)
    assert lines == [("RF001", 0), ("RF001", 9)]  # the claude lines moved down by one
    assert "model gpt-4.1 matches models.deny 'gpt-4*'" in next(
        d.message for d in found if d.range.start.line == 0
    )
    explained = await ed.request("ringfence/explain", {"uri": uri})
    # pygls hands objects over as named tuples, renaming "claude-code" to a positional name:
    # the values come in the table's order (every canonical tool id, docs/lsp.md)
    tool_edits = dict(zip(CANONICAL, explained["toolEdits"].values(), strict=True))
    assert tool_edits["copilot"] == "allow" and tool_edits["claude-code"] == "deny"
    assert tool_edits["codex"] == tool_edits["unknown"] == "deny"
    rules = list(explained["toolRules"].values())
    assert {
        "rule": ".ringfence.toml:3",
        "why": "claude-code is not in tools.allow (copilot)",
        "level": "internal",
        "edits": "deny",
        "context": "deny",
    } in rules
    assert explained["externalEdits"] == "deny"  # the level itself is unchanged
