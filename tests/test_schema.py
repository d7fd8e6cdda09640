"""``schema/ringfence.schema.json`` is a valid JSON Schema and agrees with the policy loader.

Hypothesis generates policy documents, valid and invalid in every way the schema can express
(unknown keys, wrong types, missing required keys, bad enum values, reserved level names, bad
globs, assistant kinds without their key), writes them as TOML, and checks that the loader
accepts exactly the documents jsonschema accepts. What no JSON Schema can express is kept out of
the generated space and tested in ``test_policy_loader.py``: that a level name refers to a
declared level, rank clashes and the strictness order of custom levels.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ringfence.policy.loader import parse_policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "schema" / "ringfence.schema.json").read_text()
)
ROOT = jsonschema.Draft7Validator(SCHEMA)
NESTED = jsonschema.Draft7Validator({**SCHEMA, "$ref": "#/definitions/nested"})
BUILTIN = ["open", "tagged", "internal", "human-only"]
MISSING = object()

GOOD_GLOBS = [
    "training/**",
    "evals/",
    "*.py",
    "/config.py",
    "**/fixtures/*.json",
    "a/*/b",
    "docs/[a-z]*.md",
    "x[!0-9]",
    "name\\ with\\ space",
    "[[:upper:]]*",
    "a/**/b",
    "\\#literal",
    "é/*.py",
]
BAD_GLOBS = [
    "",
    "   ",
    "!negated",
    "#comment",
    "../up",
    "a/../b",
    "./here",
    "a//b",
    "/",
    "a***",
    "foo**",
    "**bar/x",
    "tab\there",
    "[unclosed",
    "trailing\\",
    "[é]",
    "[a/b]",
    "\\/lead",
    "end\\/",
]
ANY_TYPE = st.sampled_from([7, True, "text", ["a"], {"k": "v"}])


def _maybe(value_strategy):
    return st.one_of(st.just(MISSING), value_strategy)


def _mostly(valid, invalid):
    """Valid about 19 times in 20, so that whole documents are often valid too."""
    return st.integers(0, 19).flatmap(lambda k: valid if k else invalid)


def _table(fields: dict, extra_key: bool = True):
    """A dict strategy: each field present or not; sometimes an unknown key."""
    keys = list(fields)

    @st.composite
    def build(draw):
        out = {}
        for key in keys:
            value = draw(fields[key])
            if value is not MISSING:
                out[key] = value
        if extra_key and draw(st.integers(0, 29)) == 0:
            out["colour"] = "blue"
        return out

    return build()


LEVEL_NAME = st.sampled_from(BUILTIN + ["restricted"])
GLOB = _mostly(st.sampled_from(GOOD_GLOBS), st.sampled_from(BAD_GLOBS))
ZONE = _table(
    {
        "name": _mostly(
            st.sampled_from(["training-data", "docs"]), st.sampled_from(["", 3, MISSING])
        ),
        "path": _mostly(
            st.one_of(GLOB, st.lists(GLOB, min_size=1, max_size=3)),
            st.sampled_from([5, [], MISSING]),
        ),
        "level": _mostly(LEVEL_NAME, st.sampled_from([30, MISSING])),
        "reason": _maybe(_mostly(st.just("why"), st.just(False))),
        "owner": _maybe(_mostly(st.just("@team"), st.just(["@a"]))),
        "locked": _maybe(_mostly(st.booleans(), st.just("yes"))),
    }
)
PERM = _mostly(st.just("deny"), st.sampled_from(["maybe", 1, MISSING]))
CUSTOM_LEVEL = _table(
    {
        "rank": _mostly(st.just(40), st.sampled_from(["high", MISSING])),
        "external-edits": PERM,
        "inhouse-edits": PERM,
        "external-context": PERM,
    }
)
ASSISTANT = _table(
    {
        "name": _mostly(st.just("metacode"), st.sampled_from(["", 1, MISSING])),
        "kind": _maybe(_mostly(st.sampled_from(["openai", "command", "url"]), st.just("telnet"))),
        "endpoint": _maybe(_mostly(st.just("http://127.0.0.1:8080/v1"), st.just(""))),
        "model": _maybe(st.just("qwen")),
        "api-key-env": _maybe(_mostly(st.just("METACODE_API_KEY"), st.just("sk-secret value"))),
        "command": _maybe(
            _mostly(
                st.sampled_from([["metacode", "complete"], "metacode"]), st.sampled_from([[], [1]])
            )
        ),
        "url": _maybe(_mostly(st.just("https://x/?f={path}"), st.just(""))),
    }
)


@st.composite
def root_policies(draw):
    doc = {}
    version = draw(_mostly(st.just(1), st.sampled_from([2, "1", True, MISSING])))
    if version is not MISSING:
        doc["version"] = version
    custom = draw(
        st.one_of(
            st.just(MISSING),
            _mostly(
                st.fixed_dictionaries({"restricted": CUSTOM_LEVEL}),
                st.one_of(ANY_TYPE, st.fixed_dictionaries({"open": CUSTOM_LEVEL})),
            ),
        )
    )
    if custom is not MISSING:
        doc["levels"] = custom
    optional = {
        "default": _mostly(st.sampled_from(BUILTIN), st.just(3)),
        "inhouse-tools": _mostly(
            st.sampled_from([["metacode"], []]), st.sampled_from(["metacode", [1]])
        ),
        "ignore-case": _mostly(st.booleans(), st.just("no")),
        "assistant": _mostly(ASSISTANT, ANY_TYPE),
        "import": _mostly(
            _table(
                {
                    "enabled": _maybe(_mostly(st.booleans(), st.just(0))),
                    "level": _maybe(_mostly(st.sampled_from(BUILTIN), st.just(2))),
                }
            ),
            ANY_TYPE,
        ),
        "provenance": _table(
            {
                "style": _maybe(_mostly(st.sampled_from(["trace", "comment"]), st.just("inline"))),
                "auto-tag-agents": _maybe(_mostly(st.booleans(), st.just(1))),
            }
        ),
        "history": _table(
            {
                "enabled": _maybe(st.booleans()),
                "trailer-keys": _maybe(_mostly(st.just(["co-authored-by"]), st.just("x"))),
                "ai-names": _maybe(st.just(["claude"])),
                "ai-authors": _maybe(_mostly(st.just(["(aider)"]), st.just([3]))),
            }
        ),
        "zone": _mostly(st.lists(ZONE, max_size=3), st.just("zones")),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    if draw(st.integers(0, 29)) == 0:
        doc["defualt"] = "open"
    return _only_expressible(doc)


def _only_expressible(doc: dict) -> dict:
    """Keep references to the custom level valid (the schema cannot check them)."""
    declared = (
        isinstance(doc.get("levels"), dict)
        and isinstance(doc["levels"].get("restricted"), dict)
        and ROOT.is_valid({"version": 1, "levels": {"restricted": doc["levels"]["restricted"]}})
    )
    if not declared:
        for zone in doc.get("zone", []) if isinstance(doc.get("zone"), list) else []:
            if zone.get("level") == "restricted":
                zone["level"] = "internal"
    return doc


def to_toml(doc: dict) -> str:
    """A TOML document for ``doc`` (scalars and arrays first, then tables and arrays of tables)."""
    lines: list[str] = []
    _emit(doc, (), lines)
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


def _emit(table: dict, path: tuple, lines: list[str]) -> None:
    nested = []
    for key, value in table.items():
        if isinstance(value, dict) or (
            isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        ):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested:
        full = (*path, key)
        header = ".".join(_key(k) for k in full)
        if isinstance(value, dict):
            lines.append(f"[{header}]")
            _emit(value, full, lines)
        else:
            for item in value:
                lines.append(f"[[{header}]]")
                _emit(item, full, lines)


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["zone"]["items"] == {"$ref": "#/definitions/zone"}


def test_schema_documents_every_loader_key():
    from ringfence.policy import loader

    assert set(SCHEMA["properties"]) == loader.ROOT_KEYS
    assert set(SCHEMA["definitions"]["nested"]["properties"]) == loader.NESTED_KEYS
    assert set(SCHEMA["definitions"]["zone"]["properties"]) == loader.ZONE_KEYS
    assert set(SCHEMA["properties"]["assistant"]["properties"]) == loader.ASSISTANT_KEYS
    assert set(SCHEMA["properties"]["import"]["properties"]) == loader.IMPORT_KEYS
    assert set(SCHEMA["properties"]["provenance"]["properties"]) == loader.PROVENANCE_KEYS
    assert set(SCHEMA["properties"]["history"]["properties"]) == loader.HISTORY_KEYS
    assert set(SCHEMA["definitions"]["level"]["properties"]) == loader.LEVEL_KEYS
    assert set(SCHEMA["definitions"]["tools"]["properties"]) == loader.TOOLS_KEYS
    assert set(SCHEMA["definitions"]["models"]["properties"]) == loader.MODELS_KEYS


def test_schema_tool_ids_are_the_canonical_table():
    from ringfence.tool_ids import CANONICAL

    assert SCHEMA["definitions"]["toolId"]["enum"] == list(CANONICAL)


@pytest.mark.parametrize(
    "tables",
    [
        'tools.allow = ["copilot"]',
        'tools.deny = ["claude-code", "codex"]\nmodels.deny = ["gpt-*"]',
        'tools.level = { copilot = "tagged", unknown = "human-only" }',
        'tools.allow = ["claude"]',
        'tools.deny = "codex"',
        "tools.level = { copilot = 1 }",
        'tools.level = { copilt = "open" }',
        'tools.colour = ["x"]',
        "models.deny = [1]",
        'models.allow = ["gpt-5"]',
        "tools = 3",
    ],
)
def test_tool_rules_loader_agrees_with_schema(tables):
    """The same rules in a zone and as the top-level [tools] / [models] of the root policy."""
    in_zone = f'version = 1\n[[zone]]\nname = "z"\npath = "a/**"\nlevel = "open"\n{tables}\n'
    top_level = "version = 1\n" + "".join(_as_table(line) for line in tables.split("\n"))
    for text in (in_zone, top_level):
        parsed = parse_policy(text, ".ringfence.toml", "", is_root=True)
        assert ROOT.is_valid(tomllib.loads(text)) == (not parsed.errors), (text, parsed.errors)


def _as_table(line: str) -> str:
    """``tools.allow = [...]`` as ``[tools]`` / ``allow = [...]`` (other lines as they are)."""
    key, _, rest = line.partition(" = ")
    table, dot, sub = key.partition(".")
    return f"[{table}]\n{sub} = {rest}\n" if dot else f"{line}\n"


@pytest.mark.parametrize("pattern", GOOD_GLOBS + BAD_GLOBS)
def test_glob_rules_agree(pattern):
    from ringfence.policy.globs import glob_problem

    glob = jsonschema.Draft7Validator({**SCHEMA, "$ref": "#/definitions/glob"})
    assert glob.is_valid(pattern) == (glob_problem(pattern) is None), pattern


@settings(max_examples=400, deadline=None)
@given(root_policies())
def test_root_policy_loader_agrees_with_schema(doc):
    text = to_toml(doc)
    parsed = parse_policy(text, ".ringfence.toml", "", is_root=True)
    schema_errors = [e.message for e in ROOT.iter_errors(doc)]
    event("valid" if not schema_errors else "invalid")
    assert (not parsed.errors) == (not schema_errors), (
        text,
        [str(e) for e in parsed.errors],
        schema_errors,
    )


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {"version": _mostly(st.just(1), st.just(3))},
        optional={
            "zone": st.lists(ZONE, max_size=3),
            "default": st.just("open"),
            "shape": st.just("round"),
        },
    )
)
def test_nested_policy_loader_agrees_with_schema(doc):
    doc = _only_expressible(doc)
    text = to_toml(doc)
    parsed = parse_policy(text, "sub/.ringfence.toml", "sub", is_root=False)
    schema_errors = [e.message for e in NESTED.iter_errors(doc)]
    assert (not parsed.errors) == (not schema_errors), (
        text,
        [str(e) for e in parsed.errors],
        schema_errors,
    )


def test_demo_policies_validate():
    import tomllib

    demo = Path(__file__).resolve().parents[1] / "examples" / "demo"
    assert ROOT.is_valid(tomllib.loads((demo / ".ringfence.toml").read_text()))
    assert NESTED.is_valid(tomllib.loads((demo / "docs" / ".ringfence.toml").read_text()))
    starter = (
        Path(__file__).resolve().parents[1]
        / "server"
        / "ringfence"
        / "data"
        / "starter.ringfence.toml"
    )
    assert ROOT.is_valid(tomllib.loads(starter.read_text()))
