"""AI regions in real sessions: they follow edits, in every position encoding and sync kind."""

from __future__ import annotations

import asyncio

import test_lsp_editor
from test_lsp_editor import start, units

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

SNIPPET = "def extra():\n    value = 1\n    return value\n"


def spans(found) -> list[tuple[str, int, int]]:
    return sorted((d.code, d.range.start.line, d.range.end.line) for d in found)


async def test_regions_shift_shrink_and_disappear_with_later_edits(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    ed.ai_insert(uri, 5, SNIPPET)
    assert spans(await ed.diagnostics(uri, until=lambda d: d)) == [("RF001", 5, 7)]
    ed.insert(uri, 1, "# one\n# two\n")  # above: shifts
    assert spans(await ed.diagnostics(uri)) == [("RF001", 7, 9)]
    ed.insert(uri, 8, "    extra_line = 0\n")  # inside: grows
    assert spans(await ed.diagnostics(uri)) == [("RF001", 7, 10)]
    ed.delete_lines(uri, 8, 9)  # inside: shrinks
    assert spans(await ed.diagnostics(uri)) == [("RF001", 7, 8)]
    ed.insert(uri, 7, "  # typed", char=12)  # a changed line stays AI-written
    assert spans(await ed.diagnostics(uri)) == [("RF001", 7, 8)]
    ed.delete_lines(uri, 0, 2)  # above, across the file start
    assert spans(await ed.diagnostics(uri)) == [("RF001", 4, 5)]
    ed.delete_lines(uri, 4, 5)  # the whole region
    assert await ed.diagnostics(uri) == []


async def test_positions_in_the_negotiated_encoding_with_non_ascii_text(lsp, make_repo):
    text = "'''Données d'entraînement 😀'''\nrows = ['é😀x']\n"
    repo = make_repo({".ringfence.toml": 'version = 1\ndefault = "human-only"\n', "data.py": text})
    ed = await start(lsp, repo)
    assert ed.encoding == ("utf-16" if ed.preset == "visual-studio-code" else "utf-8")
    uri = ed.open("data.py")
    # an inline suggestion after the emoji on line 1, running over three lines
    begin = ed.position(uri, 1, 12)
    ed.replace(uri, (1, 12), (1, 12), "y', 'ñ😀',\n        'ü',\n        'z")
    end = ed.position(uri, 3, 10)
    ed.origin(
        uri,
        "ai",
        tool="copilot",
        ranges=[
            {
                "start": {"line": 1, "character": begin.character},
                "end": {"line": 3, "character": end.character},
            }
        ],
    )
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d)
    assert ed.lines(uri)[1] == "rows = ['é😀xy', 'ñ😀',\n" and ed.lines(uri)[3] == "        'z']\n"
    assert (rf001.range.start.line, rf001.range.end.line) == (1, 3)
    assert rf001.range.end.character == units("        'z']", ed.encoding)
    ed.insert(uri, 0, "# 😀😀😀 é\n")
    (rf001,) = await ed.diagnostics(uri)
    assert (rf001.range.start.line, rf001.range.end.line) == (2, 4)
    (revert,) = [a for a in await ed.actions(uri, 2) if a.title.startswith("Revert AI edit")]
    await ed.run(revert)
    assert (
        ed.texts[uri] == "# 😀😀😀 é\n" + text
    )  # the server's copy matched the editor's, unit for unit
    assert await ed.diagnostics(uri, until=lambda d: not d) == []


async def test_full_document_changes_find_the_real_insertion(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    lines = ed.lines(uri)
    version = ed.replace_all(uri, "".join(lines[:4] + [SNIPPET] + lines[4:]))
    ed.origin(uri, "ai", version=version, tool="copilot")  # no ranges: the change of that version
    assert spans(await ed.diagnostics(uri, until=lambda d: d)) == [("RF001", 4, 6)]
    ed.replace_all(uri, "# top\n" + ed.texts[uri])
    assert spans(await ed.diagnostics(uri)) == [("RF001", 5, 7)]
    assert any(a.title.startswith("Revert AI edit") for a in await ed.actions(uri, 5))
    ed.replace_all(uri, "# top 2\n" + ed.texts[uri].replace("    value = 1\n", "    value = 2\n"))
    assert spans(await ed.diagnostics(uri)) == [("RF001", 6, 8)]  # two distant edits stay two edits
    assert not any(a.title.startswith("Revert AI edit") for a in await ed.actions(uri, 6))
    await asyncio.sleep(0.4)
    assert [d.code for d in await ed.diagnostics(uri)] == [
        "RF001"
    ]  # a one-line human edit is no guess


async def test_a_late_report_maps_its_ranges_through_later_edits(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    version = ed.insert(uri, 6, "x = 1\n")
    ed.insert(uri, 0, "# a\n# b\n")  # the client reports after two more lines arrived above
    ed.origin(
        uri,
        "ai",
        version=version,
        tool="windsurf",
        ranges=[{"start": {"line": 6, "character": 0}, "end": {"line": 7, "character": 0}}],
    )
    assert spans(await ed.diagnostics(uri, until=lambda d: d)) == [("RF001", 8, 8)]
    early = ed.versions[uri] + 1
    ed.origin(
        uri,
        "ai",
        version=early,
        tool="aider",  # sent before its didChange: held until it arrives
        ranges=[{"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}],
    )
    await asyncio.sleep(0.1)
    ed.insert(uri, 0, "import os\n")
    assert spans(await ed.diagnostics(uri, until=lambda d: len(d) == 2)) == [
        ("RF001", 0, 0),
        ("RF001", 9, 9),
    ]
