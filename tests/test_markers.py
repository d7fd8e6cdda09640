"""In-file markers (docs/policy.md, "Markers in files"): header and region markers in each
language's comment syntax.

A marker is a whole comment line whose text starts with ``ringfence:``; a string literal holding
the words never counts; markers only raise levels (RF104 otherwise) and regions must balance
(RF102).
"""

from __future__ import annotations

import pytest

from ringfence.policy import Policy
from ringfence.policy.comments import comment_line
from ringfence.policy.levels import BUILTIN_LEVELS
from ringfence.policy.markers import scan_markers

LEVELS = set(BUILTIN_LEVELS)


@pytest.mark.parametrize(
    "path, line",
    [
        ("a.py", "# ringfence: human-only"),
        ("a.sh", "#ringfence:human-only"),
        ("a.yaml", "   # ringfence: human-only"),
        ("a.js", "// ringfence: human-only"),
        ("a.ts", "/* ringfence: human-only */"),
        ("a.go", "\t// ringfence: human-only"),
        ("a.rs", "// ringfence: human-only"),
        ("a.css", "/* ringfence: human-only */"),
        ("a.html", "<!-- ringfence: human-only -->"),
        ("README.md", "<!-- ringfence: human-only -->"),
        ("a.sql", "-- ringfence: human-only"),
        ("a.lua", "-- ringfence: human-only"),
        ("a.hs", "{- ringfence: human-only -}"),
        ("a.clj", "; ringfence: human-only"),
        ("a.tex", "% ringfence: human-only"),
        ("a.erl", "% ringfence: human-only"),
        ("a.vim", '" ringfence: human-only'),
        ("a.vb", "' ringfence: human-only"),
        ("a.f90", "! ringfence: human-only"),
        ("a.bat", "rem ringfence: human-only"),
        ("a.cmd", ":: ringfence: human-only"),
        ("a.ml", "(* ringfence: human-only *)"),
        ("Makefile", "# ringfence: human-only"),
        ("Dockerfile", "# ringfence: human-only"),
        ("a.py", "# ringfence: human-only\r"),
    ],
)
def test_header_marker_in_each_comment_syntax(path, line):
    scan = scan_markers(path, f"first\n{line}\nrest\n", LEVELS)
    assert scan.header is not None and (scan.header.level, scan.header.line) == ("human-only", 1), (
        path,
        line,
    )
    assert scan.marker_lines == {1}


@pytest.mark.parametrize(
    "path, text",
    [
        ("a.py", 'x = "# ringfence: human-only"\n'),
        ("a.py", "x = 1  # ringfence: human-only\n"),
        ("a.py", '"""Docs.\n# ringfence: human-only\n"""\n'),
        ("a.py", "def f():\n    '''\n    # ringfence: human-only\n    '''\n"),
        ("a.js", 'const s = "// ringfence: human-only";\n'),
        ("a.js", "f(); // ringfence: human-only\n"),
        ("a.py", "// ringfence: human-only\n"),  # not Python's comment syntax
        ("a.js", "# ringfence: human-only\n"),
        ("data.json", '{"a": "# ringfence: human-only"}\n'),
        ("data.csv", "# ringfence: human-only\n"),
        ("data.jsonl", "// ringfence: human-only\n"),
        ("a.py", "# see ringfence: human-only below\n"),
        ("a.py", "# RINGFENCE: human-only\n"),
    ],
)
def test_text_that_is_not_a_marker(path, text):
    scan = scan_markers(path, text, LEVELS)
    assert scan.header is None and not scan.regions and not scan.problems, (path, text)


def test_language_id_and_shebang_choose_the_syntax():
    assert scan_markers("notes.txt", "# ringfence: internal\n", LEVELS).header is None
    assert (
        scan_markers("notes.txt", "# ringfence: internal\n", LEVELS, "python").header.level
        == "internal"
    )
    assert (
        scan_markers("bin/deploy", "#!/bin/sh\n# ringfence: internal\n", LEVELS).header.level
        == "internal"
    )
    assert (
        scan_markers("bin/deploy", "# ringfence: internal\n", LEVELS).header is None
    )  # no #!: unknown syntax


def test_header_must_be_in_the_first_ten_lines():
    early = scan_markers("a.py", "\n" * 9 + "# ringfence: internal\n", LEVELS)
    late = scan_markers("a.py", "\n" * 10 + "# ringfence: internal\n", LEVELS)
    assert early.header.line == 9 and late.header is None
    assert [(p.code, p.line) for p in late.problems] == [("RF104", 10)]


def test_reason_and_first_header_wins():
    scan = scan_markers(
        "a.py", '# ringfence: internal reason="rotated by hand"\n# ringfence: human-only\n', LEVELS
    )
    assert (scan.header.level, scan.header.reason) == ("internal", "rotated by hand")


def test_unknown_levels_are_rf104():
    scan = scan_markers(
        "a.py",
        "# ringfence: secret\nx\n# ringfence: begin classified\ny\n# ringfence: end\n",
        LEVELS,
    )
    assert [(p.code, p.line) for p in scan.problems] == [("RF104", 0), ("RF104", 2)]
    assert scan.header is None
    assert [(r.start, r.end, r.level) for r in scan.regions] == [
        (2, 4, "internal")
    ]  # unreadable: fails closed


def test_regions_nest_and_close_innermost_first():
    text = (
        "a\n# ringfence: begin internal\nb\n# ringfence: begin human-only\nc\n# ringfence: end\nd\n"
        "# ringfence: end\ne\n"
    )
    scan = scan_markers("a.py", text, LEVELS)
    assert sorted((r.start, r.end, r.level) for r in scan.regions) == [
        (1, 7, "internal"),
        (3, 5, "human-only"),
    ]
    assert not scan.problems and scan.marker_lines == {1, 3, 5, 7}


