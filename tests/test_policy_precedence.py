"""Precedence (docs/policy.md, "Precedence"), one rule per test, each on a real git repository
in a temp dir.

Every test is written so that it fails if its rule breaks: the expected level differs from what
the neighbouring rule would give.
"""

from __future__ import annotations

import os

import pytest

from ringfence.policy import Policy


def policy(make_repo, files: dict[str, str | bytes]) -> Policy:
    return Policy(make_repo(files))


def zone(name: str, path, level: str, *, locked: bool = False, reason: str = "") -> str:
    paths = path if isinstance(path, str) else None
    value = f'"{paths}"' if paths is not None else "[" + ", ".join(f'"{p}"' for p in path) + "]"
    text = f'\n[[zone]]\nname = "{name}"\npath = {value}\nlevel = "{level}"\n'
    if reason:
        text += f'reason = "{reason}"\n'
    if locked:
        text += "locked = true\n"
    return text


def levels(p: Policy, *paths: str) -> list[str]:
    return [p.classify(os.path.join(p.root, path)).level.name for path in paths]


# ----- within one file: the last matching zone wins ---------------------------------------------


def test_last_matching_zone_wins_within_a_file(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("docs", "docs/**", "tagged")
            + zone("md", "docs/*.md", "open")
        },
    )
    assert levels(p, "docs/a.md", "docs/a.py") == ["open", "tagged"]
    reversed_order = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("md", "docs/*.md", "open")
            + zone("docs", "docs/**", "tagged")
        },
    )
    assert levels(reversed_order, "docs/a.md", "docs/a.py") == ["tagged", "tagged"]


def test_a_later_directory_pattern_beats_an_earlier_file_pattern(make_repo):
    """A directory zone decides for the files below it when it comes last (pathspec alone
    would prefer the file pattern)."""
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("python", "*.py", "tagged")
            + zone("secret", "secret/", "human-only")
        },
    )
    assert levels(p, "secret/a.py", "other/a.py") == ["human-only", "tagged"]
    flipped = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("secret", "secret", "human-only")
            + zone("python", "*.py", "tagged")
        },
    )
    assert levels(flipped, "secret/a.py", "secret/a.txt") == ["tagged", "human-only"]


def test_rule_names_the_deciding_zone_header(make_repo):
    text = (
        "version = 1\n"
        + zone("one", ["a/**", "b/**"], "internal")
        + zone("two", "b/x/**", "tagged")
    )
    p = policy(make_repo, {".ringfence.toml": text})
    a, b, bx = (p.classify(os.path.join(p.root, x)) for x in ("a/f", "b/f", "b/x/f"))
    assert (a.rule, b.rule, bx.rule) == (
        ".ringfence.toml:3",
        ".ringfence.toml:3",
        ".ringfence.toml:8",
    )
    assert (a.zone.name, bx.zone.name, bx.source) == ("one", "two", "zone")


# ----- across files: the deepest file with a match wins ------------------------------------------


