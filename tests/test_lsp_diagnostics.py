"""Diagnostics end to end (SPEC §6.1): RF001/RF002/RF003/RF005 on AI regions, markers, policy files."""

from __future__ import annotations

from test_lsp_editor import lsp, start  # noqa: F401

ZONE_REASON = "Training and eval data must be handwritten: distillation risk and provider terms."


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
    assert diagnostic.message == f"AI edit (copilot) in human-only zone 'training-data': {ZONE_REASON}"
    related = diagnostic.related_information[0].location
    assert related.uri == ed.uri(".ringfence.toml") and related.range.start.line == 16
