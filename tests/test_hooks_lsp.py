"""A hook event appears as a diagnostic in an open document: the real ``ringfence hook`` process
appends to the journal, and a real ``ringfence lsp`` session (VS Code and Neovim presets, the
``lsp`` fixture of test_lsp_editor) turns it into an agent region with the right lines.
"""

from __future__ import annotations

import json

from test_hooks import hook
from test_lsp_editor import lsp, start  # noqa: F401

SERVING_REASON = "Serving code must not leave the company; use metacode."


def rf001(diagnostics) -> list[tuple[int, int, str]]:
    return sorted(
        (d.range.start.line, d.range.end.line, d.message) for d in diagnostics if d.code == "RF001"
    )


async def test_cursor_edit_event_becomes_rf001_in_the_open_document(lsp, demo_repo):  # noqa: F811
    ed = await start(lsp, demo_repo)
    uri = ed.open("serving/tokenizer.py")
    await ed.diagnostics(uri)
    tokenizer = demo_repo / "serving" / "tokenizer.py"
    old = '        return list(text.encode("utf-8"))'
    new = '        data = text.encode("utf-8")\n        return list(data)'
    tokenizer.write_text(tokenizer.read_text().replace(old, new))
    ed.replace_all(uri, tokenizer.read_text())  # the editor reloads the file the agent changed
    stdin = json.dumps(
        {
            "conversation_id": "c-1",
            "generation_id": "g-1",
            "model": "gpt-5",
            "hook_event_name": "afterFileEdit",
            "workspace_roots": [str(demo_repo)],
            "file_path": str(tokenizer),
            "edits": [{"old_string": old, "new_string": new}],
        }
    )
    assert hook("cursor", stdin, demo_repo).returncode == 0
    found = await ed.diagnostics(uri, until=lambda d: rf001(d))
    assert rf001(found) == [
        (5, 6, f"AI edit (cursor) in internal zone 'model-serving': {SERVING_REASON}")
    ]


async def test_codex_patch_event_lands_on_the_added_lines(lsp, demo_repo):  # noqa: F811
    ed = await start(lsp, demo_repo)
    uri = ed.open("serving/model_server.py")
    await ed.diagnostics(uri)
    server = demo_repo / "serving" / "model_server.py"
    text = server.read_text()
    context = "        tokens = self.tokenizer.encode(prompt)"
    server.write_text(text.replace(context, context + "\n        tokens = tokens[-4096:]"))
    patch = (
        f"*** Begin Patch\n*** Update File: serving/model_server.py\n@@\n {context}\n"
        "+        tokens = tokens[-4096:]\n*** End Patch\n"
    )
    stdin = json.dumps(
        {
            "session_id": "x",
            "cwd": str(demo_repo),
            "hook_event_name": "PostToolUse",
            "model": "gpt-5-codex",
            "tool_name": "apply_patch",
            "tool_input": {"command": patch},
            "tool_response": "Success.",
        }
    )
    assert (
        hook("codex", stdin, demo_repo).returncode == 0
    )  # the journal line exists before the reload
    ed.replace_all(uri, server.read_text())
    found = await ed.diagnostics(uri, until=lambda d: rf001(d))
    line = server.read_text().split("\n").index("        tokens = tokens[-4096:]")
    assert rf001(found) == [
        (line, line, f"AI edit (codex) in internal zone 'model-serving': {SERVING_REASON}")
    ]