def test_deeper_policy_file_wins_lower_and_higher(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n" + zone("docs", "docs/**", "tagged"),
            "docs/.ringfence.toml": "version = 1\n"
            + zone("generated", "generated/**", "open")
            + zone("drafts", "drafts/**", "human-only"),
        },
    )
    assert levels(p, "docs/guide.md", "docs/generated/api.md", "docs/drafts/x.md") == [
        "tagged",
        "open",
        "human-only",
    ]
    decision = p.classify(os.path.join(p.root, "docs/generated/api.md"))
    assert decision.rule == "docs/.ringfence.toml:3"


def test_nested_patterns_are_relative_to_their_directory(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n",
            "docs/.ringfence.toml": "version = 1\n"
            + zone("top-md", "/*.md", "internal")
            + zone("any-txt", "*.txt", "tagged"),
        },
    )
    assert levels(p, "docs/a.md", "docs/sub/a.md", "a.md") == ["internal", "open", "open"]
    assert levels(p, "docs/sub/deep/n.txt", "n.txt", "other/n.txt") == ["tagged", "open", "open"]


def test_a_deeper_file_without_a_match_leaves_the_shallower_decision(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n" + zone("serving", "serving/**", "internal"),
            "serving/.ringfence.toml": "version = 1\n" + zone("public", "public/**", "open"),
        },
    )
    assert levels(p, "serving/model.py", "serving/public/readme.md") == ["internal", "open"]


# ----- locked floors ------------------------------------------------------------------------------


def test_locked_zone_is_a_floor_for_deeper_files(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("training-data", "training/**", "human-only", locked=True),
            "training/.ringfence.toml": "version = 1\n" + zone("loosen", "**", "open"),
        },
    )
    decision = p.classify(os.path.join(p.root, "training/gen.py"))
    assert decision.level.name == "human-only"
    assert decision.zone.name == "training-data"
    assert any(note.startswith("RF101:") and "'loosen'" in note for note in decision.notes)


def test_a_deeper_file_may_raise_a_locked_floor(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("serving", "serving/**", "internal", locked=True),
            "serving/.ringfence.toml": "version = 1\n"
            + zone("keys", "keys/**", "human-only")
            + zone("same", "api/**", "internal"),
        },
    )
    assert levels(p, "serving/keys/k.py", "serving/api/a.py", "serving/x.py") == [
        "human-only",
        "internal",
        "internal",
    ]
    assert p.classify(os.path.join(p.root, "serving/api/a.py")).zone.name == "same"


def test_the_floor_stays_below_a_deeper_raise(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n" + zone("floor", "a/**", "tagged", locked=True),
            "a/.ringfence.toml": "version = 1\n" + zone("raise", "b/**", "human-only"),
            "a/b/.ringfence.toml": "version = 1\n"
            + zone("too-low", "c/**", "open")
            + zone("ok", "d/**", "internal"),
        },
    )
    assert levels(p, "a/b/c/x", "a/b/d/x", "a/b/x") == ["human-only", "internal", "human-only"]
    assert p.classify(os.path.join(p.root, "a/b/c/x")).zone.name == "raise"


def test_locked_binds_deeper_files_only(make_repo):
    """Within its own file the last match still wins: the owner can carve exceptions."""
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("training", "training/**", "human-only", locked=True)
            + zone("readme", "training/README.md", "tagged")
        },
    )
    assert levels(p, "training/README.md", "training/gen.py") == ["tagged", "human-only"]


def test_floor_violations_are_found_statically(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("training", "training/**", "human-only", locked=True),
            "training/.ringfence.toml": "version = 1\n"
            + zone("loosen", "scratch/*.py", "open")
            + zone("fine", "more/**", "human-only"),
            "docs/.ringfence.toml": "version = 1\n" + zone("elsewhere", "**", "open"),
        },
    )
    p.discover_all()
    found = [(z.name, f.name) for z, f in p.floor_violations()]
    assert found == [("loosen", "training")]


def test_floor_violation_found_from_the_floor_side(make_repo):
    """A broad deeper zone ('**') that lowers part of a locked zone is reported too."""
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n"
            + zone("keys", "app/keys/**", "internal", locked=True),
            "app/.ringfence.toml": "version = 1\n" + zone("everything", "**", "tagged"),
        },
    )
    p.discover_all()
    assert [(z.name, f.name) for z, f in p.floor_violations()] == [("everything", "keys")]


# ----- default ------------------------------------------------------------------------------------


def test_unmatched_paths_get_the_root_default(make_repo):
    p = policy(
        make_repo,
        {".ringfence.toml": 'version = 1\ndefault = "tagged"\n' + zone("x", "x/**", "open")},
    )
    decision = p.classify(os.path.join(p.root, "src/app.py"))
    assert (decision.level.name, decision.source, decision.rule, decision.zone) == (
        "tagged",
        "default",
        None,
        None,
    )
    assert levels(p, "x/y") == ["open"]


def test_no_policy_means_open(make_repo):
    p = policy(make_repo, {"src/app.py": "print()\n"})
    assert levels(p, "src/app.py") == ["open"]
    assert p.root_file is None and not p.errors


def test_paths_outside_the_repository_are_open(make_repo, tmp_path):
    p = policy(make_repo, {".ringfence.toml": 'version = 1\ndefault = "human-only"\n'})
    decision = p.classify(str(tmp_path / "elsewhere.py"))
    assert (decision.level.name, decision.relpath, decision.source) == ("open", None, "default")


# ----- markers and imports only raise ------------------------------------------------------------


def test_header_marker_raises_and_never_lowers(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n" + zone("serving", "serving/**", "internal"),
            "app/keys.py": '"""Keys."""\n# ringfence: human-only reason="rotated by hand"\n'
            "KEY = 1\n",
            "serving/lower.py": "# ringfence: open\nx = 1\n",
        },
    )
    raised = p.classify(os.path.join(p.root, "app/keys.py"))
    assert (raised.level.name, raised.source, raised.rule, raised.reason) == (
        "human-only",
        "marker",
        "app/keys.py:2",
        "rotated by hand",
    )
    lowered = p.classify(os.path.join(p.root, "serving/lower.py"))
    assert (lowered.level.name, lowered.source) == ("internal", "zone")
    assert any(n.startswith("RF104") for n in lowered.notes)


def test_imported_ignore_files_raise_only(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n" + zone("vault", "notes/vault/**", "human-only"),
            ".cursorignore": "# hand-written\nnotes/\n",
        },
    )
    notes, vault = (
        p.classify(os.path.join(p.root, x)) for x in ("notes/todo.md", "notes/vault/k.md")
    )
    assert (notes.level.name, notes.source, notes.rule, notes.zone) == (
        "internal",
        "import",
        ".cursorignore:2",
        None,
    )
    assert (vault.level.name, vault.source) == ("human-only", "zone")


def test_import_level_and_switch(make_repo):
    higher = policy(
        make_repo,
        {
            ".ringfence.toml": 'version = 1\n[import]\nlevel = "human-only"\n',
            ".aiignore": "data/\n",
        },
    )
    assert levels(higher, "data/x.csv") == ["human-only"]
    off = policy(
        make_repo,
        {".ringfence.toml": "version = 1\n[import]\nenabled = false\n", ".aiignore": "data/\n"},
    )
    assert levels(off, "data/x.csv") == ["open"]


def test_each_ignore_file_uses_its_own_rules(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n",
            "sub/.cursorignore": "*.log\n!keep.log\n",
            "gem/.aiexclude": "*.log\n!keep.log\n",
            "all/.aiexclude": "# nothing but comments\n",
            "exported/.cursorignore": "hand.txt\n"
            "# >>> ringfence (generated; edit .ringfence.toml instead)\n"
            "gen.txt\n# <<< ringfence\n",
        },
    )
    assert levels(p, "sub/a.log", "sub/keep.log", "a.log") == ["internal", "open", "open"]
    assert levels(p, "gem/a.log", "gem/keep.log") == [
        "internal",
        "internal",
    ]  # .aiexclude: no negation
    everything = p.classify(os.path.join(p.root, "all/deep/x.py"))
    assert (everything.level.name, everything.rule) == ("internal", "all/.aiexclude")
    assert levels(p, "exported/hand.txt", "exported/gen.txt") == ["internal", "open"]


# ----- levels -------------------------------------------------------------------------------------


def test_custom_level_ranks_between_builtins(make_repo):
    text = (
        'version = 1\n[levels.restricted]\nrank = 25\nexternal-edits = "deny"\n'
        'inhouse-edits = "deny"\nexternal-context = "deny"\n' + zone("r", "r/**", "restricted")
    )
    p = policy(make_repo, {".ringfence.toml": text, ".cursorignore": "r/\n"})
    decision = p.classify(os.path.join(p.root, "r/x.py"))
    assert (decision.level.name, decision.level.rank, decision.source) == ("restricted", 25, "zone")
    assert decision.level.inhouse_edits == "deny"


# ----- failing closed -----------------------------------------------------------------------------


def test_invalid_root_policy_fails_closed(make_repo):
    p = policy(
        make_repo,
        {".ringfence.toml": "version = 1\n" + zone("docs", "docs/**", "open") + "oops = 1\n"},
    )
    decision = p.classify(os.path.join(p.root, "docs/a.md"))
    assert decision.level.name == "internal" and decision.error
    assert p.root_failed and p.errors


def test_invalid_nested_policy_fails_closed_for_its_subtree_only(make_repo):
    p = policy(
        make_repo,
        {
            ".ringfence.toml": "version = 1\n",
            "broken/.ringfence.toml": "version = 1\n[[zone]]\nname = 1\n",
            "broken2/.ringfence.toml": b"version = 1\n# caf\xe9\n",
            "broken3/.ringfence.toml/placeholder": "a directory where the policy file should be",
        },
    )
    assert levels(p, "ok/a.py", "broken/a.py", "broken2/a.py", "broken3/a.py") == [
        "open",
        "internal",
        "internal",
        "internal",
    ]
    messages = [str(e) for e in p.errors]
    assert any(m.startswith("broken2/.ringfence.toml:2:6: not UTF-8") for m in messages), messages
    assert any(m.startswith("broken3/.ringfence.toml:1:1:") for m in messages), messages


# ----- one answer however it is asked -------------------------------------------------------------


@pytest.mark.parametrize("cwd_sub", ["", "src"])
def test_classify_many_equals_classify(make_repo, cwd_sub):
    root = make_repo(
        {
            ".ringfence.toml": 'version = 1\ndefault = "tagged"\n'
            + zone("a", "src/a/**", "internal")
            + zone("py", "*.py", "open")
            + zone("lock", "src/locked/**", "human-only", locked=True),
            "src/locked/.ringfence.toml": "version = 1\n" + zone("low", "**", "open"),
            "src/b/.cursorignore": "*.txt\n",
            "src/a/x.py": "x = 1\n",
            "src/m.py": "# ringfence: human-only\n",
            "src/b/n.txt": "n\n",
            "src/locked/l.py": "l\n",
        }
    )
    os.symlink(root / "src/b/n.txt", root / "src/link.py")
    p = Policy(root)
    cwd = str(root / cwd_sub) if cwd_sub else str(root)
    prefix = "" if cwd_sub else "src/"
    queries = [
        f"{prefix}a/x.py",
        f"{prefix}m.py",
        f"{prefix}b/n.txt",
        f"{prefix}locked/l.py",
        f"{prefix}link.py",
        f"{prefix}missing/q.py",
        f"./{prefix}a//x.py",
        f"{prefix}a/../m.py",
        str(root / "src/b"),
        "/etc/passwd",
        f"{prefix}a\\x.py",
        f"{prefix}b/new.txt",
        f"{prefix}a",
    ]
    many = p.classify_many(queries, cwd=cwd)
    fresh = Policy(root)
    one = [fresh.classify(q, cwd=cwd) for q in queries]
    assert [d.to_json() for d in many] == [d.to_json() for d in one]
    assert [(d.relpath, d.notes, d.error) for d in many] == [
        (d.relpath, d.notes, d.error) for d in one
    ]
    # *.py comes after src/a/**; the marker raises; the import raises; the floor holds; the
    # symlink takes its target's stricter level; a missing path is classified by its name.
    assert [d.level.name for d in many][:6] == [
        "open",
        "human-only",
        "internal",
        "human-only",
        "internal",
        "open",
    ]
