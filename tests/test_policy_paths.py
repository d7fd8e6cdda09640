"""Paths (docs/policy.md, "Paths"): normalisation, symlinks, Unicode, case, directories,
submodules, odd files."""

from __future__ import annotations

import os
import threading
import unicodedata

import pytest

from conftest import git
from ringfence.policy import Policy
from ringfence.policy.paths import find_root

POLICY = """version = 1
[[zone]]
name = "training-data"
path = ["training/**", "café/**"]
level = "human-only"
locked = true

[[zone]]
name = "docs"
path = "docs/"
level = "tagged"
"""


@pytest.fixture
def repo(make_repo):
    return make_repo(
        {
            ".ringfence.toml": POLICY,
            "training/gen.py": "x\n",
            "docs/guide.md": "g\n",
            "open/app.py": "a\n",
        }
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "training/gen.py",
        "./training/gen.py",
        "training//gen.py",
        "training/x/../gen.py",
        "open/../training/gen.py",
        *(["training\\gen.py", ".\\training\\gen.py"] if os.name == "nt" else []),
        "{root}/training/gen.py",
        "{root}//training/./gen.py",
    ],
)
def test_spellings_of_one_path_classify_alike(repo, spelling):
    decision = Policy(repo).classify(spelling.format(root=repo), cwd=str(repo))
    assert (decision.level.name, decision.zone.name, decision.relpath, decision.exists) == (
        "human-only",
        "training-data",
        "training/gen.py",
        True,
    )
    assert decision.path == spelling.format(root=repo)


def test_relative_paths_resolve_against_the_given_cwd(repo):
    p = Policy(repo)
    assert p.classify("gen.py", cwd=str(repo / "training")).level.name == "human-only"
    assert p.classify("../docs/guide.md", cwd=str(repo / "training")).level.name == "tagged"
    assert p.relpath("gen.py", str(repo / "training")) == "training/gen.py"


def test_paths_climbing_out_of_the_repository_are_outside(repo):
    decision = Policy(repo).classify("../../etc/passwd", cwd=str(repo / "training"))
    assert (decision.level.name, decision.relpath) == ("open", None)


def test_unicode_paths_are_matched_in_nfc(repo):
    nfd = unicodedata.normalize("NFD", "café")
    (repo / nfd).mkdir()
    (repo / nfd / "menu.txt").write_text("m\n")
    p = Policy(repo)
    for spelling in (f"{nfd}/menu.txt", "café/menu.txt"):
        decision = p.classify(spelling, cwd=str(repo))
        assert (decision.level.name, decision.relpath) == ("human-only", "café/menu.txt"), spelling
    assert p.classify(f"{nfd}/menu.txt", cwd=str(repo)).exists  # found on disk as spelled


def test_nested_policy_in_an_nfd_directory_applies(make_repo):
    nfd = unicodedata.normalize("NFD", "résumé")
    root = make_repo(
        {
            ".ringfence.toml": "version = 1\n",
            f"{nfd}/.ringfence.toml": 'version = 1\n[[zone]]\nname = "cv"\npath = "*.md"\n'
            'level = "internal"\n',
            f"{nfd}/a.md": "a\n",
        }
    )
    p = Policy(root)
    assert p.classify(f"{nfd}/a.md", cwd=str(root)).level.name == "internal"
    assert p.classify_many([f"{nfd}/a.md"], cwd=str(root))[0].level.name == "internal"
    walked = Policy(root)
    assert [f.relpath for f in walked.discover_all()] == [
        ".ringfence.toml",
        f"{nfd}/.ringfence.toml",
    ]
    assert not walked.errors


def test_symlinked_file_takes_the_stricter_of_link_and_target(repo):
    os.symlink(repo / "training/gen.py", repo / "open/alias.py")
    os.symlink(repo / "open/app.py", repo / "training/pointer.py")
    p = Policy(repo)
    via_open = p.classify(str(repo / "open/alias.py"))
    assert (via_open.level.name, via_open.zone.name, via_open.exists) == (
        "human-only",
        "training-data",
        True,
    )
    assert p.classify(str(repo / "training/pointer.py")).level.name == "human-only"


def test_symlinked_directory_and_dangling_link(repo):
    os.symlink(repo / "training", repo / "open/data")
    os.symlink(repo / "training/not-yet.py", repo / "open/dangling.py")
    p = Policy(repo)
    inside = p.classify(str(repo / "open/data/gen.py"))
    assert (inside.level.name, inside.exists) == ("human-only", True)
    new_file = p.classify(str(repo / "open/data/new.py"))
    assert (new_file.level.name, new_file.exists) == ("human-only", False)
    dangling = p.classify(str(repo / "open/dangling.py"))
    assert (dangling.level.name, dangling.exists) == ("human-only", False)


