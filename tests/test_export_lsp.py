"""RF103 in the language server: an open export file that is out of date, and its quick fix.

Real ``ringfence lsp --stdio`` sessions for both client presets (the ``lsp`` fixture of
test_lsp_editor) on real git repositories; the quick fix's edit is applied by the scripted editor
and must give exactly what ``ringfence export`` writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types

from conftest import run_cli
from test_lsp_editor import lsp, start  # noqa: F401

GOLDEN_CURSORIGNORE = "golden/export/demo/cursorignore"


def rf103(diagnostics) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == "RF103"]


async def regenerate(ed, uri: str, line: int) -> types.CodeAction:
    actions = await ed.actions(uri, line)
    found = [
        a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Regenerate ")
    ]
    assert len(found) == 1, [getattr(a, "title", a) for a in actions]
    action = found[0]
    assert action.kind == types.CodeActionKind.QuickFix and action.edit is not None
    ed._apply_edit(types.ApplyWorkspaceEditParams(edit=action.edit))
    return action


async def test_a_file_that_was_never_exported_gets_rf103_and_regenerates(lsp, demo_repo):  # noqa: F811
    ed = await start(lsp, demo_repo)
    uri = ed.open(".cursorignore", language_id="ignore")
    found = await ed.diagnostics(uri, until=lambda d: rf103(d))
    diagnostic = rf103(found)[0]
    assert (
        diagnostic.severity == types.DiagnosticSeverity.Warning and diagnostic.source == "ringfence"
    )
    assert diagnostic.message == (
        ".cursorignore is out of date with the policy (it has no ringfence block); "
        "run 'ringfence export' or use 'Regenerate .cursorignore'"
    )
    assert diagnostic.range.start.line == 0
    action = await regenerate(ed, uri, 0)
    assert action.title == "Regenerate .cursorignore"
    await ed.diagnostics(uri, until=lambda d: not rf103(d))
    expected = (Path(__file__).parent / GOLDEN_CURSORIGNORE).read_text(encoding="utf-8")
    assert ed.texts[uri] == expected  # the quick fix writes what `ringfence export` writes


async def test_a_hand_edit_inside_the_block_is_drift_until_regenerated(lsp, demo_repo):  # noqa: F811
    assert run_cli("export", cwd=demo_repo).returncode == 0
    ed = await start(lsp, demo_repo)
    exported = (demo_repo / ".aiexclude").read_text()
    uri = ed.open(".aiexclude", language_id="ignore")
    await ed.diagnostics(uri)
    assert not rf103(await ed.diagnostics(uri))
    lines = exported.splitlines(keepends=True)
    serving = lines.index("/serving/**\n")
    ed.delete_lines(uri, serving, serving)
    found = await ed.diagnostics(uri, until=lambda d: rf103(d))
    assert rf103(found)[0].range.start.line == 0  # the block's first line
    assert "its ringfence block differs from the policy" in rf103(found)[0].message
    await regenerate(ed, uri, 0)
    await ed.diagnostics(uri, until=lambda d: not rf103(d))
    assert ed.texts[uri] == exported


async def test_claude_settings_missing_an_entry(lsp, demo_repo):  # noqa: F811
    assert run_cli("export", cwd=demo_repo).returncode == 0
    path = demo_repo / ".claude/settings.json"
    exported = path.read_text()
    ed = await start(lsp, demo_repo)
    uri = ed.open(".claude/settings.json", language_id="json")
    await ed.diagnostics(uri)
    line = exported.splitlines().index('      "Edit(/serving/**)",')
    ed.delete_lines(uri, line, line)
    found = await ed.diagnostics(uri, until=lambda d: rf103(d))
    diagnostic = rf103(found)[0]
    assert diagnostic.range.start.line == 2  # the "deny" key
    assert "(+1 deny entries)" in diagnostic.message
    await regenerate(ed, uri, 2)
    await ed.diagnostics(uri, until=lambda d: not rf103(d))
    deny = json.loads(ed.texts[uri])["permissions"]["deny"]
    assert sorted(deny) == sorted(json.loads(exported)["permissions"]["deny"])
    assert deny[-1] == "Edit(/serving/**)"  # ringfence appends what is missing, the rest stays put


async def test_an_unsaved_policy_change_makes_open_exports_stale(lsp, demo_repo):  # noqa: F811
    assert run_cli("export", cwd=demo_repo).returncode == 0
    ed = await start(lsp, demo_repo)
    copilot = ed.open("copilot-content-exclusion.yml", language_id="yaml")
    await ed.diagnostics(copilot)
    policy_text = (demo_repo / ".ringfence.toml").read_text()
    policy = ed.open(".ringfence.toml", language_id="toml")
    ed.replace_all(
        policy, policy_text.replace('path = "serving/**"', 'path = ["serving/**", "infra/**"]')
    )
    found = await ed.diagnostics(copilot, until=lambda d: rf103(d))
    assert rf103(found)[0].message.startswith(
        "copilot-content-exclusion.yml is out of date with the policy"
    )
    await regenerate(ed, copilot, rf103(found)[0].range.start.line)
    await ed.diagnostics(copilot, until=lambda d: not rf103(d))
    assert '- "/infra/**"\n' in ed.texts[copilot]
    ed.replace_all(
        policy, policy_text
    )  # back to the saved policy: the regenerated buffer is now stale
    await ed.diagnostics(copilot, until=lambda d: rf103(d))


async def test_other_files_and_fresh_exports_get_no_rf103(lsp, demo_repo):  # noqa: F811
    assert run_cli("export", cwd=demo_repo).returncode == 0
    stale = demo_repo / ".rooignore"
    stale.write_text(stale.read_text().replace("/evals/**\n", ""))
    ed = await start(lsp, demo_repo)
    fresh = ed.open(".geminiignore", language_id="ignore")
    code = ed.open("serving/model_server.py")
    stale_uri = ed.open(".rooignore", language_id="ignore")
    await ed.diagnostics(stale_uri, until=lambda d: rf103(d))  # the policy was flattened by now
    ed.insert(code, 0, "# a comment\n")
    await ed.diagnostics(code)
    for uri in (fresh, code):
        assert not rf103(await ed.diagnostics(uri))
        assert not [
            a for a in await ed.actions(uri, 0) if getattr(a, "title", "").startswith("Regenerate")
        ]
