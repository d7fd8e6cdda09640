"""Loading policy files (docs/policy.md, "The policy file" and "Errors"): every key, the
defaults, and every error as FILE:LINE:COL."""

from __future__ import annotations

import os

import pytest

from conftest import run_cli
from ringfence.policy import Policy
from ringfence.policy.loader import parse_policy

FULL = """version = 1
default = "tagged"
inhouse-tools = ["MetaCode", "helper"]
ignore-case = true

[levels.restricted]
rank = 25
external-edits = "deny"
inhouse-edits = "deny"
external-context = "deny"

[assistant]
name = "metacode"
kind = "command"
command = ["metacode", "complete", "--stdin"]
api-key-env = "METACODE_API_KEY"

[import]
enabled = false
level = "human-only"

[provenance]
style = "comment"
auto-tag-agents = false

[history]
enabled = false
trailer-keys = ["Co-Authored-By"]
ai-names = ["claude"]
ai-authors = ["bot"]

[[zone]]
name = "training-data"
path = ["training/**", "evals/**"]
level = "restricted"
reason = "Handwritten only."
owner = "@ml"
locked = true
"""


def errors(text: str, *, relpath: str = ".ringfence.toml", is_root: bool = True) -> list[str]:
    base = os.path.dirname(relpath)
    return [str(e) for e in parse_policy(text, relpath, base, is_root=is_root).errors]


def test_every_key_is_read():
    parsed = parse_policy(FULL, ".ringfence.toml", "", is_root=True)
    assert parsed.errors == []
    s = parsed.settings
    assert (s.default, s.inhouse_tools, s.ignore_case) == ("tagged", ("metacode", "helper"), True)
    assert s.levels["restricted"].rank == 25 and s.levels["restricted"].inhouse_edits == "deny"
    assert (s.assistant.name, s.assistant.kind, s.assistant.command, s.assistant.api_key_env) == (
        "metacode",
        "command",
        ("metacode", "complete", "--stdin"),
        "METACODE_API_KEY",
    )
    assert (s.import_enabled, s.import_level, s.provenance_style, s.auto_tag_agents) == (
        False,
        "human-only",
        "comment",
        False,
    )
    assert (s.history.enabled, s.history.trailer_keys, s.history.ai_names) == (
        False,
        ("co-authored-by",),
        ("claude",),
    )
    (zone,) = parsed.zones
    assert (
        zone.name,
        zone.patterns,
        zone.level,
        zone.reason,
        zone.owner,
        zone.locked,
        zone.line,
        zone.rule,
    ) == (
        "training-data",
        ("training/**", "evals/**"),
        "restricted",
        "Handwritten only.",
        "@ml",
        True,
        32,
        ".ringfence.toml:32",
    )


