"""The region lifecycle and the server's outside inputs: journal, traces, policy files on disk,
settings, explain and the code lens (docs/lsp.md, "AI regions"; docs/protocol.md,
"Commands", "Custom methods", "Code lens", "Settings")."""

from __future__ import annotations

import asyncio
import json

from lsprotocol import types

import test_lsp_editor
from ringfence.evidence.hashing import content_hash
from ringfence.evidence.journal import JournalEvent, append_event, journal_path
from ringfence.provenance.trace import append_record, make_record
from test_lsp_editor import start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

SNIPPET = "def extra():\n    value = 1\n    return value\n"
GENERATE = "training/datagen/generate.py"


def spans(found) -> list[tuple[str, int, int]]:
    return sorted((d.code, d.range.start.line, d.range.end.line) for d in found)


def journal(repo) -> list[dict]:
    path = journal_path(repo)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_saved_regions_are_journaled_and_refound_by_hash_on_reopen(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open(GENERATE)
    ed.ai_insert(uri, 5, SNIPPET, tool="copilot", model="gpt-4o")
    await ed.diagnostics(uri, until=lambda d: d)
    ed.save(uri)
    ed.save(uri)  # unchanged since: journaled once
    await asyncio.sleep(0.2)
    (event,) = journal(demo_repo)
    assert event["event"] == "save" and event["path"] == GENERATE and event["ranges"] == [[6, 8]]
    assert event["hashes"] == [content_hash(SNIPPET.splitlines())]
    assert (event["agent"], event["model"], event["source"], event["state"]) == (
        "copilot",
        "gpt-4o",
        "client",
        "untagged",
    )
    assert "def extra" not in json.dumps(event)  # never any content
    ed.close(uri)
    path = demo_repo / GENERATE
    path.write_text("# moved down\n# by two lines\n" + path.read_text())
    uri = ed.open(GENERATE)
    assert spans(await ed.diagnostics(uri, until=lambda d: d)) == [("RF001", 7, 9)]
    assert "AI edit (copilot)" in (await ed.diagnostics(uri))[0].message


async def test_closing_without_saving_drops_regions(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open(GENERATE)
    ed.ai_insert(uri, 5, SNIPPET)
    await ed.diagnostics(uri, until=lambda d: d)
    ed.close(uri)
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
    uri = ed.open(GENERATE)
    await asyncio.sleep(0.3)
    assert await ed.diagnostics(uri) == [] and journal(demo_repo) == []


async def test_recorded_provenance_is_reanchored_when_a_file_opens(lsp, demo_repo):
    docs = demo_repo / "docs/guide.md"
    docs.write_text(docs.read_text() + "AI paragraph one\nAI paragraph two\n")
    count = len(docs.read_text().splitlines())
    digest = content_hash(["AI paragraph one", "AI paragraph two"])
    append_record(
        demo_repo,
        make_record(demo_repo, "docs/guide.md", [(count - 1, count, digest)], tool="claude-code"),
    )
    append_event(
        demo_repo,
        JournalEvent.from_dict(
            {
                "event": "save",
                "agent": "claude-code",
                "path": "docs/guide.md",
                "ranges": [[count - 1, count]],
                "hashes": [digest],
                "source": "client",
                "state": "untagged",
                "decision": "logged",
            }
        ),
    )
    generate = demo_repo / GENERATE
    generate.write_text("# added above\n" + generate.read_text())
    body = generate.read_text().splitlines()
    append_record(
        demo_repo, make_record(demo_repo, GENERATE, [(5, 6, content_hash(body[3:5]))], tool="codex")
    )
    ed = await start(lsp, demo_repo)
    uri = ed.open("docs/guide.md", language_id="markdown")
    await asyncio.sleep(0.2)
    assert await ed.diagnostics(uri) == []  # journaled, but the record covers it: tagged
    training = ed.open(GENERATE)
    assert spans(await ed.diagnostics(training, until=lambda d: d)) == [
        ("RF001", 3, 4)
    ]  # trace evidence


async def test_agent_journal_events_become_regions_of_open_files(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open(GENERATE)
    await ed.diagnostics(uri)
    lines = ed.lines(uri)
    append_event(
        demo_repo,
        JournalEvent.from_dict(
            {
                "event": "edit",
                "agent": "claude",
                "source": "agent",
                "path": GENERATE,
                "ranges": [[4, 5]],
                "hashes": [content_hash(lines[3:5])],
                "decision": "logged",
                "session": "s1",
                "model": "claude-sonnet",
            }
        ),
    )
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d, timeout=1.5)
    assert (rf001.range.start.line, rf001.range.end.line) == (3, 4)
    assert rf001.message.startswith("AI edit (claude-code) in human-only")
    # an agent edit the editor has not reloaded yet: placed once the buffer matches the disk
    path = demo_repo / GENERATE
    new_text = path.read_text() + SNIPPET
    path.write_text(new_text)
    total = len(new_text.splitlines())
    append_event(
        demo_repo,
        JournalEvent.from_dict(
            {
                "event": "edit",
                "agent": "codex",
                "source": "agent",
                "path": GENERATE,
                "ranges": [[total - 2, total]],
                "hashes": [content_hash(SNIPPET.splitlines())],
                "decision": "logged",
            }
        ),
    )
    await asyncio.sleep(0.6)
    assert len(await ed.diagnostics(uri)) == 1
    ed.replace_all(uri, new_text)
    found = await ed.diagnostics(uri, until=lambda d: len(d) == 2)
    assert spans(found) == [("RF001", 3, 4), ("RF001", total - 3, total - 1)]
    await asyncio.sleep(0.4)
    assert "RF005" not in {d.code for d in await ed.diagnostics(uri)}  # a reload is no guess


async def test_policy_changes_on_disk_reclassify_open_files(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("docs/guide.md", language_id="markdown")
    ed.ai_insert(uri, 0, "AI intro\n")
    assert [d.code for d in await ed.diagnostics(uri, until=lambda d: d)] == ["RF002"]
    if ed.preset == "visual-studio-code":
        (registration,) = ed.client.registrations
        assert registration.method == "workspace/didChangeWatchedFiles"
        globs = {w["globPattern"] for w in registration.register_options["watchers"]}
        assert {"**/.ringfence.toml", "**/.cursorignore", "**/.agent-trace/traces.jsonl"} <= globs
    policy = demo_repo / ".ringfence.toml"
    policy.write_text(
        policy.read_text().replace(
            'path = "docs/**"\nlevel = "tagged"', 'path = "docs/**"\nlevel = "human-only"'
        )
    )
    if ed.preset == "visual-studio-code":
        ed.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(
                        uri=ed.uri(".ringfence.toml"), type=types.FileChangeType.Changed
                    )
                ]
            )
        )
    # Neovim's preset cannot watch files: the server polls
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d and d[0].code == "RF001", timeout=3)
    assert "human-only zone 'docs'" in rf001.message


