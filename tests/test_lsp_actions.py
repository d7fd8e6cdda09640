"""Code actions and commands end to end (docs/protocol.md, "Code actions", "Commands"): which
ones show up, what each one does."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from pygls.exceptions import JsonRpcException

import test_lsp_editor
from conftest import git
from ringfence.evidence.hashing import content_hash
from test_lsp_editor import start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

SNIPPET = "def extra():\n    value = 1\n    return value\n"
COMMANDS = {
    "ringfence.revert",
    "ringfence.handoff",
    "ringfence.tagProvenance",
    "ringfence.markReviewed",
    "ringfence.dismissHeuristic",
    "ringfence.openZone",
}


def titles(actions) -> list[str]:
    return [a.title.split(" (")[0] for a in actions]


def by_title(actions, prefix: str):
    return next(a for a in actions if a.title.startswith(prefix))


def trace_records(repo) -> list[dict]:
    path = repo / ".agent-trace" / "traces.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_revert_restores_the_earlier_text_through_apply_edit(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    original = ed.texts[uri]
    ed.replace(
        uri, (7, 0), (7, 0), "    # AI was here\n"
    )  # a human edit first: not part of the region
    before = ed.texts[uri]
    ed.replace(uri, (8, 4), (8, 8), "return [json.loads(row)\n            for row in handle]  # ai")
    ed.origin(
        uri,
        "ai",
        tool="copilot",
        ranges=[{"start": {"line": 8, "character": 0}, "end": {"line": 9, "character": 40}}],
    )
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d)
    actions = await ed.actions(uri, 8)
    assert titles(actions) == ["Revert AI edit", "Tag provenance", "Open zone definition"]
    assert [a.kind for a in actions][:2] == ["quickfix", "quickfix"]
    assert all(
        list(a.command.arguments) == [{"uri": uri, "regionId": rf001.data["regionId"]}]
        for a in actions[:2]
    )
    assert await ed.run(actions[0]) == {"applied": True}
    assert ed.texts[uri] == before and ed.texts[uri] != original
    (edit,) = ed.applied
    if ed.preset == "visual-studio-code":  # documentChanges with the version the edit was made for
        assert edit.document_changes[0].text_document.version == 3
    else:
        assert list(edit.changes) == [uri]
    assert await ed.diagnostics(uri, until=lambda d: not d) == []


async def test_revert_is_withdrawn_once_the_lines_change_and_refusal_changes_nothing(
    lsp, demo_repo
):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    ed.ai_insert(uri, 3, SNIPPET)
    await ed.diagnostics(uri, until=lambda d: d)
    actions = await ed.actions(uri, 3)
    ed.refuse_edits = True
    assert (await ed.run(actions[0]))["applied"] is False
    assert "did not apply the revert" in ed.client.messages[-1].message
    assert ed.client.messages[-1].type == 1
    ed.refuse_edits = False
    ed.insert(uri, 4, "  # touched", char=14)
    await ed.diagnostics(uri)
    assert "Revert AI edit" not in titles(await ed.actions(uri, 3))
    result = await ed.run(actions[0])  # the stale action from before
    assert result["applied"] is False and "changed since" in result["error"]
    assert [d.code for d in await ed.diagnostics(uri)] == ["RF001"]


async def test_tag_provenance_writes_an_agent_trace_record_and_clears_rf002(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("docs/guide.md", language_id="markdown")
    ed.ai_insert(uri, 2, "AI line one\nAI line two\n", tool="copilot", model="gpt-4o")
    await ed.diagnostics(uri, until=lambda d: d)
    actions = await ed.actions(uri, 2)
    assert titles(actions) == [
        "Revert AI edit",
        "Move to metacode",
        "Tag provenance",
        "Mark as human-reviewed",
        "Open zone definition",
    ]
    result = await ed.run(by_title(actions, "Tag provenance"))
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
    (record,) = trace_records(demo_repo)
    assert result["recordId"] == record["id"] and re.fullmatch(r"[0-9a-f-]{36}", record["id"])
    assert record["version"] == "0.1.0" and record["tool"]["name"] == "ringfence"
    assert record["vcs"] == {"type": "git", "revision": git(demo_repo, "rev-parse", "HEAD").strip()}
    (entry,) = record["files"]
    assert entry["path"] == "docs/guide.md"
    (conversation,) = entry["conversations"]
    assert conversation["contributor"] == {"type": "ai", "model_id": "github/gpt-4o"}
    assert conversation["ranges"] == [
        {
            "start_line": 3,
            "end_line": 4,
            "content_hash": content_hash(["AI line one", "AI line two"]),
        }
    ]
    assert record["metadata"]["dev.ringfence"] == {
        "ai_tool": "copilot",
        "zone": "docs",
        "level": "tagged",
        "source": "client",
        "state": "tagged",
    }
    ed.insert(uri, 3, "human change ", char=0)  # the record no longer matches the lines
    assert [d.code for d in await ed.diagnostics(uri, until=lambda d: d)] == ["RF002"]


async def test_tag_on_a_deny_finding_records_the_origin_but_the_error_stays(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    ed.ai_insert(uri, 3, SNIPPET, tool="codex")
    await ed.diagnostics(uri, until=lambda d: d)
    actions = await ed.actions(uri, 3)
    assert by_title(actions, "Tag provenance").title.endswith(
        "(record the origin so pipelines exclude it; the error stays)"
    )
    assert "Mark as human-reviewed" not in titles(actions) and "Move to metacode" not in titles(
        actions
    )
    await ed.run(by_title(actions, "Tag provenance"))
    (record,) = trace_records(demo_repo)
    assert record["metadata"]["dev.ringfence"]["level"] == "human-only"
    await asyncio.sleep(0.2)
    assert [d.code for d in await ed.diagnostics(uri)] == ["RF001"]
    assert "Tag provenance" not in titles(await ed.actions(uri, 3))


async def test_mark_reviewed_records_the_reviewer_and_only_on_rf002(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("docs/guide.md", language_id="markdown")
    ed.ai_insert(uri, 0, "AI intro\n", tool="claude")
    (rf002,) = await ed.diagnostics(uri, until=lambda d: d)
    await ed.run(by_title(await ed.actions(uri, 0), "Mark as human-reviewed"))
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
    (record,) = trace_records(demo_repo)
    meta = record["metadata"]["dev.ringfence"]
    assert (meta["state"], meta["reviewer"], meta["ai_tool"]) == (
        "reviewed",
        "dev@example.com",
        "claude-code",
    )
    assert record["files"][0]["conversations"][0]["contributor"]["type"] == "ai"
    training = ed.open("training/datagen/generate.py")
    ed.ai_insert(training, 0, "x = 1\n")
    (rf001,) = await ed.diagnostics(training, until=lambda d: d)
    result = await ed.execute(
        "ringfence.markReviewed", {"uri": training, "regionId": rf001.data["regionId"]}
    )
    assert result["applied"] is False and "RF002" in result["error"]
    assert len(trace_records(demo_repo)) == 1


async def test_heuristic_guess_can_be_dismissed_or_confirmed(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    docs = ed.open("docs/guide.md", language_id="markdown")
    ed.insert(docs, 2, "pasted one\npasted two\npasted three\n")
    (rf005,) = await ed.diagnostics(docs, until=lambda d: d)
    actions = await ed.actions(docs, 2)
    assert titles(actions) == [
        "Revert AI edit",
        "Move to metacode",
        "Tag provenance",
        "Not AI: I wrote this",
        "Open zone definition",
    ]
    await ed.run(by_title(actions, "Not AI"))
    assert await ed.diagnostics(docs, until=lambda d: not d) == []
    ed.insert(docs, 0, "guess one\nguess two\nguess three\n")
    await ed.diagnostics(docs, until=lambda d: d)
    await ed.run(
        by_title(await ed.actions(docs, 0), "Tag provenance")
    )  # tag zone: tagging clears it
    assert await ed.diagnostics(docs, until=lambda d: not d) == []
    assert trace_records(demo_repo)[0]["metadata"]["dev.ringfence"]["ai_tool"] == "unknown"
    training = ed.open("training/datagen/generate.py")
    ed.insert(training, 0, SNIPPET)
    await ed.diagnostics(training, until=lambda d: d)
    await ed.run(
        by_title(await ed.actions(training, 0), "Tag provenance")
    )  # deny zone: confirmed AI
    (rf001,) = await ed.diagnostics(training, until=lambda d: d and d[0].code == "RF001")
    assert rf001.message.startswith("AI edit (unknown) in human-only")


async def test_open_zone_definition_shows_the_rule(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("serving/model_server.py")
    ed.ai_insert(uri, 0, "import os\n", tool="gemini")
    await ed.diagnostics(uri, until=lambda d: d)
    result = await ed.run(by_title(await ed.actions(uri, 0), "Open zone definition"))
    assert result == {"uri": ed.uri(".ringfence.toml"), "line": 24, "shown": True}
    shown = ed.client.shown_documents[-1]
    assert shown.uri == ed.uri(".ringfence.toml") and shown.selection.start.line == 24
    secrets = ed.open("app/secrets_loader.py")
    result = await ed.execute("ringfence.openZone", {"uri": secrets})
    assert result["uri"] == secrets and result["line"] == 0


async def test_comment_style_wraps_the_region_in_markers(lsp, make_repo):
    policy = (
        'version = 1\n[provenance]\nstyle = "comment"\n\n'
        '[[zone]]\nname = "docs"\npath = "docs/**"\nlevel = "tagged"\n'
    )
    repo = make_repo({".ringfence.toml": policy, "docs/a.py": "x = 1\n", "docs/b.json": "{}\n"})
    ed = await start(lsp, repo)
    uri = ed.open("docs/a.py")
    ed.ai_insert(uri, 1, "    y = 2\n    z = 3\n", tool="copilot", model="gpt-4o")
    await ed.diagnostics(uri, until=lambda d: d)
    result = await ed.run(by_title(await ed.actions(uri, 1), "Tag provenance"))
    assert result == {"style": "comment", "state": "tagged"}
    assert ed.texts[uri] == (
        "x = 1\n    # ringfence: ai-begin tool=copilot model=gpt-4o\n    y = 2\n    z = 3\n"
        "    # ringfence: ai-end\n"
    )
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
    assert trace_records(repo) == []
    data = ed.open("docs/b.json", "{}\n", language_id="json")
    ed.ai_insert(data, 0, "[]\n")
    await ed.diagnostics(data, until=lambda d: d)
    result = await ed.run(by_title(await ed.actions(data, 0), "Tag provenance"))
    assert (
        result["style"] == "trace" and len(trace_records(repo)) == 1
    )  # no comment syntax: a record


async def test_commands_are_the_servers_and_bad_arguments_are_errors_not_crashes(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    provided = set(ed.capabilities.execute_command_provider.commands)
    assert provided == COMMANDS
    uri = ed.open("docs/guide.md", language_id="markdown")
    for arguments in (
        [],
        ["not an object"],
        [{"regionId": "r1"}],
        [{"uri": uri, "regionId": 5}],
        [{}, {}],
    ):
        with pytest.raises(JsonRpcException):
            await ed.execute("ringfence.revert", *arguments)
    with pytest.raises(JsonRpcException):
        await ed.execute("ringfence.noSuchCommand", {"uri": uri})
    result = await ed.execute("ringfence.tagProvenance", {"uri": uri, "regionId": "r404"})
    assert result["applied"] is False and "gone" in result["error"]
    ed.ai_insert(uri, 0, "still alive\n")
    assert [d.code for d in await ed.diagnostics(uri, until=lambda d: d)] == ["RF002"]