def test_defaults():
    parsed = parse_policy(
        'version = 1\n[[zone]]\nname = "z"\npath = "a"\nlevel = "open"\n',
        ".ringfence.toml",
        "",
        is_root=True,
    )
    s = parsed.settings
    assert (s.default, s.import_enabled, s.import_level, s.provenance_style, s.auto_tag_agents) == (
        "open",
        True,
        "internal",
        "trace",
        True,
    )
    assert (s.assistant, s.ignore_case, parsed.zones[0].locked, parsed.zones[0].reason) == (
        None,
        False,
        False,
        "",
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "version = 1\n[[zone]\n",
            ".ringfence.toml:2:7: TOML syntax: Expected ']]' at the end of an array declaration",
        ),
        (
            'version = 1\ndefualt = "open"\n',
            ".ringfence.toml:2:1: unknown key 'defualt' in the policy (did you mean 'default'?)",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = "a"\nlevl = "open"\n',
            ".ringfence.toml:5:1: unknown key 'levl' in [[zone]] (did you mean 'level'?)",
        ),
        (
            'version = 1\nignore-case = "yes"\n',
            ".ringfence.toml:2:1: policy.ignore-case must be true or false, not str",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = "a"\nlevel = "secret"\n',
            ".ringfence.toml:5:1: zone 'z': unknown level 'secret'",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = "a"\nlevel = "human_only"\n',
            ".ringfence.toml:5:1: zone 'z': unknown level 'human_only' "
            "(did you mean 'human-only'?)",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = "!keep/**"\nlevel = "open"\n',
            ".ringfence.toml:4:1: zone 'z': negation is not supported in zones: '!keep/**' "
            "(use a later zone with a lower level)",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = ["ok/**", "../up/**"]\nlevel = "open"\n',
            ".ringfence.toml:4:1: zone 'z': pattern climbs out of its directory: '../up/**'",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = ""\nlevel = "open"\n',
            ".ringfence.toml:4:1: zone 'z': empty pattern",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = []\nlevel = "open"\n',
            ".ringfence.toml:4:1: zone z: path must be a glob or a non-empty array of globs",
        ),
        (
            'version = 1\n[levels.a]\nrank = 10\nexternal-edits = "deny"\ninhouse-edits = "deny"\n'
            'external-context = "deny"\n',
            ".ringfence.toml:3:1: level rank clash: 'a' and 'tagged' both have rank 10",
        ),
        (
            'version = 1\n[levels.loose]\nrank = 35\nexternal-edits = "allow"\n'
            'inhouse-edits = "deny"\n'
            'external-context = "deny"\n',
            ".ringfence.toml:3:1: level 'loose' (rank 35) is less strict than 'tagged' "
            "(rank 10) in external-edits: a higher rank must be at least as strict",
        ),
        (
            'version = 1\n[levels.open]\nrank = 5\nexternal-edits = "deny"\n'
            'inhouse-edits = "deny"\n'
            'external-context = "deny"\n',
            ".ringfence.toml:2:2: level name 'open' is built in and reserved",
        ),
        (
            'default = "open"\n',
            ".ringfence.toml:1:1: missing required key 'version' (add: version = 1)",
        ),
        (
            "version = 2\n",
            ".ringfence.toml:1:1: unsupported policy version 2; this ringfence reads version 1",
        ),
        (
            'version = 1\n[assistant]\nname = "m"\nkind = "url"\n',
            ".ringfence.toml:2:2: assistant kind 'url' needs 'url'",
        ),
        (
            'version = 1\n[assistant]\nname = "m"\nendpoint = "http://x"\n'
            'api-key-env = "sk-live abc"\n',
            ".ringfence.toml:5:1: assistant.api-key-env must name an environment variable, "
            "never hold the key itself",
        ),
        (
            'version = 1\n[[zone]]\nname = "z"\npath = "a[b"\nlevel = "open"\n',
            ".ringfence.toml:4:1: zone 'z': bad glob 'a[b': unclosed '[' "
            "(git matches nothing with it)",
        ),
        ('version = 1\nzone = "x"\n', ".ringfence.toml:2:1: zones are written as [[zone]] tables"),
    ],
)
def test_each_error_is_located(text, expected):
    assert expected in errors(text)


def test_repository_wide_keys_only_in_the_root_policy():
    found = errors(
        'version = 1\ndefault = "open"\n[assistant]\nname = "m"\nendpoint = "x"\n',
        relpath="sub/.ringfence.toml",
        is_root=False,
    )
    assert found == [
        "sub/.ringfence.toml:2:1: 'default' is repository-wide: only the root policy may set it",
        "sub/.ringfence.toml:3:2: 'assistant' is repository-wide: only the root policy may set it",
    ]
    assert errors("version = 1\nzones = []\n", relpath="s/.ringfence.toml", is_root=False) == [
        "s/.ringfence.toml:2:1: unknown key 'zones' in a nested policy (did you mean 'zone'?)"
    ]


def test_nested_files_use_the_root_custom_levels(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": "version = 1\n[levels.restricted]\nrank = 25\n"
            'external-edits = "deny"\ninhouse-edits = "deny"\nexternal-context = "deny"\n',
            "sub/.ringfence.toml": 'version = 1\n[[zone]]\nname = "r"\npath = "**"\n'
            'level = "restricted"\n',
        }
    )
    p = Policy(root)
    assert p.classify(str(root / "sub/x")).level.name == "restricted" and not p.errors