def test_a_symlink_from_outside_into_the_repository(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(repo / "training/gen.py", outside / "link.py")
    os.symlink(repo / "training", outside / "dir")
    p = Policy(repo)
    assert p.classify(str(outside / "link.py")).level.name == "human-only"
    assert p.classify(str(outside / "dir/gen.py")).level.name == "human-only"
    assert p.classify(str(outside / "unrelated.py")).level.name == "open"


def test_a_symlink_out_of_the_repository_keeps_its_own_level(repo, tmp_path):
    (tmp_path / "elsewhere.py").write_text("e\n")
    os.symlink(tmp_path / "elsewhere.py", repo / "training/out.py")
    assert Policy(repo).classify(str(repo / "training/out.py")).level.name == "human-only"


def test_the_repository_reached_through_a_symlink(repo, tmp_path):
    os.symlink(repo, tmp_path / "alias")
    p = Policy(tmp_path / "alias")
    assert p.classify(str(tmp_path / "alias/training/gen.py")).level.name == "human-only"
    assert p.classify(str(repo / "training/gen.py")).level.name == "human-only"
    assert [
        d.level.name
        for d in p.classify_many(["training/gen.py", "docs/x"], cwd=str(tmp_path / "alias"))
    ] == ["human-only", "tagged"]


def test_directories(repo):
    p = Policy(repo)
    for spelling in ("training", "training/", str(repo / "docs")):
        assert p.classify(spelling, cwd=str(repo)).level.name != "open", spelling
    assert (
        p.classify("training", cwd=str(repo)).level.name == "human-only"
    )  # training/** covers the directory
    assert p.classify("docs", cwd=str(repo)).level.name == "tagged"
    assert p.classify("open", cwd=str(repo)).level.name == "open"


def test_ignore_case_setting(make_repo):
    root = make_repo(
        {".ringfence.toml": POLICY.replace("version = 1\n", "version = 1\nignore-case = true\n")}
    )
    p = Policy(root)
    assert p.classify("TRAINING/Gen.PY", cwd=str(root)).level.name == "human-only"
    assert p.classify_many(["Training/x", "DOCS/y"], cwd=str(root))[0].level.name == "human-only"
    upper_root = str(root).upper() if str(root).upper() != str(root) else None
    if upper_root:  # the root prefix is compared without case too
        assert p.relpath(upper_root + "/training/gen.py", "/") == "training/gen.py"
    strict = Policy(make_repo({".ringfence.toml": POLICY}))
    assert strict.classify("TRAINING/gen.py", cwd=str(strict.root)).level.name == "open"


def test_submodule_files_get_the_superproject_policy(make_repo, tmp_path):
    library = make_repo(
        {
            "lib.py": "x\n",
            ".ringfence.toml": 'version = 1\ndefault = "human-only"\n'
            '[[zone]]\nname = "lib"\npath = "secret/**"\nlevel = "internal"\n',
        }
    )
    super_root = make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "vendor"\npath = "vendor/**"\n'
            'level = "tagged"\n'
        }
    )
    git(
        super_root,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(library),
        "vendor/lib",
    )
    inside = super_root / "vendor/lib"
    assert find_root(inside / "lib.py") == str(super_root)
    p = Policy(find_root(inside / "lib.py"))
    assert p.classify(str(inside / "lib.py")).level.name == "tagged"
    assert (
        p.classify(str(inside / "secret/k.py")).level.name == "internal"
    )  # its zones apply as a nested file
    assert not p.errors
    assert any("'default' ignored" in w for w in p.warnings)


def test_find_root_outside_git_uses_the_fallback(tmp_path):
    (tmp_path / "a/b").mkdir(parents=True)
    assert find_root(tmp_path / "a/b", fallback=str(tmp_path / "a")) == str(tmp_path / "a")


def test_special_files_are_never_opened(repo):
    fifo = repo / "open/pipe.py"
    os.mkfifo(fifo)
    result = {}

    def classify():
        result["decision"] = Policy(repo).classify(str(fifo))
        result["view"] = Policy(repo).view(str(fifo))
        result["many"] = Policy(repo).classify_many(["open/pipe.py"], cwd=str(repo))

    worker = threading.Thread(target=classify, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "classifying a FIFO blocked"
    assert result["decision"].exists and result["view"].markers.header is None


def test_binary_and_huge_files(repo):
    (repo / "open/blob.py").write_bytes(b"# ringfence: human-only\n\0\0binary")
    huge = "# ringfence: internal\n" + "x = 1\n" * 1_500_000 + "# ringfence: begin human-only\n"
    (repo / "open/huge.py").write_text(huge)
    p = Policy(repo)
    assert p.classify(str(repo / "open/blob.py")).level.name == "open"  # binary: no markers
    view = p.view(str(repo / "open/huge.py"))
    assert (
        view.decision.level.name == "internal" and view.markers.regions == []
    )  # head only past 8 MB
    assert p.classify(str(repo / "open/huge.py")).level.name == "internal"


def test_non_utf8_content_still_yields_markers(repo):
    (repo / "open/latin.py").write_bytes(b"# caf\xe9\n# ringfence: internal\n")
    assert Policy(repo).classify(str(repo / "open/latin.py")).level.name == "internal"


@pytest.mark.skipif(os.name == "nt", reason="on Windows '\\' is a separator: the test above")
def test_a_backslash_is_part_of_a_file_name_on_posix_and_the_separator_reading_can_only_raise(repo):
    """``training\\gen.py`` is a file at the root on POSIX, but a Windows tool would read it as
    ``training/gen.py``: the stricter reading wins. ``training/a\\..\\..\\x.py`` is a file inside
    ``training/`` (never ``x.py`` at the root)."""
    policy = Policy(repo)
    decision = policy.classify("training\\gen.py", cwd=str(repo))
    assert (decision.level.name, decision.zone.name) == ("human-only", "training-data")
    inside = policy.classify("training/a\\..\\..\\x.py", cwd=str(repo))
    assert (inside.level.name, inside.relpath) == ("human-only", "training/a\\..\\..\\x.py")
    assert policy.relpath("training/a\\..\\x.py", str(repo)) == "training/a\\..\\x.py"