async def test_explain_and_code_lens(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open(GENERATE)
    explained = await ed.request("ringfence/explain", {"uri": uri})
    assert explained["level"] == "human-only" and explained["zone"] == "training-data"
    assert explained["rule"] == ".ringfence.toml:17" and explained["source"] == "zone"
    assert explained["owner"] == "@ml-data-governance" and explained["exists"] is True
    assert explained["path"] == GENERATE
    assert explained["policy"] == {"uri": ed.uri(".ringfence.toml"), "line": 16}
    assert (
        explained["externalEdits"],
        explained["inhouseEdits"],
        explained["externalContext"],
    ) == ("deny", "deny", "deny")
    # who "Move to <assistant>" goes to, and whose edits are in-house (the editors' accept check)
    assert explained["assistant"] == "metacode"
    assert list(explained["inhouseTools"]) == ["metacode"]
    lenses = await ed.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    (lens,) = lenses
    assert lens.range.start.line == 0
    assert lens.command.title == (
        "ringfence: human-only · training-data — Training and eval data must be "
        "handwritten: distillation risk and provider terms."
    )
    secrets = ed.open("app/secrets_loader.py")
    (lens,) = await ed.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=secrets))
    )
    assert lens.command.title.startswith(
        "ringfence: internal · file (marked at line 1) — Reads the API keys"
    )
    opened = ed.open("app/main.py")
    assert not await ed.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=opened))
    )
    unopened = await ed.request("ringfence/explain", {"uri": ed.uri("notes/todo.md")})
    assert (unopened["level"], unopened["source"], unopened["exists"]) == (
        "internal",
        "import",
        False,
    )
    assert await ed.request("ringfence/explain", {"uri": "untitled:Untitled-1"}) is None