def test_pyproject_table(make_repo):
    root = make_repo(
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.ringfence]\nversion = 1\n'
            'default = "tagged"\n\n[[tool.ringfence.zone]]\nname = "z"\npath = "z/**"\n'
            'level = "internal"\n'
        }
    )
    p = Policy(root)
    assert (p.root_file, p.errors) == ("pyproject.toml", [])
    decision = p.classify(str(root / "z/a"))
    assert (decision.level.name, decision.rule) == ("internal", "pyproject.toml:8")
    assert p.classify(str(root / "other")).level.name == "tagged"
    bad = make_repo({"pyproject.toml": '[tool.ringfence]\nversion = 1\ncolour = "red"\n'})
    assert [str(e) for e in Policy(bad).errors] == [
        "pyproject.toml:3:1: unknown key 'colour' in the policy"
    ]


def test_unrelated_or_broken_pyproject_is_ignored(make_repo):
    root = make_repo(
        {"pyproject.toml": "[project\nname = 'broken'\n", ".ringfence.toml": "version = 1\n"}
    )
    assert Policy(root).errors == []
    binary = make_repo(
        {"pyproject.toml": b"\xff\xfe[project]\n", ".ringfence.toml": "version = 1\n"}
    )
    assert Policy(binary).errors == []


def test_both_policy_files_is_an_error(make_repo):
    root = make_repo(
        {
            ".ringfence.toml": "version = 1\n",
            "pyproject.toml": '[project]\nname = "x"\n[tool.ringfence]\nversion = 1\n',
        }
    )
    p = Policy(root)
    assert [str(e) for e in p.errors] == [
        "pyproject.toml:3:1: both .ringfence.toml and [tool.ringfence] in pyproject.toml: keep one"
    ]
    assert p.root_failed


def test_user_config_assistant_wins(make_repo, tmp_path, monkeypatch):
    config = tmp_path / "config"
    (config / "ringfence").mkdir(parents=True)
    (config / "ringfence" / "config.toml").write_text(
        '[assistant]\nname = "mine"\nkind = "url"\nurl = "https://assist.example/?f={path}"\n'
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    root = make_repo(
        {".ringfence.toml": 'version = 1\n[assistant]\nname = "repo"\nendpoint = "http://x/v1"\n'}
    )
    p = Policy(root)
    assert (p.assistant.name, p.assistant.origin, p.assistant.trusted_value()) == (
        "mine",
        "user",
        None,
    )
    assert p.settings.assistant.trusted_value() == "http://x/v1"
    assert p.is_inhouse("MINE") and not p.is_inhouse("repo-x")
    (config / "ringfence" / "config.toml").write_text("[assistant\n")
    broken = Policy(root)
    assert broken.assistant.name == "repo" and broken.warnings


def test_cli_reports_each_error_on_one_line_with_exit_2(make_repo):
    root = make_repo(
        {".ringfence.toml": 'version = 1\n[[zone]]\nname = "z"\npath = "!x"\nlevel = "nope"\n'}
    )
    done = run_cli("explain", "a.py", cwd=root)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines == [
        "ringfence: .ringfence.toml:4:1: zone 'z': negation is not supported in zones: '!x' "
        "(use a later zone with a lower level)",
        "ringfence: .ringfence.toml:5:1: zone 'z': unknown level 'nope' (did you mean 'open'?)",
    ]
    assert "a.py: internal" in done.stdout  # still answered, failing closed


def test_large_policies_are_cached_and_the_cache_follows_edits(make_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    zones = "".join(
        f'\n[[zone]]\nname = "z{i}"\npath = "d{i}/**"\nlevel = "internal"\nreason = "{"r" * 40}"\n'
        for i in range(200)
    )
    root = make_repo({".ringfence.toml": "version = 1\n" + zones})
    first = Policy(root)
    cached = list((tmp_path / "cache/ringfence/policies").iterdir())
    assert len(cached) == 1 and first.classify(str(root / "d7/x")).zone.line == 3 + 7 * 6
    second = Policy(root)
    assert second.policy_files()[0].zones == first.policy_files()[0].zones
    (root / ".ringfence.toml").write_text("version = 1\n" + zones.replace('"d7/**"', '"e7/**"'))
    assert Policy(root).classify(str(root / "d7/x")).level.name == "open"
    for entry in (tmp_path / "cache/ringfence/policies").iterdir():
        entry.write_bytes(b"garbage")
    assert Policy(root).classify(str(root / "e7/x")).level.name == "internal"
    (root / ".ringfence.toml").write_text("version = 1\n" + zones + "oops = 1\n")
    assert Policy(root).root_failed  # errors are never served from the cache
