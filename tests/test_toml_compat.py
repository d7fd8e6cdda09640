"""TOML parsing has one home (``ringfence/toml.py``) that works on Python 3.10 (tomli) and 3.11+.

Run this file, ``tests/test_hooks.py -k pyproject`` and ``tests/test_bypass.py -k pyproject`` under
Python 3.10 too: there a hook that imported ``tomllib`` directly denied every pyproject.toml edit.
"""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path

import pytest

from ringfence import toml

SERVER = Path(__file__).resolve().parents[1] / "server" / "ringfence"


def test_loads_and_load_parse_and_reject_with_a_value_error():
    assert toml.loads("[tool.ringfence]\nversion = 1\n") == {"tool": {"ringfence": {"version": 1}}}
    assert toml.load(io.BytesIO(b'a = "b"\n')) == {"a": "b"}
    with pytest.raises(ValueError):
        toml.loads("[unclosed")


def test_the_parser_is_the_one_this_python_has():
    name = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    assert toml._parser().__name__ == name


def test_no_other_module_imports_a_toml_parser():
    offenders = []
    for path in sorted(SERVER.rglob("*.py")):
        if path == SERVER / "toml.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("tomllib", "tomli") for n in names):
                offenders.append(f"{path.relative_to(SERVER)}:{node.lineno}")
    assert offenders == [], "import ringfence.toml instead: " + ", ".join(offenders)


def test_importing_the_helper_does_not_load_a_parser():
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ringfence.toml; print('tomllib' in sys.modules, 'tomli' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["False", "False"], done.stderr