@pytest.mark.parametrize(
    "path, begin, end",
    [
        ("a.c", "/* ringfence: begin human-only */", "/* ringfence: end */"),
        ("a.html", "<!-- ringfence: begin human-only -->", "<!-- ringfence: end -->"),
        ("a.sql", "-- ringfence: begin human-only", "-- ringfence: end"),
    ],
)
def test_region_markers_in_block_and_line_comments(path, begin, end):
    scan = scan_markers(path, f"x\n{begin}\ny\n{end}\nz\n", LEVELS)
    assert [(r.start, r.end, r.level) for r in scan.regions] == [(1, 3, "human-only")]


def test_unbalanced_regions_are_rf102():
    stray = scan_markers("a.py", "x\n# ringfence: end\n", LEVELS)
    assert [(p.code, p.line) for p in stray.problems] == [("RF102", 1)]
    unclosed = scan_markers("a.py", "x\n# ringfence: begin human-only\ny\nz\n", LEVELS)
    assert [(p.code, p.line) for p in unclosed.problems] == [("RF102", 1)]
    assert [(r.start, r.end) for r in unclosed.regions] == [(1, 4)]  # to the end of the file


def test_provenance_comment_blocks():
    text = "a\n# ringfence: ai-begin tool=copilot model=gpt-4o\nb\n# ringfence: ai-end\n"
    (block,) = scan_markers("a.py", text, LEVELS).provenance
    assert (block.start, block.end, block.tool, block.model) == (1, 3, "copilot", "gpt-4o")


def test_comment_line_renders_in_the_file_syntax():
    assert comment_line("a.py", "ringfence: end") == "# ringfence: end"
    assert comment_line("a.ts", "ringfence: end") == "// ringfence: end"
    assert comment_line("a.html", "ringfence: end") == "<!-- ringfence: end -->"
    assert comment_line("a.json", "ringfence: end") is None
    for path in ("a.py", "a.ts", "a.html", "a.sql", "a.ml"):
        line = comment_line(path, "ringfence: internal")
        assert scan_markers(path, line + "\n", LEVELS).header.level == "internal", path


# ----- markers in the policy: raise only ----------------------------------------------------------


@pytest.fixture
def repo(make_repo):
    return make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "serving"\npath = "serving/**"\n'
            'level = "internal"\n'
        }
    )


def test_regions_raise_lines_and_never_lower(repo):
    text = (
        "import os\n# ringfence: begin human-only\nKEY = 1\n# ringfence: end\n"
        "# ringfence: begin open\nx = 2\n# ringfence: end\n"
    )
    (repo / "serving").mkdir()
    (repo / "serving/a.py").write_text(text)
    view = Policy(repo).view(str(repo / "serving/a.py"))
    assert [view.level_at(i).name for i in range(7)] == [
        "internal",
        "human-only",
        "human-only",
        "human-only",
        "internal",
        "internal",
        "internal",
    ]
    assert view.levels_for(0, 6).name == "human-only"
    assert [(p.code, p.line) for p in view.markers.problems] == [("RF104", 4)]


def test_a_nested_region_may_not_lower_its_enclosing_region(repo):
    text = (
        "# ringfence: begin human-only\n# ringfence: begin tagged\nx\n"
        "# ringfence: end\n# ringfence: end\n"
    )
    (repo / "app.py").write_text(text)
    view = Policy(repo).view(str(repo / "app.py"))
    assert view.level_at(2).name == "human-only"
    assert [(p.code, p.line) for p in view.markers.problems] == [("RF104", 1)]


def test_view_reads_unsaved_content_and_language(repo):
    p = Policy(repo)
    view = p.view(
        str(repo / "notes.txt"), content="# ringfence: human-only\n", language_id="python"
    )
    assert (view.decision.level.name, view.decision.source, view.decision.rule) == (
        "human-only",
        "marker",
        "notes.txt:1",
    )
    assert (
        p.view(str(repo / "notes.txt"), content="# ringfence: human-only\n").decision.level.name
        == "open"
    )


def test_header_marker_from_disk_in_classify_and_batch(repo):
    (repo / "app").mkdir()
    (repo / "app/keys.py").write_text("# ringfence: human-only\n")
    (repo / "app/notes.json").write_text('{"x": 1}\n# ringfence: human-only\n')
    p = Policy(repo)
    assert p.classify("app/keys.py", cwd=str(repo)).source == "marker"
    many = p.classify_many(["app/keys.py", "app/notes.json"], cwd=str(repo))
    assert [(d.level.name, d.source, d.rule) for d in many] == [
        ("human-only", "marker", "app/keys.py:1"),
        ("open", "default", None),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "a.py",
        "dir/x.PY",
        "Makefile",
        "src/Dockerfile",
        "CMakeLists.txt",
        ".gitignore",
        ".bashrc",
        "bin/deploy",
        "a.json",
        "a.tar.gz",
        ".x.py",
        "dir.d/file",
        "a.",
        "x/.env",
        "README.md",
        "data.csv",
        "notes.txt",
    ],
)
def test_which_files_are_read_for_markers(path):
    """Files are read for markers when their syntax is known by name, or they have no extension."""
    import posixpath

    from ringfence.policy.comments import comment_syntax, may_have_markers

    expected = comment_syntax(path) is not None or "." not in posixpath.basename(path).lstrip(".")
    assert may_have_markers(path) == expected
