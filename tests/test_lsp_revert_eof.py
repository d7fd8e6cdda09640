"""Revert of lines appended at the very end of a file (found by the Neovim client's tests)."""

from test_lsp_editor import lsp, start  # noqa: F401


async def test_revert_of_lines_appended_at_the_end_of_the_file(lsp, demo_repo):  # noqa: F811
    ed = await start(lsp, demo_repo)
    uri = ed.open("training/datagen/generate.py")
    original = ed.texts[uri]
    lines = original.split("\n")
    last = len(lines) - 2  # the last text line; the file ends with a line break
    # Neovim's shape: the final line break is replaced by the new lines plus a break.
    ed.replace(uri, (last, len(lines[last])), (last + 1, 0), "\n\ndef extra():\n    return 42\n\n")
    ed.origin(
        uri,
        "ai",
        tool="copilot",
        ranges=[
            {"start": {"line": last + 1, "character": 0}, "end": {"line": last + 5, "character": 0}}
        ],
    )
    (rf001,) = await ed.diagnostics(uri, until=lambda d: d)
    assert rf001.code == "RF001"
    revert = [a for a in await ed.actions(uri, last + 2) if a.title.startswith("Revert AI edit")]
    assert await ed.run(revert[0]) == {"applied": True}
    assert ed.texts[uri] == original
    assert await ed.diagnostics(uri, until=lambda d: not d) == []
