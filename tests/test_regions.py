"""The region model directly: line splitting, edits in line terms, following edits, re-finding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from ringfence.evidence.hashing import content_hash
from ringfence.evidence.regions import (
    RegionSet,
    find_by_hash,
    region_from_change,
    split_lines,
)
from ringfence.lsp.document import LineDocument

TEXT = "".join(f"line {i}\n" for i in range(10))


def doc(text: str = TEXT, encoding=types.PositionEncodingKind.Utf16) -> LineDocument:
    from pygls.workspace.position_codec import PositionCodec

    return LineDocument("file:///tmp/x.py", text, position_codec=PositionCodec(encoding))


def edit(document: LineDocument, start: tuple[int, int], end: tuple[int, int], text: str):
    rng = types.Range(
        start=types.Position(line=start[0], character=start[1]),
        end=types.Position(line=end[0], character=end[1]),
    )
    document.apply_change(types.TextDocumentContentChangePartial(range=rng, text=text))
    return document.take_changes()[-1]


def test_split_lines_only_at_lsp_line_breaks():
    assert split_lines("a\x0cb\nc\u2028d\r\ne\rf") == ["a\x0cb\n", "c\u2028d\r\n", "e\r", "f"]
    assert split_lines("") == []


def test_document_splices_lines_and_describes_the_change():
    document = doc()
    change = edit(document, (2, 6), (2, 6), "\nnew a\nnew b")
    assert document.lines[2:5] == ["line 2\n", "new a\n", "new b\n"]
    assert document.source == TEXT.replace("line 2\n", "line 2\nnew a\nnew b\n")
    assert (change.start_line, change.end_line, change.line_delta) == (2, 2, 2)
    assert change.inserted_span() == (3, 4)
    assert change.old_text == "line 2\n" and change.new_text == "line 2\nnew a\nnew b\n"


def test_out_of_range_positions_are_clamped_not_fatal():
    document = doc("ab\ncd")
    edit(document, (9, 9), (12, 0), "X")
    assert document.source == "ab\ncdX"
    edit(document, (0, 99), (0, 99), "!")
    assert document.source == "ab!\ncdX"


def test_utf16_and_utf8_positions_address_the_same_code_point():
    text = "é😀x = 1\n"
    for encoding, column in (
        (types.PositionEncodingKind.Utf16, 3),
        (types.PositionEncodingKind.Utf8, 6),
        (types.PositionEncodingKind.Utf32, 2),
    ):
        document = doc(text, encoding)
        edit(document, (0, column), (0, column), "|")
        assert document.source == "é😀|x = 1\n", encoding


def test_full_sync_change_is_reduced_to_the_real_edit():
    document = doc()
    document.apply_change(
        types.TextDocumentContentChangeWholeDocument(text=TEXT.replace("line 4\n", "line 4X\n"))
    )
    change = document.take_changes()[-1]
    assert (
        change.start_line,
        change.start_char,
        change.end_line,
        change.end_char,
        change.text,
    ) == (4, 6, 4, 6, "X")


def region_after(region: tuple[int, int], document: LineDocument, start, end, text):
    regions = RegionSet()
    found = regions.add(region[0], region[1], "copilot")
    regions.apply(edit(document, start, end, text))
    return found.span() if regions.get(found.id) else None


def test_insertions_above_shift_and_inside_grow():
    assert region_after((4, 6), doc(), (1, 0), (1, 0), "a\nb\n") == (6, 8)
    assert region_after((4, 6), doc(), (4, 0), (4, 0), "above\n") == (5, 7)
    assert region_after((4, 6), doc(), (5, 0), (5, 0), "inside\n") == (4, 7)
    assert region_after((4, 6), doc(), (7, 0), (7, 0), "below\n") == (4, 6)
    assert region_after((4, 6), doc(), (6, 6), (6, 6), "\nafter the last line") == (4, 6)


def test_deletions_shift_shrink_and_remove():
    assert region_after((4, 6), doc(), (0, 0), (2, 0), "") == (2, 4)
    assert region_after((4, 6), doc(), (5, 0), (6, 0), "") == (4, 5)
    assert region_after((4, 6), doc(), (3, 0), (5, 0), "") == (3, 4)
    assert region_after((4, 6), doc(), (4, 0), (7, 0), "") is None
    assert region_after((4, 6), doc(), (4, 0), (6, 6), "typed over") is None


def test_typing_inside_a_line_keeps_it():
    assert region_after((4, 4), doc(), (4, 2), (4, 2), "xyz") == (4, 4)
    assert region_after((4, 4), doc(), (4, 3), (4, 3), "\n") == (4, 5)


def test_region_from_change_reverts_exactly():
    document = doc()
    change = edit(document, (2, 6), (2, 6), "\nai one\nai two")
    first, last, revert = region_from_change(change)
    assert (first, last) == (3, 4)
    whole = document.lines[first - revert.lead : last + revert.trail + 1]
    assert content_hash(whole) == revert.after_hash
    start, end = first - revert.lead, last + revert.trail
    restored = "".join(document.lines[:start]) + revert.earlier + "".join(document.lines[end + 1 :])
    assert restored == TEXT


def test_find_by_hash_prefers_the_hint_then_the_nearest():
    lines = split_lines("x\ny\nz\nx\ny\n")
    wanted = content_hash(["x\n", "y\n"])
    assert find_by_hash(lines, 3, 2, wanted) == 3
    assert find_by_hash(lines, 1, 2, wanted) == 0
    assert find_by_hash(lines, 0, 2, content_hash(["nope\n"] * 2)) is None
    assert find_by_hash(lines, 0, 9, wanted) is None


lines_strategy = st.lists(st.text(alphabet="ab é😀\t", max_size=6), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(lines_strategy, st.data())
def test_regions_follow_any_edit(raw_lines, data):
    """Text outside an edit keeps its region; a region whose lines an edit deletes whole is gone."""
    document = doc("\n".join(raw_lines) + "\n", types.PositionEncodingKind.Utf32)
    count = len(document.lines)
    first = data.draw(st.integers(0, count - 1))
    last = data.draw(st.integers(first, count - 1))
    before = document.lines[first : last + 1]
    s_line = data.draw(st.integers(0, count))
    e_line = data.draw(st.integers(s_line, count))
    s_char = data.draw(st.integers(0, 8))
    e_char = data.draw(st.integers(0, 8) if e_line > s_line else st.integers(s_char, 9))
    inserted = data.draw(st.text(alphabet="xy\n", max_size=6))
    start = document.to_server(types.Position(line=s_line, character=s_char))
    end = document.to_server(types.Position(line=e_line, character=e_char))
    regions = RegionSet()
    region = regions.add(first, last, "copilot")
    regions.apply(edit(document, (s_line, s_char), (e_line, e_char), inserted))
    assert "".join(document.lines) == document.source
    if end[0] < first or start[0] > last:
        assert regions.get(region.id) is not None
        assert document.lines[region.start : region.end + 1] == before
    if start <= (first, 0) and (last + 1, 0) <= end:
        assert regions.get(region.id) is None
